import { z } from "zod";
import { can, cleanText, Conflict, hasLoneSurrogate, NotFound, type Actor, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { DEFAULT_TERMS, VOCABULARIES, VOCABULARY_OF_PROPERTY, type TermLabels, type VocabularyName } from "./vocabulary-defaults.ts";

export interface TermView {
  code: string;
  labels: TermLabels;
  /** Shipped with Vigil (its labels may have been changed), or added by the organisation. */
  builtIn: boolean;
  /** A retired term is offered no more, and refused in new values; records that use it keep it. */
  retired: boolean;
}

export interface VocabularyView {
  name: VocabularyName;
  /** The properties whose values come from this vocabulary, as Schema:property. */
  properties: string[];
  terms: TermView[];
}

const CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

const LabelSchema = z
  .string()
  .max(200, "at most 200 characters")
  .refine((v) => !hasLoneSurrogate(v), "contains invalid characters")
  .transform((v) => cleanText(v))
  .refine((v) => v.length > 0, "is empty");

const LabelsSchema = z.strictObject({ en: LabelSchema, ug: LabelSchema.optional(), "zh-Hans": LabelSchema.optional() });

export const TermCreateSchema = z.strictObject({
  code: z.string().regex(CODE, "lowercase letters, digits and hyphens, such as forced-labour"),
  labels: LabelsSchema,
});

export const TermUpdateSchema = z.strictObject({
  /** Labels given replace those of the same language; an empty string removes a translation (English stays). */
  labels: z.strictObject({ en: LabelSchema.optional(), ug: z.union([LabelSchema, z.literal("")]).optional(), "zh-Hans": z.union([LabelSchema, z.literal("")]).optional() }).optional(),
  retired: z.boolean().optional(),
});

export function isVocabularyName(name: string): name is VocabularyName {
  return (VOCABULARIES as readonly string[]).includes(name);
}

function propertiesOf(name: VocabularyName): string[] {
  return Object.entries(VOCABULARY_OF_PROPERTY).filter(([, v]) => v === name).map(([qname]) => qname);
}

/** The vocabulary a property takes its values from, by its qualified name (Incident:violation). */
export function vocabularyOfProperty(qname: string): VocabularyName | undefined {
  return VOCABULARY_OF_PROPERTY[qname];
}

/** Canonical form of what a person typed for a code: "Arbitrary arrest" and "arbitrary_arrest" are arbitrary-arrest. */
function asCode(raw: string): string {
  return cleanText(raw).toLowerCase().replace(/[\s_]+/g, "-");
}

export type TermCheck = { ok: true; code: string; retired: boolean } | { ok: false; error: string };

/** One organisation's vocabularies as they stand: defaults, with its own changes and terms. */
export class Vocabularies {
  readonly #terms: Map<VocabularyName, Map<string, TermView>>;

  constructor(terms: Map<VocabularyName, Map<string, TermView>>) {
    this.#terms = terms;
  }

  terms(name: VocabularyName): TermView[] {
    return [...this.#terms.get(name)!.values()];
  }

  find(name: VocabularyName, code: string): TermView | undefined {
    return this.#terms.get(name)!.get(code);
  }

  /**
   * Resolves a value to a term's code: the code itself (in any case, spaces for hyphens), or a
   * label in any of the three languages. Whether a retired term is acceptable is the caller's call.
   */
  check(name: VocabularyName, raw: string): TermCheck {
    const terms = this.#terms.get(name)!;
    const code = asCode(raw);
    let term = terms.get(code);
    if (!term) {
      const wanted = cleanText(raw).toLowerCase();
      term = [...terms.values()].find((t) => Object.values(t.labels).some((label) => typeof label === "string" && label.toLowerCase() === wanted));
    }
    if (!term) return { ok: false, error: `"${cleanText(raw).slice(0, 40)}" is not a term of the ${name} vocabulary` };
    return { ok: true, code: term.code, retired: term.retired };
  }
}

/** Reads an organisation's vocabularies: one query, whatever the number of values to check. */
export async function loadVocabularies(db: Tx, orgId: string): Promise<Vocabularies> {
  const rows = await db.selectFrom("vocabulary_terms").selectAll().where("org_id", "=", orgId).orderBy("created_at").orderBy("code").execute();
  const all = new Map<VocabularyName, Map<string, TermView>>();
  for (const name of VOCABULARIES) {
    const terms = new Map<string, TermView>(DEFAULT_TERMS[name].map((t) => [t.code, { code: t.code, labels: { ...t.labels }, builtIn: true, retired: false }]));
    all.set(name, terms);
  }
  for (const row of rows) {
    if (!isVocabularyName(row.vocabulary)) continue;
    const terms = all.get(row.vocabulary)!;
    const builtIn = terms.get(row.code)?.builtIn ?? false;
    terms.set(row.code, { code: row.code, labels: row.labels as unknown as TermLabels, builtIn, retired: row.retired_at !== null });
  }
  return new Vocabularies(all);
}

function vocabulariesSubject(actor: Actor): Subject {
  return { kind: "vocabularies", orgId: actor.orgId };
}

function requireName(name: string): VocabularyName {
  if (!isVocabularyName(name)) throw new NotFound("no such vocabulary");
  return name;
}

/** Options of a read: `manage` asks for the administrators' view (the admin pages), refused to anyone else. */
interface ReadOptions {
  manage?: boolean;
}

async function requireReader(services: Services, origin: Origin, actor: Actor, options: ReadOptions): Promise<void> {
  const action = options.manage ? "vocabulary.manage" : "vocabulary.view";
  await requirePermission(services, origin, can(actor, action, vocabulariesSubject(actor)), actor, action, { type: "vocabulary", id: null });
}

export async function listVocabularies(services: Services, origin: Origin, actor: Actor, options: ReadOptions = {}): Promise<VocabularyView[]> {
  await requireReader(services, origin, actor, options);
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  return VOCABULARIES.map((name) => ({ name, properties: propertiesOf(name), terms: vocabularies.terms(name) }));
}

export async function getVocabulary(services: Services, origin: Origin, actor: Actor, name: string, options: ReadOptions = {}): Promise<VocabularyView> {
  await requireReader(services, origin, actor, options);
  const vocabulary = requireName(name);
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  return { name: vocabulary, properties: propertiesOf(vocabulary), terms: vocabularies.terms(vocabulary) };
}

/** Adds an organisation's own term. Its code is fixed for ever: records store it. */
export async function addTerm(services: Services, origin: Origin, actor: Actor, name: string, raw: unknown): Promise<TermView> {
  await requirePermission(services, origin, can(actor, "vocabulary.manage", vocabulariesSubject(actor)), actor, "vocabulary.manage", { type: "vocabulary", id: null });
  const vocabulary = requireName(name);
  const input = parseInput(TermCreateSchema, typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const existing = (await loadVocabularies(tx, actor.orgId)).find(vocabulary, input.code);
    if (existing) throw new Conflict(`"${input.code}" is already a term of this vocabulary${existing.retired ? " (retired: reinstate it instead)" : ""}`);
    await tx
      .insertInto("vocabulary_terms")
      .values({ org_id: actor.orgId, vocabulary, code: input.code, labels: JSON.stringify(input.labels), created_at: now, updated_at: now, updated_by: actor.userId })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "vocabulary.term.add", targetType: "vocabulary", targetId: null, details: { vocabulary, term: input.code } });
  });
  return { code: input.code, labels: input.labels, builtIn: false, retired: false };
}

