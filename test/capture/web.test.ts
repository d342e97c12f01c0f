import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_ORIGIN } from "../../src/context.ts";
import { operatorCaller, sealVault, unsealVault } from "../../src/evidence/index.ts";
import { createEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { makeKeys, PASSPHRASE, tempDir } from "../evidence/helpers.ts";
import { PAGE_TITLE, startSite, type Site } from "./site.ts";

interface CaptureJson {
  id: string;
  source: string;
  createdSource: boolean;
  status: number;
  artifacts: { role: string; id: string; mediaType: string; ledgerIndex: number }[];
}

for (const target of databaseTargets()) {
  describe(`web capture and record evidence over HTTP on ${target.name}`, () => {
    let services: TestServices;
    let site: Site;
    let orgId: string;
    let admin: Client;
    let editor: Client;
    let viewer: Client;
    let editorToken: string;

    async function tokenOf(client: Client): Promise<string> {
      return csrfFrom(await (await client.get("/account")).text());
    }

    function json(client: Client, token: string, path: string, body: unknown) {
      return client.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", origin: "http://vigil.test", "x-csrf-token": token } });
    }

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir("vigil-capture-web-") });
      site = await startSite();
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      await makeKeys(services, orgId);
      const { principal } = await sessionFor(services, org.adminEmail);
      await addMember(services, principal, "editor", "editor@watch.example");
      await addMember(services, principal, "viewer", "viewer@watch.example");
      admin = Client.for(services);
      await admin.signIn(org.adminEmail);
      editor = Client.for(services);
      await editor.signIn("editor@watch.example");
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      editorToken = await tokenOf(editor);
    });
    after(async () => {
      await site.close();
      await services.close();
    });

    it("refuses a local page by default over the API, as problem+json", async () => {
      const res = await json(editor, editorToken, "/api/v1/captures", { url: site.url("/page") });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      const problem = (await res.json()) as { type: string; detail: string };
      assert.equal(problem.type, "urn:vigil:problem:capture-refused");
      assert.match(problem.detail, /loopback address/);
    });

    it("lets an administrator allow private addresses, on the page and over the API, and nobody else", async () => {
      assert.equal((await editor.get("/admin/capture")).status, 403);
      assert.equal((await json(editor, editorToken, "/api/v1/captures/settings", { allowPrivateAddresses: true })).status, 403);
      const page = await admin.get("/admin/capture");
      assert.equal(page.status, 200);
      const saved = await admin.submit("/admin/capture", "/admin/capture", { allowPrivateAddresses: "on" });
      assert.equal(saved.status, 303);
      const read = (await (await editor.get("/api/v1/captures/settings")).json()) as { allowPrivateAddresses: boolean };
      assert.equal(read.allowPrivateAddresses, true);
      const audit = await services.db.selectFrom("audit_events").select("details").where("action", "=", "capture.configure").where("outcome", "=", "ok").execute();
      assert.equal(audit.length, 1);
    });

    it("captures from the form, then shows the capture with its Source's evidence", async () => {
      const form = await editor.get("/captures/new");
      assert.equal(form.status, 200);
      assert.match(await form.text(), /<input id="f-url" name="url" type="url"/);
      const res = await editor.submit("/captures/new", "/captures", { url: site.url("/start") });
      assert.equal(res.status, 303);
      const location = res.headers.get("location")!;
      assert.match(location, /^\/captures\/[0-9a-f-]{36}\?done=captured$/);
      const page = await editor.get(location);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(html.includes(PAGE_TITLE), "the Source is named after the page");
      for (const role of ["Web archive (WARC)", "Screenshot", "Rendered HTML", "Text of the page"]) assert.ok(html.includes(role), role);
      assert.ok(html.includes("application/warc"));
      assert.match(html, /<img src="\/evidence\/[0-9a-f-]{36}\/preview"/, "the screenshot is previewed");
      assert.match(html, /<code class="url">http:\/\/127\.0\.0\.1:\d+\/start<\/code>/, "the capture's address, from the decrypted metadata");
      assert.ok(html.includes("X-Witness-Header"), "the page's response headers");
      assert.match(html, /<code>captured<\/code>/, "the custody history");
    });

    it("captures over the API for a named Source, and answers with the files", async () => {
      const { principal } = await sessionFor(services, "editor@watch.example");
      const source = await createEntity(services, NO_ORIGIN, principal.actor, { schema: "Source", properties: { name: ["Witness blog"] } });
      const res = await json(editor, editorToken, "/api/v1/captures", { url: site.url("/page"), source: source.id });
      assert.equal(res.status, 201);
      const body = (await res.json()) as CaptureJson;
      assert.equal(body.source, source.id);
      assert.equal(body.createdSource, false);
      assert.deepEqual(body.artifacts.map((a) => a.role), ["warc", "screenshot", "html", "text"]);
      assert.equal(res.headers.get("location"), `/api/v1/captures/${body.id}`);
      const again = (await (await editor.get(`/api/v1/captures/${body.id}`)).json()) as { sourceId: string; artifacts: unknown[] };
      assert.equal(again.sourceId, source.id);
      const listed = (await (await viewer.get(`/api/v1/entities/${source.id}/evidence`)).json()) as { items: { evidence: { id: string } }[] };
      assert.equal(listed.items.length, 4);
      // The form for that Source names it and carries it.
      const form = await (await editor.get(`/captures/new?source=${source.id}`)).text();
      assert.match(form, new RegExp(`name="source" value="${source.id}"`));
    });

    it("tells a person in their language why a capture was refused", async () => {
      const res = await editor.submit("/captures/new", "/captures", { url: "file:///etc/passwd" }, { "accept-language": "zh-Hans" });
      assert.equal(res.status, 422);
      assert.ok((await res.text()).includes("只能抓取 http 和 https 网页。"));
      const redirect = await editor.submit("/captures/new", "/captures", { url: site.url("/to-metadata") });
      assert.equal(redirect.status, 422);
      assert.ok((await redirect.text()).includes("which is a cloud metadata service: captures may not reach it. Nothing was kept."));
    });

    it("refuses viewers the form and the API", async () => {
      assert.equal((await viewer.get("/captures/new")).status, 403);
      assert.equal((await json(viewer, await tokenOf(viewer), "/api/v1/captures", { url: site.url("/page") })).status, 403);
    });

    it("uploads straight onto a record, links and withdraws over the API", async () => {
      const { principal } = await sessionFor(services, "editor@watch.example");
      const incident = await createEntity(services, NO_ORIGIN, principal.actor, { schema: "Incident", properties: { name: ["Arrests at the bazaar"] } });
      const up = await editor.request(`/api/v1/entities/${incident.id}/evidence`, {
        method: "POST",
        body: Buffer.from("a list of the men taken away\n"),
        headers: { "content-type": "application/octet-stream", "x-filename": "list.txt", origin: "http://vigil.test", "x-csrf-token": editorToken },
      });
      assert.equal(up.status, 201);
      const made = (await up.json()) as { id: string; link: { id: string; entity: string; reason: string } };
      assert.equal(made.link.entity, incident.id);
      const refused = await viewer.request(`/api/v1/entities/${incident.id}/evidence`, {
        method: "POST",
        body: Buffer.from("x"),
        headers: { "content-type": "application/octet-stream", "x-filename": "x.txt", origin: "http://vigil.test", "x-csrf-token": await tokenOf(viewer) },
      });
      assert.equal(refused.status, 403);

      const links = (await (await editor.get(`/api/v1/evidence/${made.id}/links`)).json()) as { links: { id: string; schema: string }[] };
      assert.deepEqual(links.links.map((l) => l.schema), ["Incident"]);
      const bad = await json(editor, editorToken, `/api/v1/evidence-links/${made.link.id}/unlink`, {});
      assert.equal(bad.status, 422);
      const withdrawn = await json(editor, editorToken, `/api/v1/evidence-links/${made.link.id}/unlink`, { reason: "wrong incident" });
      assert.equal(withdrawn.status, 200);
      assert.equal(((await withdrawn.json()) as { unlinked: { reason: string } }).unlinked.reason, "wrong incident");
      const relinked = await json(editor, editorToken, `/api/v1/entities/${incident.id}/evidence-links`, { evidence: made.id, reason: "the right incident after all" });
      assert.equal(relinked.status, 201);
      const all = (await (await editor.get(`/api/v1/entities/${incident.id}/evidence?withdrawn=include`)).json()) as { items: unknown[] };
      assert.equal(all.items.length, 2);
    });

    it("links from the evidence page, and says on a page of its own when it cannot", async () => {
      const { principal } = await sessionFor(services, "editor@watch.example");
      const person = await createEntity(services, NO_ORIGIN, principal.actor, { schema: "Person", properties: { name: ["Rahile Dawut"] } });
      const upload = await editor.request("/api/v1/evidence", {
        method: "POST",
        body: Buffer.from("a letter from prison\n"),
        headers: { "content-type": "application/octet-stream", "x-filename": "letter.txt", origin: "http://vigil.test", "x-csrf-token": editorToken },
      });
      const { id } = (await upload.json()) as { id: string };
      const page = await editor.get(`/evidence/${id}`);
      assert.match(await page.text(), /action="\/evidence\/links"/);
      const linked = await editor.submit(`/evidence/${id}`, "/evidence/links", { evidence: id, entity: person.id, reason: "her letter", back: `/evidence/${id}` });
      assert.equal(linked.status, 303);
      assert.equal(linked.headers.get("location"), `/evidence/${id}`);
      assert.ok((await (await editor.get(`/evidence/${id}`)).text()).includes("Rahile Dawut"));
      const twice = await editor.submit(`/evidence/${id}`, "/evidence/links", { evidence: id, entity: person.id, reason: "again", back: "//elsewhere.example/" });
      assert.equal(twice.status, 409);
      const text = await twice.text();
      assert.ok(text.includes("this evidence is already linked to the record"));
      assert.ok(text.includes('href="/"'), "an outside return address is not followed");
    });

    it("refuses downloads while sealed, and says so on the panel", async () => {
      const captured = (await (await json(editor, editorToken, "/api/v1/captures", { url: site.url("/page") })).json()) as CaptureJson;
      await sealVault(services, NO_ORIGIN, operatorCaller(orgId));
      try {
        const page = await (await editor.get(`/captures/${captured.id}`)).text();
        assert.ok(page.includes("Download is not possible while the vault is sealed"));
        assert.doesNotMatch(page, /class="button download"/);
        const download = await editor.get(`/evidence/${captured.artifacts[0]!.id}/download`);
        assert.equal(download.status, 503);
      } finally {
        await unsealVault(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: PASSPHRASE });
      }
    });
  });
}
