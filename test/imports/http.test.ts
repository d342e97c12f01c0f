import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiToken } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { exportJob, importJob } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

interface ApiInit {
  method?: string;
  body?: string | Blob;
  headers?: Record<string, string>;
}

const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };
const CSV = "Name,Born,Ethnicity\nIlham Tohti,1969,ئۇيغۇر\nRahile Dawut,1966,Uyghur\n";

/** A multipart body built as a browser does: the fields, then the file. */
function multipart(fields: Record<string, string>, file: { name: string; content: string }): { body: Blob; type: string } {
  const boundary = "----vigil-test-boundary";
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n--${boundary}--\r\n`);
  return { body: new Blob([parts.join("")]), type: `multipart/form-data; boundary=${boundary}` };
}

for (const target of databaseTargets()) {
  describe(`import and export over HTTP on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let runner: JobRunner;
    let editorToken: string;
    let colleagueToken: string;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "vigil-import-http-"));
      services = await openTestServices(target, { dataDir, maxImportBytes: 32 * 1024 });
      const org = await setUpOrganisation(services);
      const admin = (await sessionFor(services, org.adminEmail)).principal;
      const editor = await addMember(services, admin, "editor", "editor@watch.example");
      const colleague = await addMember(services, admin, "editor", "colleague@watch.example");
      editorToken = (await createApiToken(services, NO_ORIGIN, editor.principal, { name: "script", scopes: ["write"] })).token;
      colleagueToken = (await createApiToken(services, NO_ORIGIN, colleague.principal, { name: "script", scopes: ["write"] })).token;
      runner = new JobRunner(services, [importJob, exportJob], { ...QUIET, workerId: "test" });
    });
    after(async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("walks a person through upload, mapping, preview and import on pages that need no script", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      const listPage = await (await client.get("/imports")).text();
      const action = /action="(\/imports\?_csrf=[^"]+)"/.exec(listPage)![1]!.replace(/&amp;/g, "&");
      const { body, type } = multipart({ format: "csv" }, { name: "people.csv", content: CSV });
      const uploaded = await client.request(action, { method: "POST", body, headers: { "content-type": type, origin: "http://vigil.test" } });
      assert.equal(uploaded.status, 303);
      const page = uploaded.headers.get("location")!;
      assert.match(page, /^\/imports\/[0-9a-f-]{36}$/);

      // The mapping form suggests properties from the header, and the preview follows the mapping.
      const mappingPage = await (await client.get(page)).text();
      assert.match(mappingPage, /<option value="name" selected="">/);
      const mapped = await client.submit(page, `${page}/mapping`, {
        schema: "Person", "column.0": "Name", "property.0": "name", "lang.0": "", "column.1": "Born", "property.1": "birthDate", "lang.1": "",
        "column.2": "Ethnicity", "property.2": "ethnicity", "lang.2": "", sensitivity: "internal", delimiter: ",", saveAs: "Hotline",
      });
      assert.equal(mapped.status, 303);
      const preview = await (await client.get(page)).text();
      assert.match(preview, /Rahile Dawut/);
      assert.match(preview, /<dd dir="auto">uyghur<\/dd>/);

      const committed = await client.submit(page, `${page}/commit`, {});
      assert.equal(committed.status, 303);
      const running = await (await client.get(page)).text();
      assert.match(running, /<meta http-equiv="refresh" content="3"\/?>/);
      assert.match(running, /<progress/);
      await runner.drain();
      const done = await (await client.get(page)).text();
      assert.doesNotMatch(done, /http-equiv="refresh"/);
      assert.match(done, /Imported/);
    });

    it("refuses a multipart upload without the form token, and keeps nothing", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      const before = (await services.db.selectFrom("imports").select("id").execute()).length;
      const { body, type } = multipart({ format: "csv" }, { name: "people.csv", content: CSV });
      const res = await client.request("/imports", { method: "POST", body, headers: { "content-type": type, origin: "http://vigil.test" } });
      assert.equal(res.status, 403);
      assert.equal((await services.db.selectFrom("imports").select("id").execute()).length, before);
    });

    it("imports over the API with a token, reports progress through the job, and keeps each import to its owner", async () => {
      const api = (path: string, init: ApiInit = {}, token = editorToken) =>
        Client.for(services).request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
      const created = await api("/api/v1/imports?format=csv", { method: "POST", body: CSV, headers: { "content-type": "text/csv", "x-filename": encodeURIComponent("people (2).csv") } });
      assert.equal(created.status, 201);
      const view = (await created.json()) as { id: string; filename: string; rowsTotal: number };
      assert.deepEqual([view.filename, view.rowsTotal], ["people (2).csv", 2]);
      assert.equal(created.headers.get("location"), `/api/v1/imports/${view.id}`);
      const mapped = await api(`/api/v1/imports/${view.id}/mapping`, { method: "POST", body: JSON.stringify({ mappingName: "Hotline" }), headers: { "content-type": "application/json" } });
      assert.equal(mapped.status, 200);
      const preview = (await (await api(`/api/v1/imports/${view.id}/preview`)).json()) as { rows: { ok: boolean }[] };
      assert.deepEqual(preview.rows.map((r) => r.ok), [true, true]);
      const started = (await (await api(`/api/v1/imports/${view.id}/check`, { method: "POST" })).json()) as { job: { id: string } };
      await runner.drain();
      const job = (await (await api(`/api/v1/jobs/${started.job.id}`)).json()) as { state: string; progress: { done: number; total: number } };
      assert.deepEqual([job.state, job.progress.done, job.progress.total], ["succeeded", 2, 2]);
      assert.equal((await api(`/api/v1/jobs/${started.job.id}`, {}, colleagueToken)).status, 404);
      assert.equal((await api(`/api/v1/imports/${view.id}`, {}, colleagueToken)).status, 404);
      const commit = await api(`/api/v1/imports/${view.id}/commit`, { method: "POST", body: JSON.stringify({ partial: "yes" }), headers: { "content-type": "application/json" } });
      assert.equal(commit.status, 422, "partial is a boolean");
      assert.equal((await api(`/api/v1/imports/${view.id}/commit`, { method: "POST" })).status, 202);
      await runner.drain();
      const imported = (await (await api(`/api/v1/imports/${view.id}`)).json()) as { state: string; entitiesCreated: number };
      assert.deepEqual([imported.state, imported.entitiesCreated], ["imported", 2]);
    });

    it("answers an oversized or badly encoded upload with a problem, before storing it", async () => {
      const api = (path: string, init: ApiInit) => Client.for(services).request(path, { ...init, headers: { authorization: `Bearer ${editorToken}`, ...(init.headers ?? {}) } });
      const big = await api("/api/v1/imports?format=csv", { method: "POST", body: "a,b\n".repeat(10_000), headers: { "content-type": "text/csv" } });
      assert.equal(big.status, 413);
      assert.equal(big.headers.get("content-type"), "application/problem+json");
      const latin1 = await api("/api/v1/imports?format=csv", { method: "POST", body: new Blob([new Uint8Array([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0x4a, 0xe9, 0x0a])]), headers: { "content-type": "text/csv" } });
      assert.equal(latin1.status, 422);
      assert.match(((await latin1.json()) as { detail: string }).detail, /not UTF-8/);
    });

    it("exports a list from the page, refreshes while it runs, and hands the file to its owner only", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      const started = await client.submit("/exports", "/exports", { format: "csv", schema: "Person", archived: "exclude", tag: "" });
      assert.equal(started.status, 303);
      const page = started.headers.get("location")!;
      assert.match(await (await client.get(page)).text(), /http-equiv="refresh"/);
      await runner.drain();
      const ready = await (await client.get(page)).text();
      assert.match(ready, new RegExp(`href="${page}/download"`));
      const file = await client.get(`${page}/download`);
      assert.equal(file.status, 200);
      assert.match(file.headers.get("content-disposition")!, /^attachment; filename="vigil-records-\d{4}-\d{2}-\d{2}\.csv"$/);
      const text = await file.text();
      assert.match(text, /^id,schema,created_at,archived,/);
      assert.match(text, /Rahile Dawut/);
      const other = Client.for(services);
      await other.signIn("colleague@watch.example");
      assert.equal((await other.get(`${page}/download`)).status, 404);
      const token = csrfFrom(await (await other.get("/exports")).text());
      assert.equal((await other.post(`${page}/cancel`, { _csrf: token })).status, 404);
    });

    it("documents every import, export and job route of the API in the OpenAPI document", async () => {
      const client = Client.for(services);
      const doc = (await (await client.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
      const routes = client.app.routes.filter((r) => r.method !== "ALL" && /^\/api\/v1\/(imports|import-mappings|exports|jobs)/.test(r.path));
      assert.ok(routes.length >= 18);
      const undocumented = routes.map((r) => [r.method.toLowerCase(), r.path.replace(/:(\w+)\{[^/]*\{12\}\}/g, "{$1}")] as const).filter(([method, path]) => !doc.paths[path]?.[method]);
      assert.deepEqual(undocumented, []);
    });

    it("shows the pages in Uyghur, right to left", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      await client.get("/language/ug?back=/imports");
      const html = await (await client.get("/imports")).text();
      assert.match(html, /<html lang="ug" dir="rtl">/);
      assert.match(html, /<h1>ئەكىرىشلەر<\/h1>/);
    });
  });
}
