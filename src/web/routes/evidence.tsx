import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import { Hono, type Context } from "hono";
import { Invalid } from "../../core/index.ts";
import {
  authorizeUpload,
  checkDeclaredSize,
  custodyHistory,
  getEvidence,
  listEvidence,
  openEvidenceContent,
  personCaller,
  readEvidenceMetadata,
  receiveEvidence,
  redactEvidence,
  type EvidenceContent,
  type EvidenceMetadata,
  listEvidenceLinks,
  type EvidenceLinkView,
  type EvidenceSummary,
  type IncomingFile,
} from "../../evidence/index.ts";
import { can, Sealed } from "../../core/index.ts";
import { captionsOf, type RecordCaption } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { formatSize, formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { RecordLink } from "../records/parts.tsx";
import { CaptureFacts, CustodyTable, ItemFacts, LinkForm, PREVIEWABLE, SealedNotice, UnlinkForm } from "./evidence-parts.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Evidence: the upload API (raw body with X-Filename, or multipart), listing, metadata, content
 * and redacted derivatives; and the pages that do the same without JavaScript.
 */
export const evidenceRoutes = new Hono<AppEnv>();

/** The upload routes, which the global body limit lets through to VIGIL_MAX_UPLOAD_BYTES: the vault's, and a record's own. */
const UPLOAD_PATHS = new Set(["/api/v1/evidence", "/evidence"]);
const RECORD_UPLOAD = new RegExp(`^/(api/v1/entities/${UUID_PARAM}/evidence|evidence/to/${UUID_PARAM})$`);

export function isUploadPath(path: string): boolean {
  return UPLOAD_PATHS.has(path) || RECORD_UPLOAD.test(path);
}

function mediaType(c: Context<AppEnv>): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function declaredLength(c: Context<AppEnv>): number | null {
  const value = c.req.header("content-length");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * The request body as a Node stream. Under the Node server it is the socket's own IncomingMessage,
 * which pauses the client when we fall behind (the Web stream wrapped around it measured 4–8×
 * slower, see bench/ingest.ts); elsewhere (app.request in tests) the Web stream.
 */
function bodyStream(c: Context<AppEnv>): Readable | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !c.req.raw.bodyUsed) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>, { highWaterMark: 1 << 20 }) : null;
}

/** The one file of a multipart form, streamed: busboy hands over the part as it arrives. */
function multipartFile(c: Context<AppEnv>, body: Readable): Promise<IncomingFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": c.req.header("content-type") ?? "" }, limits: { files: 1, fields: 20, fieldSize: 4096 } });
    } catch {
      reject(new Invalid("the form is not valid multipart/form-data"));
      return;
    }
    let found = false;
    parser.on("file", (_name, stream, info) => {
      found = true;
      resolve({ source: stream, filename: info.filename || null, claimedType: info.mimeType || null });
    });
    parser.on("error", (error) => reject(error instanceof Error ? error : new Error(String(error))));
    parser.on("close", () => {
      if (!found) reject(new Invalid("some fields are not valid", { file: "choose a file" }));
    });
    body.pipe(parser);
  });
}

/** The one file of an upload: a raw body named by X-Filename (API only), or a multipart form's file. */
export async function incomingFile(c: Context<AppEnv>, allowRaw: boolean): Promise<IncomingFile> {
  const services = c.var.services;
  const declared = declaredLength(c);
  // Refused before a byte is read; a multipart body carries a little framing besides the file.
  checkDeclaredSize(services, declared === null ? null : declared - (mediaType(c) === "multipart/form-data" ? 64 * 1024 : 0));
  const body = bodyStream(c);
  if (!body) throw new Invalid("the file is empty", { file: "the file is empty" });
  if (mediaType(c) === "multipart/form-data") return multipartFile(c, body);
  if (!allowRaw) throw new Invalid("send the file as multipart/form-data", { file: "choose a file" });
  const header = c.req.header("x-filename");
  if (!header) throw new Invalid("some fields are not valid", { "X-Filename": "required" });
  let filename: string;
  try {
    filename = decodeURIComponent(header);
  } catch {
    throw new Invalid("some fields are not valid", { "X-Filename": "percent-encode the name as UTF-8" });
  }
  return { source: body, filename, claimedType: mediaType(c) || null, declaredSize: declared };
}

