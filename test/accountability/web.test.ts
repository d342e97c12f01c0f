import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApiToken } from "../../src/accounts/index.ts";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { recordComplicity, screenSuppliers, supplierReportCsv } from "../../src/accountability/index.ts";
import { suppliersScreenCommand } from "../../src/cli/suppliers.ts";
import { runInProcess } from "../../src/cli/main.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

const FROM: Origin = { requestId: "req-complicity-web", ip: null, userAgent: "test" };
const SUPPLIERS = "Supplier,Address,Country\nKashgar Cotton Trading,1 Market Road,China\nNordic Wool Cooperative,Oslo,Norway\n";

for (const target of databaseTargets()) {
  describe(`complicity pages, API and CLI on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let viewer: Actor;
    let viewerToken = "";
    let partnerToken = "";
    let outsiderToken = "";
    const ids = {} as Record<"registered" | "holding" | "supplier" | "finding" | "source", string>;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const session = await sessionFor(services, org.adminEmail);
      admin = session.principal.actor;
      const viewerSession = await addMember(services, session.principal, "viewer", "viewer@watch.example");
      viewer = viewerSession.principal.actor;
      const partnerSession = await addMember(services, session.principal, "partner", "partner@watch.example");
      await addMember(services, session.principal, "researcher", "researcher@watch.example");
      viewerToken = (await createApiToken(services, FROM, viewerSession.principal, { name: "script", scopes: ["read"] })).token;
      partnerToken = (await createApiToken(services, FROM, partnerSession.principal, { name: "script", scopes: ["read"] })).token;
      const other = await addOrganisation(services, "elsewhere");
      outsiderToken = (await createApiToken(services, FROM, (await sessionFor(services, other.adminEmail)).principal, { name: "script", scopes: ["read"] })).token;
      const company = async (name: string) => (await createEntity(services, FROM, admin, { schema: "Company", properties: { name: [name], country: ["cn"] } })).id;
      ids.source = (await createEntity(services, FROM, admin, { schema: "Source", properties: { name: ["Procurement notice 2018-44"] } })).id;
      ids.registered = await company("Tianshan Vision Technology Co., Ltd.");
      ids.holding = await company("Aksu Textile Holdings");
      ids.supplier = await company("Kashgar Cotton Trading");
      await createEntity(services, FROM, admin, { schema: "Ownership", properties: { owner: [ids.registered], asset: [ids.holding], percentage: ["60"] } });
      await createEntity(services, FROM, admin, { schema: "Ownership", properties: { owner: [ids.holding], asset: [ids.supplier], percentage: ["100"] } });
      await createEntity(services, FROM, admin, { schema: "Directorship", properties: { director: [ids.registered], organization: [ids.supplier], role: ["board"] } });
      ids.finding = (await recordComplicity(services, FROM, admin, { organization: ids.registered, complicityType: "surveillance-technology", source: ids.source })).id;
    });
    after(async () => {
      await services.close();
    });

    it("shows the registry with its filters, and the organisation's panel on its record page", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const page = await client.get("/complicity?type=surveillance-technology&country=cn");
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Tianshan Vision Technology/);
      assert.match(html, /Surveillance technology/);
      assert.match(html, /Procurement notice 2018-44/);
      assert.doesNotMatch(await (await client.get("/complicity?type=financing")).text(), /Tianshan Vision Technology/);
      const record = await (await client.get(`/records/${ids.registered}`)).text();
      assert.match(record, /id="complicity"/);
      assert.match(record, new RegExp(`/complicity/graph/${ids.registered}`));
      assert.doesNotMatch(record, /complicity\/new/, "a viewer is not offered to record a finding");
      const ug = await (await client.get("/complicity", { "accept-language": "ug" })).text();
      assert.ok(ug.length > 0);
    });

    it("draws the ownership graph as SVG links that recentre it, with the text list beside", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const res = await client.get(`/complicity/graph/${ids.registered}?depth=2`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<svg[^>]*class="ownership-graph"/);
      assert.match(html, new RegExp(`<a href="/complicity/graph/${ids.supplier}\\?depth=2"`));
      assert.match(html, /owns 60% of/);
      assert.match(html, /stroke-dasharray="6 4"/, "the directorship is drawn dashed");
      assert.match(html, /in the complicity registry/);
      const bad = await client.get(`/complicity/graph/${ids.registered}?depth=12`);
      assert.equal(bad.status, 422);
    });

    it("lets a researcher record a finding from the form, and refuses a viewer", async () => {
      const researcher = Client.for(services);
      await researcher.signIn("researcher@watch.example");
      const form = await researcher.get(`/complicity/new?organization=${ids.holding}`);
      assert.equal(form.status, 200);
      const done = await researcher.post(`/complicity/new?organization=${ids.holding}`, { _csrf: csrfFrom(await form.text()), complicityType: "forced-labour-supply-chain", startDate: "2018", source: ids.source, sensitivity: "internal" });
      assert.equal(done.status, 303);
      const wrong = await researcher.post(`/complicity/new?organization=${ids.holding}`, { _csrf: csrfFrom(await (await researcher.get(`/complicity/new?organization=${ids.holding}`)).text()), complicityType: "", startDate: "not a date" });
      assert.equal(wrong.status, 422);
      const viewerClient = Client.for(services);
      await viewerClient.signIn("viewer@watch.example");
      assert.equal((await viewerClient.get(`/complicity/new?organization=${ids.holding}`)).status, 403);
    });

    it("uploads a supplier list as multipart, shows the two-hop path and downloads the CSV report", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const csrf = csrfFrom(await (await client.get("/suppliers")).text());
      const upload = (path: string, file: Blob, fields: Record<string, string> = {}) => {
        const form = new FormData();
        form.append("file", file, "suppliers.csv");
        for (const [k, v] of Object.entries({ hops: "3", ...fields })) form.append(k, v);
        return client.request(`${path}?_csrf=${encodeURIComponent(csrf)}`, { method: "POST", body: form, headers: { origin: "http://vigil.test" } });
      };
      const page = await upload("/suppliers", new Blob([SUPPLIERS], { type: "text/csv" }));
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /2 suppliers screened, 1 flagged/);
      assert.match(html, /owned 100% by/);
      assert.match(html, /owned 60% by/);
      assert.match(html, new RegExp(`/records/${ids.finding}`));
      const download = await upload("/suppliers/report.csv", new Blob([SUPPLIERS], { type: "text/csv" }));
      assert.equal(download.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.equal(await download.text(), supplierReportCsv(await screenSuppliers(services, FROM, viewer, SUPPLIERS)));
      const latin1 = await upload("/suppliers", new Blob([Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x0a])], { type: "text/csv" }));
      assert.equal(latin1.status, 422);
      assert.match(await latin1.text(), /not UTF-8/);
    });

    it("screens over the API as JSON or CSV, refusing a partner, a wrong media type and bad options", async () => {
      const client = Client.for(services);
      const api = (token: string, body: string, query = "", headers: Record<string, string> = {}) =>
        client.request(`/api/v1/suppliers/screen${query}`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": "text/csv", ...headers } });
      const json = await api(viewerToken, SUPPLIERS, "?hops=2");
      assert.equal(json.status, 200);
      const report = (await json.json()) as { flagged: number; findings: { hops: number; path: { id: string }[] }[] };
      assert.equal(report.flagged, 1);
      assert.ok(report.findings.some((f) => f.hops === 2 && f.path.map((p) => p.id).join() === [ids.supplier, ids.holding, ids.registered].join()));
      const csv = await api(viewerToken, SUPPLIERS, "", { accept: "text/csv" });
      assert.match(await csv.text(), /^line,supplier,address/);
      assert.equal((await api(partnerToken, SUPPLIERS)).status, 403);
      assert.equal((await api(viewerToken, SUPPLIERS, "", { "content-type": "application/json" })).status, 415);
      const hops = await api(viewerToken, SUPPLIERS, "?hops=9");
      assert.equal(hops.status, 422);
      assert.equal(hops.headers.get("content-type"), "application/problem+json");
      const outsider = (await (await api(outsiderToken, SUPPLIERS)).json()) as { findings: unknown[] };
      assert.deepEqual(outsider.findings, []);
      const registry = await client.request("/api/v1/complicity?country=cn", { headers: { authorization: `Bearer ${viewerToken}` } });
      assert.equal(((await registry.json()) as { items: { organization: { id: string } }[] }).items.some((i) => i.organization.id === ids.registered), true);
      const graph = await client.request(`/api/v1/complicity/graph/${ids.supplier}?depth=2`, { headers: { authorization: `Bearer ${viewerToken}` } });
      const body = (await graph.json()) as { links: { kind: string }[] };
      assert.deepEqual(body.links.map((l) => l.kind).sort(), ["directorship", "ownership", "ownership"]);
      assert.equal((await client.request(`/api/v1/complicity/graph/${ids.supplier}`, { headers: { authorization: `Bearer ${outsiderToken}` } })).status, 404);
      assert.equal((await client.request("/api/v1/complicity", { headers: { authorization: `Bearer ${partnerToken}` } })).status, 403);
    });

    it("screens from the command line: the report on stdout, rejected rows and the summary on stderr", async () => {
      const result = await runInProcess(services, ["suppliers", "screen", "suppliers.csv", "--hops", "2", "--org", "watch"], `${SUPPLIERS}"Broken,cn\n`);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stdout, /Kashgar Cotton Trading → owned 100% by Aksu Textile Holdings → owned 60% by Tianshan Vision Technology/);
      assert.match(result.stderr, /line 4: /);
      assert.match(result.stderr, /2 suppliers screened, 1 flagged, 1 rows rejected/);
      assert.match(suppliersScreenCommand.check!({ file: "x.csv", hops: "8" }) ?? "", /--hops/);
      assert.match(suppliersScreenCommand.check!({}) ?? "", /name the supplier list/);
      const empty = await runInProcess(services, ["suppliers", "screen", "empty.csv", "--org", "watch"], "");
      assert.equal(empty.exitCode, 1);
      assert.match(empty.stderr, /the file is empty/);
      const garbled = await runInProcess(services, ["suppliers", "screen", "x.csv"], "name\nM\uFFFDller\n");
      assert.match(garbled.stderr, /not UTF-8/);
    });
  });
}
