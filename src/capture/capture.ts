import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseInput } from "../accounts/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { can, Conflict, Forbidden, Invalid, NotFound, TooManyRequests, type Actor } from "../core/index.ts";
import type { Config } from "../config.ts";
import type { Origin, Services } from "../context.ts";
import {
  authorizeLinking,
  currentRecipient,
  discardStoredEvidence,
  linkInTransaction,
  recordStoredEvidence,
  storeEvidenceBlob,
  withPrivateDirectory,
  type Caller,
  type StoredEvidence,
} from "../evidence/index.ts";
import type { JsonObject } from "../ledger/index.ts";
import { loadRecord, loadVocabularies, planEntityCreation, writeEntityCreation, type LoadedRecord } from "../records/index.ts";
import { capturePage, type CapturedPage } from "./browser.ts";
import { publicationDate, sourceName } from "./page-facts.ts";
import { readCaptureSettings } from "./settings.ts";
import { defaultPort, hostOf, MAX_URL_LENGTH, parseCaptureUrl, resolveReachable, type ReachPolicy, type Resolver } from "./target.ts";
import { writeWarc } from "./warc.ts";

/**
 * "Capture this page": Vigil's own Chromium loads the page and keeps four files, each an item of
 * the evidence vault with its "captured" custody-ledger event, linked to a Source record (made
 * for the capture, or the one it was asked from):
 *
 *   warc        every request and response of the page and its resources (WARC 1.1)
 *   screenshot  the whole page as rendered (PNG)
 *   html        the page's DOM after its scripts ran
 *   text        the page's visible text (none when the page has no text)
 *
 * The address, the time, the page's status and response headers and what was refused go into
 * each file's encrypted metadata. Everything is written in one transaction after the browser is
 * done; a capture that fails at any point (time limit, size limit, a refused address, a database
 * error) leaves no blob, no ledger leaf and no Source.
 */

export const CaptureInputSchema = z.strictObject({
  url: z.string().max(MAX_URL_LENGTH + 100, `at most ${MAX_URL_LENGTH} characters`),
  /** An existing Source the capture documents; without it a Source is made from the page. */
  source: z.uuid("the id of a Source record").optional(),
});

export type ArtifactRole = "warc" | "screenshot" | "html" | "text";

export interface CaptureArtifact {
  role: ArtifactRole;
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  ledgerIndex: number;
}

export interface CaptureResult {
  id: string;
  sourceId: string;
  createdSource: boolean;
  url: string;
  finalUrl: string;
  status: number;
  capturedAt: Date;
  resources: number;
  refused: number;
  artifacts: CaptureArtifact[];
}

export interface CaptureOptions {
  /** Replaces the system's DNS resolver (tests). */
  resolve?: Resolver;
}

// Each capture runs a browser of its own (a few hundred MB): a few at a time per process.
const MAX_RUNNING = 2;
let running = 0;

function personOf(caller: Caller): Actor {
  if (caller.kind !== "person") throw new Forbidden("a capture is asked for by a person");
  return caller.actor;
}

/** Vigil's own listening sockets: a capture never fetches Vigil itself, whatever the setting. */
export function ownSockets(config: Pick<Config, "host" | "port">): Set<string> {
  const hosts = config.host === "0.0.0.0" || config.host === "::" ? ["127.0.0.1", "::1", "0.0.0.0", "::"] : [config.host, ...(config.host === "localhost" ? ["127.0.0.1", "::1"] : [])];
  return new Set(hosts.map((h) => `${h}:${config.port}`));
}

function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/**
 * Checks everything that can be checked before a browser starts: the caller may capture (and
 * may add a Source, or edit the one named), the address is http(s) and resolves only to
 * addresses the organisation's setting allows, and the vault has keys to encrypt to.
 */