/** Changes a term's labels, or retires or reinstates it. A default term gets a row of its own the first time. */
export async function changeTerm(services: Services, origin: Origin, actor: Actor, name: string, code: string, raw: unknown): Promise<TermView> {
  await requirePermission(services, origin, can(actor, "vocabulary.manage", vocabulariesSubject(actor)), actor, "vocabulary.manage", { type: "vocabulary", id: null });
  const vocabulary = requireName(name);
  const input = parseInput(TermUpdateSchema, typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw);
  const now = services.now();
  return services.db.transaction().execute(async (tx) => {
    const term = (await loadVocabularies(tx, actor.orgId)).find(vocabulary, code);
    if (!term) throw new NotFound("no such term");
    const labels: TermLabels = { ...term.labels };
    for (const [language, label] of Object.entries(input.labels ?? {}) as [keyof TermLabels, string | undefined][]) {
      if (label === undefined) continue;
      if (label === "" && language !== "en") delete labels[language];
      else labels[language] = label;
    }
    const retired = input.retired ?? term.retired;
    const row = { labels: JSON.stringify(labels), retired_at: retired ? now : null, retired_by: retired ? actor.userId : null, updated_at: now, updated_by: actor.userId };
    // Retiring an already retired term keeps the first retirement's time and author.
    const keepRetirement = retired && term.retired;
    await tx
      .insertInto("vocabulary_terms")
      .values({ org_id: actor.orgId, vocabulary, code, created_at: now, ...row })
      .onConflict((oc) =>
        oc.columns(["org_id", "vocabulary", "code"]).doUpdateSet(keepRetirement ? { labels: row.labels, updated_at: now, updated_by: actor.userId } : row),
      )
      .execute();
    const action = input.retired === true && !term.retired ? "vocabulary.term.retire" : input.retired === false && term.retired ? "vocabulary.term.reinstate" : "vocabulary.term.change";
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action, targetType: "vocabulary", targetId: null, details: { vocabulary, term: code } });
    return { code, labels, builtIn: term.builtIn, retired };
  });
}

/** A label in the reader's language, English when there is no translation. */
export function termLabel(term: TermView, locale: string): string {
  const own = locale === "ug" || locale === "zh-Hans" ? term.labels[locale] : undefined;
  return own ?? term.labels.en;
}
