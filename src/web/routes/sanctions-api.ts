import { Hono, type Context } from "hono";
import { stream } from "hono/streaming";
import {
  authorizeListImport, checkListImport, decideMatch, entryHistory, exportListFtm, gapCsv, gapTable, getListImport, getMatch, getSanctionsList, getSanctionsStatus, listEntries, listImportFields, listMatches,
  listSanctionsLists, screenRecords, startListImport, type ListImportOptions,
} from "../../accountability/index.ts";
import { Invalid } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";
import { declaredLength, mediaTypeOf, multipartUpload, requestBodyStream } from "../upload.ts";

/** The sanctions lists' API: thin, as every check and rule is in src/accountability. */
export const sanctionsApi = new Hono<AppEnv>();

/** Upload routes stream to disk under VIGIL_MAX_IMPORT_BYTES, not the body limit. */
export const SANCTIONS_UPLOAD_PATHS = new Set(["/api/v1/sanctions/imports", "/sanctions/imports"]);

const ID = `:id{${UUID_PARAM}}`;
const LIST = ":list{[a-z0-9][a-z0-9_-]{0,63}}";

function query(c: Context<AppEnv>): Record<string, string> {
  return c.req.query();
}

sanctionsApi.get("/api/v1/sanctions/lists", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ items: await listSanctionsLists(c.var.services, c.var.origin, actor) });
});

sanctionsApi.get(`/api/v1/sanctions/lists/${LIST}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getSanctionsList(c.var.services, c.var.origin, actor, c.req.param("list")));
});

sanctionsApi.get(`/api/v1/sanctions/lists/${LIST}/entries`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await listEntries(c.var.services, c.var.origin, actor, c.req.param("list"), query(c)));
});

sanctionsApi.get(`/api/v1/sanctions/lists/${LIST}/entries/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await entryHistory(c.var.services, c.var.origin, actor, c.req.param("list"), c.req.param("id")));
});

sanctionsApi.get(`/api/v1/sanctions/lists/${LIST}/ftm`, async (c) => {
  const { actor } = requirePrincipal(c);
  const parts = exportListFtm(c.var.services, c.var.origin, actor, c.req.param("list"));
  // The first page is read before answering, so that a refusal is an error and not an empty file.
  const first = await parts.next();
  c.header("Content-Type", "application/x-ndjson; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${c.req.param("list")}.ftm.json"`);
  return stream(c, async (s) => {
    if (!first.done) await s.write(first.value);
    for await (const part of parts) await s.write(part);
  });
});

/**
 * A list file: the raw body with the options in the query string, or a multipart form with the
 * options as fields before the file. Answers 202 with the import, which a job carries out.
 */
sanctionsApi.post("/api/v1/sanctions/imports", async (c) => {
  const { actor } = requirePrincipal(c);
  await authorizeListImport(c.var.services, c.var.origin, actor);
  const body = requestBodyStream(c);
  let options: ListImportOptions;
  let started;
  if (mediaTypeOf(c) === "multipart/form-data") {
    if (!body) throw new Invalid("the file is empty", { file: "the file is empty" });
    const upload = await multipartUpload(c, body);
    options = await checkListImport(c.var.services, c.var.origin, actor, listImportFields({ ...query(c), ...upload.fields }));
    started = await startListImport(c.var.services, c.var.origin, actor, options, { source: upload.source, filename: upload.filename, declaredSize: declaredLength(c) });
  } else {
    options = await checkListImport(c.var.services, c.var.origin, actor, listImportFields(query(c)));
    if (!body) throw new Invalid("the file is empty", { file: "the file is empty" });
    let filename: string | null;
    try {
      filename = c.req.header("x-filename") ? decodeURIComponent(c.req.header("x-filename")!) : null;
    } catch {
      throw new Invalid("some fields are not valid", { "X-Filename": "percent-encode the name as UTF-8" });
    }
    started = await startListImport(c.var.services, c.var.origin, actor, options, { source: body, filename, declaredSize: declaredLength(c) });
  }
  c.header("Location", `/api/v1/sanctions/imports/${started.id}`);
  return c.json(started, 202);
});

sanctionsApi.get(`/api/v1/sanctions/imports/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getListImport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

sanctionsApi.post("/api/v1/sanctions/screen", async (c) => {
  const { actor } = requirePrincipal(c);
  const hasBody = c.req.header("content-type") !== undefined && (declaredLength(c) ?? 1) > 0;
  return c.json(await screenRecords(c.var.services, c.var.origin, actor, hasBody ? () => readJson(c) : {}));
});

sanctionsApi.get("/api/v1/sanctions/matches", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await listMatches(c.var.services, c.var.origin, actor, query(c)));
});

sanctionsApi.get(`/api/v1/sanctions/matches/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getMatch(c.var.services, c.var.origin, actor, c.req.param("id")));
});

sanctionsApi.post(`/api/v1/sanctions/matches/${ID}/decision`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await decideMatch(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

sanctionsApi.get(`/api/v1/sanctions/status/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getSanctionsStatus(c.var.services, c.var.origin, actor, c.req.param("id")));
});

sanctionsApi.get("/api/v1/sanctions/gaps", async (c) => {
  const { actor } = requirePrincipal(c);
  const { format, ...rest } = query(c);
  if (format === "csv") {
    const csv = await gapCsv(c.var.services, c.var.origin, actor, rest);
    return c.body(csv, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="sanctions-gaps.csv"', "Cache-Control": "private, no-store" });
  }
  if (format !== undefined && format !== "json") throw new Invalid("some fields are not valid", { format: "json or csv" });
  return c.json(await gapTable(c.var.services, c.var.origin, actor, rest));
});