async function prepare(services: Services, origin: Origin, caller: Caller, raw: unknown, options: CaptureOptions) {
  const actor = personOf(caller);
  await requirePermission(services, origin, can(actor, "evidence.capture", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.capture", { type: "capture", id: null });
  const input = parseInput(CaptureInputSchema, typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw);
  let source: LoadedRecord | null = null;
  if (input.source) {
    source = await authorizeLinking(services, origin, caller, input.source);
    if (source.row.schema !== "Source") throw new Invalid("some fields are not valid", { source: "a capture documents a Source record" });
    if (source.row.archived_at) throw new Conflict("the Source is archived: restore it before capturing for it");
  } else {
    await requirePermission(services, origin, can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "record.create", { type: "entity", id: null });
  }
  const url = parseCaptureUrl(input.url);
  if (!(await currentRecipient(services.db, actor.orgId))) throw new Conflict("this organisation has no keys yet: an administrator must create them first");
  const settings = await readCaptureSettings(services.db, actor.orgId);
  const policy: ReachPolicy = { allowPrivate: settings.allowPrivateAddresses, forbidden: ownSockets(services.config) };
  await resolveReachable(hostOf(url), defaultPort(url), policy, options.resolve);
  return { actor, url, source, policy };
}

/**
 * What the capture form needs, checked as the capture itself will be: the caller may capture, and
 * the Source named (if any) is one they may edit. Says whether private addresses are allowed.
 */
export async function prepareCaptureForm(services: Services, origin: Origin, caller: Caller, sourceId: string | null): Promise<{ source: LoadedRecord | null; allowPrivate: boolean }> {
  const actor = personOf(caller);
  await requirePermission(services, origin, can(actor, "evidence.capture", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.capture", { type: "capture", id: null });
  let source: LoadedRecord | null = null;
  if (sourceId) {
    source = await authorizeLinking(services, origin, caller, sourceId);
    if (source.row.schema !== "Source") throw new Invalid("some fields are not valid", { source: "a capture documents a Source record" });
  }
  return { source, allowPrivate: (await readCaptureSettings(services.db, actor.orgId)).allowPrivateAddresses };
}

/** What each file's encrypted metadata says of the capture. */
function captureMetadata(id: string, role: ArtifactRole, page: CapturedPage): JsonObject {
  return {
    capture: id,
    role,
    url: page.requestedUrl,
    finalUrl: page.finalUrl,
    capturedAt: page.capturedAt.toISOString(),
    status: page.status,
    statusText: page.statusText,
    responseHeaders: page.responseHeaders.map(([n, v]) => [n, v]),
    title: page.facts.title,
    resources: page.exchanges.length,
    refused: page.refusals.slice(0, 100).map((r) => ({ target: r.target, reason: r.reason })),
    userAgent: page.userAgent,
    browser: page.browserVersion,
  };
}

const TYPES: Record<ArtifactRole, { mediaType: string; extension: string }> = {
  warc: { mediaType: "application/warc", extension: "warc" },
  screenshot: { mediaType: "image/png", extension: "png" },
  html: { mediaType: "text/html", extension: "html" },
  text: { mediaType: "text/plain", extension: "txt" },
};

/** `raw` is the request body, or a function that reads it once permission is granted. */
export async function captureWebPage(services: Services, origin: Origin, caller: Caller, raw: unknown, options: CaptureOptions = {}): Promise<CaptureResult> {
  const { actor, url, source, policy } = await prepare(services, origin, caller, raw, options);
  if (running >= MAX_RUNNING) throw new TooManyRequests("other captures are running: try again in a minute", 30);
  running++;
  let page: CapturedPage;
  try {
    page = await capturePage(url, {
      chromiumPath: services.config.chromiumPath,
      timeoutMs: services.config.captureTimeoutMs,
      maxBytes: services.config.captureMaxBytes,
      policy,
      now: services.now,
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
  } finally {
    running--;
  }
  const id = randomUUID();
  const base = `${hostOf(url).replace(/[^A-Za-z0-9.-]/g, "_")}-${stampOf(page.capturedAt)}`;
  const text = page.facts.text;
  const stored: { role: ArtifactRole; file: StoredEvidence }[] = [];
  try {
    await withPrivateDirectory(async (dir) => {
      const warcPath = join(dir, "capture.warc");
      await writeWarc(page, warcPath, `${base}.warc`);
      const sources: Record<ArtifactRole, () => AsyncIterable<Uint8Array> | Uint8Array[]> = {
        warc: () => createReadStream(warcPath),
        screenshot: () => [page.screenshot],
        html: () => [Buffer.from(page.html, "utf8")],
        // Lone surrogates a script left in the text become U+FFFD here.
        text: () => [Buffer.from(text, "utf8")],
      };
      // A page with no text (an image alone) has no text file: the vault refuses empty files.
      const roles: ArtifactRole[] = text.trim() ? ["warc", "screenshot", "html", "text"] : ["warc", "screenshot", "html"];
      for (const role of roles) {
        const file = await storeEvidenceBlob(services, caller, { source: sources[role](), filename: `${base}.${TYPES[role].extension}`, claimedType: TYPES[role].mediaType });
        stored.push({ role, file });
      }
    });
    const plan = source ? null : await planSource(services, origin, actor, page);
    const sourceId = source?.row.id ?? plan!.id;
    const artifacts = await services.db.transaction().execute(async (tx) => {
      if (plan) await writeEntityCreation(tx, services, origin, actor, plan);
      await tx
        .insertInto("web_captures")
        .values({ id, org_id: actor.orgId, source_id: sourceId, requested_by: actor.userId, captured_at: page.capturedAt, http_status: page.status, resources: page.exchanges.length, refused: page.refusals.length })
        .execute();
      const made: CaptureArtifact[] = [];
      for (const { role, file } of stored) {
        const received = await recordStoredEvidence(tx, services, origin, caller, file, {
          kind: "captured",
          details: { capture: id, role },
          metadata: captureMetadata(id, role, page),
          mediaType: TYPES[role].mediaType,
        });
        await tx.insertInto("web_capture_artifacts").values({ capture_id: id, role, evidence_id: received.id }).execute();
        await linkInTransaction(tx, services, origin, caller, { evidenceId: received.id, entityId: sourceId, reason: "web capture" });
        made.push({ role, ...received });
      }
      await recordAudit(tx, origin, {
        orgId: actor.orgId,
        actorId: actor.userId,
        action: "capture.create",
        targetType: "capture",
        targetId: id,
        details: { source: sourceId, status: page.status, resources: page.exchanges.length, refused: page.refusals.length },
      });
      return made;
    });
    return {
      id,
      sourceId,
      createdSource: plan !== null,
      url: page.requestedUrl,
      finalUrl: page.finalUrl,
      status: page.status,
      capturedAt: page.capturedAt,
      resources: page.exchanges.length,
      refused: page.refusals.length,
      artifacts,
    };
  } catch (error) {
    for (const { file } of stored) await discardStoredEvidence(file);
    throw error;
  }
}

/** The Source a capture makes: the page's title as its name, its address, its publication date if it states one. */
async function planSource(services: Services, origin: Origin, actor: Actor, page: CapturedPage) {
  const published = publicationDate(page.facts.dates);
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  const webPage = vocabularies.check("source-types", "web-page");
  return planEntityCreation(services, origin, actor, {
    schema: "Source",
    properties: {
      name: [sourceName(page.facts.title, page.requestedUrl)],
      url: [page.requestedUrl],
      ...(published ? { publishedAt: [published] } : {}),
      ...(webPage.ok && !webPage.retired ? { sourceType: [webPage.code] } : {}),
    },
    reason: "web capture",
  });
}

export interface CaptureView {
  id: string;
  sourceId: string;
  capturedAt: Date;
  status: number;
  resources: number;
  refused: number;
  artifacts: { role: ArtifactRole; evidenceId: string }[];
}

/** One capture, for those who may see evidence and its Source; a Source they may not know of makes it not found. */
export async function getCapture(services: Services, origin: Origin, caller: Caller, id: string): Promise<CaptureView> {
  const actor = personOf(caller);
  await requirePermission(services, origin, can(actor, "evidence.view", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.view", { type: "capture", id: null });
  const row = z.uuid().safeParse(id).success ? await services.db.selectFrom("web_captures").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such capture");
  await loadRecord(services, actor, row.source_id).catch((error: unknown) => {
    throw error instanceof NotFound ? new NotFound("no such capture") : error;
  });
  const artifacts = await services.db.selectFrom("web_capture_artifacts").select(["role", "evidence_id"]).where("capture_id", "=", row.id).execute();
  const order: ArtifactRole[] = ["warc", "screenshot", "html", "text"];
  return {
    id: row.id,
    sourceId: row.source_id,
    capturedAt: row.captured_at,
    status: row.http_status,
    resources: row.resources,
    refused: row.refused,
    artifacts: artifacts.map((a) => ({ role: a.role, evidenceId: a.evidence_id })).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role)),
  };
}

/** The capture roles of evidence items, for pages that list evidence (the panel says "screenshot of a capture"). */
export async function captureRolesOf(services: Services, evidenceIds: readonly string[]): Promise<Map<string, { capture: string; role: ArtifactRole }>> {
  if (evidenceIds.length === 0) return new Map();
  const rows = await services.db.selectFrom("web_capture_artifacts").select(["capture_id", "role", "evidence_id"]).where("evidence_id", "in", [...evidenceIds]).execute();
  return new Map(rows.map((r) => [r.evidence_id, { capture: r.capture_id, role: r.role }]));
}
