// An organisation's urgent-action templates: the defaults shipped in code until an administrator
// edits one; every edit is a new version (never overwritten), so what was generated from an older
// template can still be explained.
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { readInput } from "./urgent-addressees.ts";
import { checkTemplateText, DEFAULT_TEMPLATES, isUrgentLanguage, type TemplateContent, type UrgentLanguage } from "./urgent-templates.ts";

const line = z.string().trim().min(1, "is empty").max(2000, "at most 2000 characters");

export const TemplateSaveSchema = z.strictObject({
  subject: z.string().trim().min(1, "give a subject").max(300, "at most 300 characters"),
  body: z.string().trim().min(1, "give the text").max(20_000, "at most 20,000 characters"),
  concerns: z.array(line).max(30, "at most 30 lines").default([]),
  requests: z.array(line).max(30, "at most 30 lines").default([]),
  reason: z.string().trim().min(1, "say why").max(2000, "at most 2000 characters"),
  /** The version the admin edited: if someone saved since, the save is refused (409). */
  baseVersion: z.number().int().min(0),
});

export interface TemplateView extends TemplateContent {
  language: UrgentLanguage;
  /** 0: the default shipped with Vigil. */
  version: number;
  isDefault: boolean;
  reason: string | null;
  authorId: string | null;
  createdAt: Date | null;
}

export interface TemplateVersionSummary {
  version: number;
  reason: string;
  authorId: string | null;
  authorName: string | null;
  createdAt: Date;
}

function defaultView(language: UrgentLanguage): TemplateView {
  const d = DEFAULT_TEMPLATES[language];
  return { language, version: 0, isDefault: true, reason: null, authorId: null, createdAt: null, subject: d.subject, body: d.body, concerns: [...d.concerns], requests: [...d.requests] };
}

function requireLanguage(language: string): UrgentLanguage {
  if (!isUrgentLanguage(language)) throw new NotFound("no such template language: en, ug or zh");
  return language;
}

async function requireTemplates(services: Services, origin: Origin, actor: Actor, action: "urgent.template.view" | "urgent.template.manage"): Promise<void> {
  await requirePermission(services, origin, can(actor, action, { kind: "urgent-actions", orgId: actor.orgId }), actor, action, { type: "urgent-template", id: null });
}

/** The template in use (no permission check: the generation service has made its own). */
export async function currentTemplate(db: Tx, orgId: string, language: UrgentLanguage, version?: number): Promise<TemplateView> {
  let query = db.selectFrom("urgent_templates").selectAll().where("org_id", "=", orgId).where("language", "=", language);
  if (version !== undefined) query = query.where("version", "=", version);
  const row = await query.orderBy("version", "desc").limit(1).executeTakeFirst();
  if (!row) {
    if (version === undefined || version === 0) return defaultView(language);
    throw new NotFound("no such template version");
  }
  return {
    language,
    version: row.version,
    isDefault: false,
    reason: row.reason,
    authorId: row.author_id,
    createdAt: row.created_at,
    subject: row.subject,
    body: row.body,
    concerns: row.concerns,
    requests: row.requests,
  };
}

export async function listTemplates(services: Services, origin: Origin, actor: Actor): Promise<TemplateView[]> {
  await requireTemplates(services, origin, actor, "urgent.template.view");
  return Promise.all((["en", "ug", "zh"] as const).map((language) => currentTemplate(services.db, actor.orgId, language)));
}

export async function getTemplate(services: Services, origin: Origin, actor: Actor, language: string, version?: number): Promise<TemplateView> {
  await requireTemplates(services, origin, actor, "urgent.template.view");
  return currentTemplate(services.db, actor.orgId, requireLanguage(language), version);
}

export async function templateHistory(services: Services, origin: Origin, actor: Actor, language: string): Promise<TemplateVersionSummary[]> {
  await requireTemplates(services, origin, actor, "urgent.template.view");
  const rows = await services.db
    .selectFrom("urgent_templates as t")
    .leftJoin("users as u", "u.id", "t.author_id")
    .select(["t.version", "t.reason", "t.author_id", "u.name as author_name", "t.created_at"])
    .where("t.org_id", "=", actor.orgId)
    .where("t.language", "=", requireLanguage(language))
    .orderBy("t.version", "desc")
    .execute();
  return rows.map((r) => ({ version: r.version, reason: r.reason, authorId: r.author_id, authorName: r.author_name, createdAt: r.created_at }));
}

/** Checks every text of a template: unknown placeholders, unclosed sections, stray braces. */
function checkContent(content: TemplateContent): void {
  const errors: FieldErrors = {};
  const first = (problems: string[]) => problems[0];
  const subject = first(checkTemplateText(content.subject));
  if (subject) errors.subject = subject;
  else if (/\{\{\s*(concerns|requests|addressees)\s*\}\}/.test(content.subject)) errors.subject = "the subject is one line: it cannot hold the concerns, the requests or the addressees";
  const body = first(checkTemplateText(content.body));
  if (body) errors.body = body;
  content.concerns.forEach((l, i) => {
    const problem = first(checkTemplateText(l)) ?? (/\{\{\s*(concerns|requests|addressees)\s*\}\}/.test(l) ? "a line cannot hold the lists or the addressees" : undefined);
    if (problem) errors[`concerns.${i}`] = problem;
  });
  content.requests.forEach((l, i) => {
    const problem = first(checkTemplateText(l)) ?? (/\{\{\s*(concerns|requests|addressees)\s*\}\}/.test(l) ? "a line cannot hold the lists or the addressees" : undefined);
    if (problem) errors[`requests.${i}`] = problem;
  });
  if (Object.keys(errors).length > 0) throw new Invalid("the template has placeholders that are not valid", errors);
}

export async function saveTemplate(services: Services, origin: Origin, actor: Actor, language: string, raw: unknown): Promise<TemplateView> {
  await requireTemplates(services, origin, actor, "urgent.template.manage");
  const lang = requireLanguage(language);
  const input = parseInput(TemplateSaveSchema, await readInput(raw));
  checkContent(input);
  await services.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom("urgent_templates")
      .select((eb) => eb.fn.max("version").as("version"))
      .where("org_id", "=", actor.orgId)
      .where("language", "=", lang)
      .executeTakeFirst();
    const version = Number(current?.version ?? 0);
    if (version !== input.baseVersion) throw new Conflict(`the template was changed since you opened it (now version ${version}): open it again and redo your edit`);
    await tx
      .insertInto("urgent_templates")
      .values({
        org_id: actor.orgId,
        language: lang,
        version: version + 1,
        subject: input.subject,
        body: input.body,
        concerns: JSON.stringify(input.concerns),
        requests: JSON.stringify(input.requests),
        reason: input.reason,
        author_id: actor.userId,
        created_at: services.now(),
      })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "urgent.template.save", targetType: "urgent-template", targetId: null, details: { language: lang, version: version + 1, reason: input.reason } });
  });
  return currentTemplate(services.db, actor.orgId, lang);
}
