import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { listImportJob } from "../../src/accountability/index.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { sanctionsImportCommand } from "../../src/cli/sanctions.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { ftmLines, sdnXml } from "./list-fixtures.ts";

const FROM: Origin = { requestId: "req-sanctions-web", ip: null, userAgent: "test" };
const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };

function multipart(fields: Record<string, string>, file: { name: string; content: string }): { body: Blob; type: string } {
  const boundary = "----vigil-sanctions-boundary";
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/xml\r\n\r\n${file.content}\r\n--${boundary}--\r\n`);
  return { body: new Blob([parts.join("")]), type: `multipart/form-data; boundary=${boundary}` };
}

const SDN = sdnXml("07/31/2020", [{ uid: "28000", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"] }]);

for (const target of databaseTargets()) {
  describe(`sanctions pages, API and command on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let runner: JobRunner;
    let chenId = "";

    async function signedIn(email: string): Promise<{ client: Client; csrf: string }> {
      const client = Client.for(services);
      await client.signIn(email);
      return { client, csrf: csrfFrom(await (await client.get("/account")).text()) };
    }

    before(async () => {
      services = await openTestServices(target, { dataDir: mkdtempSync(join(tmpdir(), "vigil-sanctions-")) });
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      await addMember(services, adminSession.principal, "editor", "editor@watch.example");
      await addMember(services, adminSession.principal, "researcher", "researcher@watch.example");
      await addMember(services, adminSession.principal, "viewer", "viewer@watch.example");
      await addOrganisation(services, "elsewhere");
      chenId = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Chen Quanguo"] } })).id;
      const incident = (await createEntity(services, FROM, admin, { schema: "Incident", properties: { name: ["Camp"], violation: ["torture"] } })).id;
      await createEntity(services, FROM, admin, { schema: "Involvement", properties: { incident: [incident], participant: [chenId], role: ["alleged-perpetrator"] } });
      runner = new JobRunner(services, [listImportJob], { ...QUIET, workerId: "test" });
    });
    after(async () => {
      await services.close();
    });

    it("uploads a list on the page, follows its import, reviews the match and shows the gap", async () => {
      const { client } = await signedIn("editor@watch.example");
      const page = await (await client.get("/sanctions")).text();
      const action = /action="(\/sanctions\/imports\?_csrf=[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, "&");
      const { body, type } = multipart({ list: "sdn", format: "sdn-xml", title: "OFAC SDN" }, { name: "sdn.xml", content: SDN });
      const uploaded = await client.request(action, { method: "POST", body, headers: { "content-type": type, origin: "http://vigil.test" } });
      assert.equal(uploaded.status, 303);
      const importPage = uploaded.headers.get("location")!;
      assert.match(await (await client.get(importPage)).text(), /http-equiv="refresh"/);
      await runner.drain();
      const done = await (await client.get(importPage)).text();
      assert.match(done, /1 added, 0 changed, 0 delisted, 0 unchanged/);
      const screened = await client.submit(importPage, "/sanctions/screen", {});
      assert.equal(screened.headers.get("location"), "/sanctions/matches?found=1");
      const matches = await (await client.get("/sanctions/matches")).text();
      const matchPage = /href="(\/sanctions\/matches\/[0-9a-f-]{36})"/.exec(matches)![1]!;
      const decided = await client.submit(matchPage, `${matchPage}/decision`, { status: "confirmed", reason: "same person" });
      assert.equal(decided.status, 303);
      assert.match(await (await client.get(matchPage)).text(), /id="match-status">Confirmed</);
      const blank = await client.submit(matchPage, `${matchPage}/decision`, { status: "rejected", reason: "" });
      assert.equal(blank.status, 422);
      const record = await (await client.get(`/records/${chenId}`)).text();
      assert.match(record, /id="sanctions"/);
      assert.match(record, /United States: Sanctioned/);
      assert.match(record, /OFAC SDN \(GLOMAG\)/);
      const gaps = await (await client.get("/sanctions/gaps")).text();
      assert.match(gaps, /Chen Quanguo/);
      assert.match(gaps, /Sanctioned by United States, not by United Kingdom or European Union/);
      const print = await client.get("/sanctions/gaps/print?gapsOnly=true");
      assert.match(await print.text(), /class="print-page"/);
      const bad = await client.get("/sanctions/gaps?minGravity=-3");
      assert.equal(bad.status, 422);
      const ug = await client.get("/language/ug");
      assert.ok(ug.status < 400);
      assert.match(await (await client.get("/sanctions/gaps")).text(), /dir="rtl"/);
    });

    it("refuses a page upload from a researcher and a malformed form from an editor, keeping nothing", async () => {
      const { client, csrf } = await signedIn("researcher@watch.example");
      const { body, type } = multipart({ list: "x", format: "ftm" }, { name: "x.json", content: ftmLines([{ id: "a", schema: "Person", properties: { name: ["A"] } }]) });
      const refused = await client.request(`/sanctions/imports?_csrf=${encodeURIComponent(csrf)}`, { method: "POST", body, headers: { "content-type": type, origin: "http://vigil.test" } });
      assert.equal(refused.status, 403);
      const editor = await signedIn("editor@watch.example");
      const noList = multipart({ format: "ftm" }, { name: "x.json", content: "{}" });
      const invalid = await editor.client.request(`/sanctions/imports?_csrf=${encodeURIComponent(editor.csrf)}`, { method: "POST", body: noList.body, headers: { "content-type": noList.type, origin: "http://vigil.test" } });
      assert.equal(invalid.status, 422);
      const lists = await services.db.selectFrom("sanctions_lists").select("name").execute();
      assert.deepEqual(lists.map((l) => l.name), ["sdn"]);
    });

    it("imports through the API as a raw body, answers 202, and reports rejected lines after the job", async () => {
      const { client, csrf } = await signedIn("editor@watch.example");
      const headers = { "content-type": "application/x-ndjson", "x-csrf-token": csrf, origin: "http://vigil.test", "x-filename": "eu.json" };
      const res = await client.request("/api/v1/sanctions/imports?list=eu&format=ftm&jurisdictions=EU", { method: "POST", body: "{oops\n" + ftmLines([{ id: "e1", schema: "Person", properties: { name: ["Someone"] } }]), headers });
      assert.equal(res.status, 202);
      const started = (await res.json()) as { id: string; state: string };
      await runner.drain();
      const done = (await (await client.get(`/api/v1/sanctions/imports/${started.id}`)).json()) as { state: string; errors: { line: number; reason: string }[] };
      assert.deepEqual([done.state, done.errors], ["failed", [{ line: 1, reason: "the line is not valid JSON" }]]);
      const badOptions = await client.request("/api/v1/sanctions/imports?list=eu&format=word", { method: "POST", body: "x", headers });
      assert.equal(badOptions.status, 422);
      assert.equal(((await badOptions.json()) as { errors: Record<string, string> }).errors.format !== undefined, true);
      const badJurisdiction = await client.request("/api/v1/sanctions/imports?list=eu&format=ftm&jurisdictions=XX", { method: "POST", body: "x", headers });
      assert.equal(badJurisdiction.status, 422);
      const viewer = await signedIn("viewer@watch.example");
      const refused = await viewer.client.request("/api/v1/sanctions/imports?list=eu&format=ftm", { method: "POST", body: "x", headers: { ...headers, "x-csrf-token": viewer.csrf } });
      assert.equal(refused.status, 403);
      const outsider = await signedIn("admin@elsewhere.example");
      assert.equal((await outsider.client.get(`/api/v1/sanctions/imports/${started.id}`)).status, 404);
      assert.equal((await outsider.client.get("/api/v1/sanctions/lists/sdn")).status, 404);
      assert.equal((await outsider.client.get(`/api/v1/sanctions/status/${chenId}`)).status, 404);
    });

    it("answers the gap table as JSON and CSV, and the status of a record", async () => {
      const { client } = await signedIn("viewer@watch.example");
      const json = (await (await client.get("/api/v1/sanctions/gaps?notBy=EU")).json()) as { rows: { person: { id: string }; sanctionedBy: string[] }[] };
      assert.deepEqual(json.rows.map((r) => [r.person.id, r.sanctionedBy]), [[chenId, ["US"]]]);
      const csv = await client.get("/api/v1/sanctions/gaps?format=csv");
      assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.match(await csv.text(), /^rank,person_id,name/);
      assert.equal((await client.get("/api/v1/sanctions/gaps?format=pdf")).status, 422);
      const status = (await (await client.get(`/api/v1/sanctions/status/${chenId}`)).json()) as { byJurisdiction: Record<string, string> };
      assert.equal(status.byJurisdiction.US, "sanctioned");
      const ftm = await client.get("/api/v1/sanctions/lists/sdn/ftm");
      assert.match(await ftm.text(), /"schema":"Sanction"/);
      const partner = await signedIn("admin@elsewhere.example");
      assert.deepEqual(((await (await partner.client.get("/api/v1/sanctions/gaps")).json()) as { rows: unknown[] }).rows, []);
    });

    it("imports from the command line, reporting rejected lines and refusing a viewer", async () => {
      const dir = mkdtempSync(join(tmpdir(), "vigil-sanctions-cli-"));
      const path = join(dir, "sdn.xml");
      writeFileSync(path, sdnXml("08/31/2020", [{ uid: "28000", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"] }, { uid: "28001", type: "Entity", lastName: "XPCC", programs: ["GLOMAG"] }]));
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      assert.equal(sanctionsImportCommand.check!({ file: "sdn.xml", format: "sdn-xml", list: "sdn", as: "x" }), 'give the file as an absolute path, e.g. "$PWD/sdn.xml"');
      assert.equal(await sanctionsImportCommand.run(services, { file: path, format: "sdn-xml", list: "sdn", as: "editor@watch.example", org: "watch" }, "", io), 0);
      assert.match(out[0]!, /^list sdn version 2: 1 added, 0 changed, 0 delisted, 1 unchanged/);
      const badPath = join(dir, "bad.json");
      writeFileSync(badPath, "{x\n");
      assert.equal(await sanctionsImportCommand.run(services, { file: badPath, format: "ftm", list: "cli", as: "editor@watch.example", org: "watch" }, "", io), 1);
      assert.ok(err.includes("vigil: line 1: the line is not valid JSON"));
      assert.equal(await sanctionsImportCommand.run(services, { file: path, format: "sdn-xml", list: "sdn", as: "viewer@watch.example", org: "watch" }, "", io), 1);
      assert.match(err[err.length - 1]!, /may not|not allowed|refused/i);
    });
  });
}