export function summaryJson(s: EvidenceSummary) {
  return { id: s.id, sha256: s.sha256, size: s.size, ciphertextSize: s.ciphertextSize, mediaType: s.mediaType, commitment: s.commitment, derivedFrom: s.derivedFrom, ledgerIndex: s.ledgerIndex, receivedAt: s.receivedAt.toISOString() };
}

function contentResponse(content: EvidenceContent, disposition: "attachment" | "inline"): Response {
  const name = content.filename ?? `${content.summary.id}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return new Response(Readable.toWeb(content.stream) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": disposition === "inline" ? content.summary.mediaType : "application/octet-stream",
      "Content-Length": String(content.summary.size),
      "Content-Disposition": `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    },
  });
}

// ——— API ———

evidenceRoutes.post("/api/v1/evidence", async (c) => {
  const principal = requirePrincipal(c);
  const caller = personCaller(principal);
  // Permission first: nobody learns anything about input handling without the right to upload.
  await authorizeUpload(c.var.services, c.var.origin, caller);
  const received = await receiveEvidence(c.var.services, c.var.origin, caller, await incomingFile(c, true));
  return c.json({ id: received.id, sha256: received.sha256, size: received.size, mediaType: received.mediaType, ledgerIndex: received.ledgerIndex }, 201);
});

evidenceRoutes.get("/api/v1/evidence", async (c) => {
  const principal = requirePrincipal(c);
  const items = await listEvidence(c.var.services, c.var.origin, personCaller(principal));
  return c.json({ items: items.map(summaryJson) });
});

evidenceRoutes.get(`/api/v1/evidence/:id{${UUID_PARAM}}`, async (c) => {
  const principal = requirePrincipal(c);
  const item = await getEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"));
  return c.json({ ...summaryJson(item), sealed: c.var.services.keyring.isSealed(principal.actor.orgId), derivatives: item.derivatives.map(summaryJson) });
});

evidenceRoutes.get(`/api/v1/evidence/:id{${UUID_PARAM}}/metadata`, async (c) => {
  const principal = requirePrincipal(c);
  const metadata = await readEvidenceMetadata(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"));
  return c.json(metadata);
});

evidenceRoutes.get(`/api/v1/evidence/:id{${UUID_PARAM}}/content`, async (c) => {
  const principal = requirePrincipal(c);
  return contentResponse(await openEvidenceContent(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), "download"), "attachment");
});

evidenceRoutes.post(`/api/v1/evidence/:id{${UUID_PARAM}}/redacted`, async (c) => {
  const principal = requirePrincipal(c);
  const made = await redactEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"));
  return c.json({ id: made.id, sha256: made.sha256, size: made.size, mediaType: made.mediaType, ledgerIndex: made.ledgerIndex }, made.created ? 201 : 200);
});

// ——— pages ———

function ListPage(page: PageContext, items: EvidenceSummary[], sealed: boolean, problem?: FormProblem) {
  const { t, locale, principal } = page;
  const mayUpload = principal ? can(principal.actor, "evidence.upload", { kind: "evidence", orgId: principal.actor.orgId }) : false;
  const mayCapture = principal ? can(principal.actor, "evidence.capture", { kind: "evidence", orgId: principal.actor.orgId }) : false;
  return (
    <>
      <h1>{t("evidence.title")}</h1>
      <SealedNotice page={page} sealed={sealed} />
      <ErrorSummary page={page} message={problem?.message} errors={problem?.errors} />
      {mayCapture ? (
        <p>
          <a href="/captures/new" class="button capture-link">
            {t("capture.action")}
          </a>
        </p>
      ) : null}
      {mayUpload ? (
        <form method="post" action={`/evidence?_csrf=${encodeURIComponent(page.csrfToken)}`} enctype="multipart/form-data" class="upload">
          <Csrf page={page} />
          <div class="field">
            <label for="f-file">{t("evidence.file")}</label>
            <p class="hint" id="f-file-hint">
              {t("evidence.fileHint")}
            </p>
            <input id="f-file" type="file" name="file" required aria-describedby="f-file-hint" />
          </div>
          <button type="submit">{t("evidence.upload")}</button>
        </form>
      ) : null}
      <table>
        <caption>{t("evidence.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("evidence.received")}</th>
            <th scope="col">{t("evidence.type")}</th>
            <th scope="col">{t("evidence.size")}</th>
            <th scope="col">{t("evidence.blob")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr>
              <td>
                <a href={`/evidence/${item.id}`}>{formatTime(locale, item.receivedAt)}</a>
              </td>
              <td dir="ltr">
                {item.mediaType}
                {item.derivedFrom ? ` (${t("evidence.redactedCopy")})` : ""}
              </td>
              <td>{formatSize(locale, item.size)}</td>
              <td dir="ltr">
                <code>{item.sha256.slice(0, 16)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p>{t("evidence.none")}</p> : null}
    </>
  );
}

async function listView(c: Context<AppEnv>, status: 200 | 201 | 400 | 409 | 413 | 415 | 422 | 503 = 200, problem?: FormProblem) {
  const principal = signedIn(c);
  const items = await listEvidence(c.var.services, c.var.origin, personCaller(principal));
  const sealed = c.var.services.keyring.isSealed(principal.actor.orgId);
  return renderPage(c, c.var.t("evidence.title"), (page) => ListPage(page, items, sealed, problem), status);
}

evidenceRoutes.get("/evidence", (c) => listView(c));

evidenceRoutes.post("/evidence", async (c) => {
  const principal = signedIn(c);
  const caller = personCaller(principal);
  await authorizeUpload(c.var.services, c.var.origin, caller);
  try {
    const received = await receiveEvidence(c.var.services, c.var.origin, caller, await incomingFile(c, false));
    throw new Redirect(`/evidence/${received.id}?done=received`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    const problem = formProblem(c, error);
    return listView(c, problem.status as 400, problem);
  }
});

function DetailPage(
  page: PageContext,
  view: {
    item: EvidenceSummary & { derivatives: EvidenceSummary[] };
    sealed: boolean;
    metadata: EvidenceMetadata | null;
    history: Awaited<ReturnType<typeof custodyHistory>>;
    links: (EvidenceLinkView & { schema: string })[];
    captions: Map<string, RecordCaption>;
    notice: string | null;
    problem?: FormProblem;
  },
) {
  const { t, principal } = page;
  const { item, metadata } = view;
  const mayRedact = principal ? can(principal.actor, "evidence.redact", { kind: "evidence", orgId: principal.actor.orgId }) : false;
  const isImage = PREVIEWABLE.test(item.mediaType);
  const shownTags = metadata ? Object.entries(metadata.tags).filter(([k]) => !k.startsWith("File:") || /MIMEType|FileType|ImageWidth|ImageHeight/.test(k)) : [];
  return (
    <>
      <h1>{item.derivedFrom ? t("evidence.redactedTitle") : t("evidence.itemTitle")}</h1>
      <Notice text={view.notice} />
      <SealedNotice page={page} sealed={view.sealed} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <dl class="facts">
        <ItemFacts page={page} item={item} metadata={metadata} ids />
        {metadata ? (
          <>
            <dt>{t("evidence.filename")}</dt>
            <dd dir="auto">{metadata.filename ?? "—"}</dd>
          </>
        ) : null}
        {metadata?.capture ? <CaptureFacts page={page} capture={metadata.capture} /> : null}
        {item.derivedFrom ? (
          <>
            <dt>{t("evidence.original")}</dt>
            <dd>
              <a href={`/evidence/${item.derivedFrom}`}>{t("evidence.original")}</a>
            </dd>
          </>
        ) : null}
      </dl>
      {view.sealed ? null : (
        <p>
          <a href={`/evidence/${item.id}/download`} class="button" id="download">
            {t("evidence.download")}
          </a>
        </p>
      )}
      {!view.sealed && isImage ? (
        <figure>
          <img src={`/evidence/${item.id}/preview`} alt={t("evidence.previewAlt")} class="preview" />
        </figure>
      ) : null}
      {metadata ? (
        <table class="metadata">
          <caption>{t("evidence.metadata")}</caption>
          <tbody>
            {shownTags.map(([k, v]) => (
              <tr>
                <th scope="row" dir="ltr">{k}</th>
                <td dir="auto">{typeof v === "string" ? v : JSON.stringify(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {!item.derivedFrom && mayRedact && /^image\//.test(item.mediaType) ? (
        <section>
          <h2>{t("evidence.redactTitle")}</h2>
          <p>{t("evidence.redactHint")}</p>
          {item.derivatives.length ? (
            <ul>
              {item.derivatives.map((d) => (
                <li>
                  <a href={`/evidence/${d.id}`} class="derivative">{t("evidence.redactedCopy")}</a>
                </li>
              ))}
            </ul>
          ) : view.sealed ? null : (
            <form method="post" action={`/evidence/${item.id}/redact`}>
              <Csrf page={page} />
              <button type="submit">{t("evidence.redact")}</button>
            </form>
          )}
        </section>
      ) : null}
      <LinkedRecords page={page} item={item} links={view.links} captions={view.captions} />
      <h2>{t("evidence.history")}</h2>
      <CustodyTable page={page} history={view.history} />
    </>
  );
}

/** The records this item supports (those the reader may know of), with the forms to link and withdraw. */
function LinkedRecords({ page, item, links, captions }: { page: PageContext; item: EvidenceSummary; links: (EvidenceLinkView & { schema: string })[]; captions: Map<string, RecordCaption> }) {
  const { t, locale, principal } = page;
  const mayLink = principal ? can(principal.actor, "evidence.link", { kind: "evidence", orgId: principal.actor.orgId }) : false;
  const back = `/evidence/${item.id}`;
  return (
    <section id="links" aria-labelledby="links-h">
      <h2 id="links-h">{t("evidencePanel.linkedRecords")}</h2>
      {links.length === 0 ? <p>{t("evidencePanel.noRecords")}</p> : null}
      <ul class="evidence-links">
        {links.map((link) => (
          <li>
            <RecordLink page={page} id={link.entityId} caption={captions.get(link.entityId)} /> —{" "}
            {t("evidencePanel.linkedBy", { who: link.linkedByName ?? t("evidencePanel.someone"), when: formatTime(locale, link.linkedAt) })} — <span dir="auto">{link.reason}</span>
            {mayLink ? <UnlinkForm page={page} linkId={link.id} back={back} /> : null}
          </li>
        ))}
      </ul>
      {mayLink ? <LinkForm page={page} ask="entity" known={item.id} back={back} /> : null}
    </section>
  );
}

async function detailView(c: Context<AppEnv>, id: string, extra: { notice?: string | null; problem?: FormProblem; status?: 200 | 400 | 409 | 422 | 503 } = {}) {
  const principal = signedIn(c);
  const services = c.var.services;
  const caller = personCaller(principal);
  const item = await getEvidence(services, c.var.origin, caller, id);
  const sealed = services.keyring.isSealed(principal.actor.orgId);
  const metadata = sealed ? null : await readEvidenceMetadata(services, c.var.origin, caller, id).catch((error: unknown) => {
    if (error instanceof Sealed) return null;
    throw error;
  });
  const history = await custodyHistory(services, c.var.origin, caller, id);
  const links = await listEvidenceLinks(services, c.var.origin, caller, id);
  const captions = await captionsOf(services, principal.actor, links.map((l) => l.entityId));
  const done = c.req.query("done");
  const notice = extra.notice ?? (done === "received" || done === "redacted" ? c.var.t(`evidence.done.${done}`) : null);
  return renderPage(c, c.var.t("evidence.itemTitle"), (page) => DetailPage(page, { item, sealed, metadata, history, links, captions, notice, problem: extra.problem }), extra.status ?? 200);
}

evidenceRoutes.get(`/evidence/:id{${UUID_PARAM}}`, (c) => detailView(c, c.req.param("id")));

evidenceRoutes.get(`/evidence/:id{${UUID_PARAM}}/download`, async (c) => {
  const principal = signedIn(c);
  return contentResponse(await openEvidenceContent(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), "download"), "attachment");
});

evidenceRoutes.get(`/evidence/:id{${UUID_PARAM}}/preview`, async (c) => {
  const principal = signedIn(c);
  const services = c.var.services;
  const caller = personCaller(principal);
  const item = await getEvidence(services, c.var.origin, caller, c.req.param("id"));
  if (!PREVIEWABLE.test(item.mediaType)) throw new Invalid("only images have a preview");
  return contentResponse(await openEvidenceContent(services, c.var.origin, caller, item.id, "preview"), "inline");
});

evidenceRoutes.post(`/evidence/:id{${UUID_PARAM}}/redact`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  const id = c.req.param("id");
  try {
    const made = await redactEvidence(c.var.services, c.var.origin, personCaller(principal), id);
    throw new Redirect(`/evidence/${made.id}?done=redacted`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    const problem = formProblem(c, error);
    return detailView(c, id, { problem, status: problem.status as 422 });
  }
});
