import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";

for (const target of databaseTargets()) {
  describe(`urgent action pages and API on ${target.name}`, () => {
    let services: TestServices;
    let editor: Client;
    let viewer: Client;
    let partner: Client;
    let admin: Client;
    let detentionId = "";

    async function json(client: Client, method: string, path: string, body?: unknown): Promise<Response> {
      const token = csrfFrom(await (await client.get("/account")).text());
      return client.request(path, { method, headers: { "x-csrf-token": token, origin: "http://vigil.test", ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    }

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      const editorMember = await addMember(services, adminSession.principal, "editor", "editor@watch.example");
      await addMember(services, adminSession.principal, "viewer", "viewer@watch.example");
      await addMember(services, adminSession.principal, "partner", "partner@watch.example");
      const as = editorMember.principal.actor;
      const person = await createEntity(services, NO_ORIGIN, as, { schema: "Person", properties: { name: ["Gulshan <b>Abbas</b>", { value: "گۈلشەن ئابباس", lang: "ug" }, { value: "古丽仙·阿巴斯", lang: "zh" }] } });
      detentionId = (await createEntity(services, NO_ORIGIN, as, { schema: "Detention", properties: { person: [person.id], startDate: ["2018-09-11"] } })).id;
      for (const [email, set] of [
        ["editor@watch.example", (c: Client) => (editor = c)],
        ["viewer@watch.example", (c: Client) => (viewer = c)],
        ["partner@watch.example", (c: Client) => (partner = c)],
        [org.adminEmail, (c: Client) => (admin = c)],
      ] as const) {
        const client = Client.for(services);
        await client.signIn(email);
        set(client);
      }
    });
    after(async () => {
      await services.close();
    });

    it("walks from the detention's page to a generated urgent action, its printable page, email draft and log, without scripts", async () => {
      const added = await editor.submit("/urgent-actions/addressees", "/urgent-actions/addressees", { name: "Chen Quanguo", title: "Former Party Secretary", email: "chen@example.org", language: "en", postalAddress: "Urumqi" });
      assert.equal(added.status, 303);
      const addresseeId = /\/urgent-actions\/addressees\/([0-9a-f-]{36})/.exec(await (await editor.get("/urgent-actions/addressees")).text())![1]!;
      const record = await (await editor.get(`/records/${detentionId}`)).text();
      assert.match(record, new RegExp(`href="/urgent-actions/new/${detentionId}"`));
      assert.doesNotMatch(await (await viewer.get(`/records/${detentionId}`)).text(), /urgent-actions\/new/, "a viewer is not offered to generate one");

      const bad = await editor.submit(`/urgent-actions/new/${detentionId}`, `/urgent-actions/new/${detentionId}`, { language: "ug", addressees: "00000000-0000-4000-8000-000000000000" });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /no such addressee/);

      const made = await editor.submit(`/urgent-actions/new/${detentionId}`, `/urgent-actions/new/${detentionId}`, { language: "ug", addressees: addresseeId, requests: "{{person}} نى قويۇپ بېرىڭ." });
      assert.equal(made.status, 303);
      const location = made.headers.get("location")!;
      const id = /\/urgent-actions\/([0-9a-f-]{36})/.exec(location)![1]!;
      const page = await (await viewer.get(`/urgent-actions/${id}`)).text();
      assert.match(page, /<article class="ua-document" lang="ug" dir="rtl">/);
      assert.match(page, /گۈلشەن ئابباس نى قويۇپ بېرىڭ\./);
      assert.match(page, new RegExp(`href="/api/v1/urgent-actions/${id}/pdf"`));
      assert.doesNotMatch(page, /<b>Abbas<\/b>/, "a hostile name is escaped on the page");
      assert.doesNotMatch(page, /action="\/urgent-actions\/[^"]*\/events"/, "a viewer gets no tracking forms");

      const print = await viewer.get(`/urgent-actions/${id}/print`);
      assert.equal(print.status, 200);
      const printed = await print.text();
      assert.match(printed, /<link rel="stylesheet" href="\/static\/urgent.css">/);
      assert.match(printed, /<html lang="ug" dir="rtl">/);
      assert.match(printed, /&lt;b&gt;/);
      assert.doesNotMatch(printed, /<b>/, "the hostile alias is escaped in the printable page");
      assert.match(printed, /<bdi dir="ltr">2018-09-11<\/bdi>/, "a date keeps its order in a right-to-left document");

      const eml = await viewer.get(`/api/v1/urgent-actions/${id}/email`);
      assert.equal(eml.status, 200);
      assert.equal(eml.headers.get("content-type"), "message/rfc822");
      assert.match(eml.headers.get("content-disposition") ?? "", /^attachment; filename="UA-[0-9A-F]{8}-v1\.eml"$/);
      assert.match(await eml.text(), /^To: chen@example\.org$/m);

      const sent = await editor.submit(`/urgent-actions/${id}`, `/urgent-actions/${id}/events`, { kind: "sent", addressee: addresseeId, channel: "email", date: "2026-05-20", summary: "" });
      assert.equal(sent.status, 303);
      const future = await editor.submit(`/urgent-actions/${id}`, `/urgent-actions/${id}/events`, { kind: "response", date: "2030-01-01", summary: "no" });
      assert.equal(future.status, 422);
      const after = await (await viewer.get(`/urgent-actions/${id}`)).text();
      assert.match(after, /Chen Quanguo/);
      assert.match(after, /2026-05-20/);

      const regenerated = await editor.submit(`/urgent-actions/${id}`, `/urgent-actions/${id}/regenerate`, { language: "zh", addressees: addresseeId });
      assert.equal(regenerated.status, 303);
      const v2 = await (await viewer.get(regenerated.headers.get("location")!)).text();
      assert.match(v2, /古丽仙·阿巴斯/);
      assert.match(await (await viewer.get(`/urgent-actions/${id}?version=1`)).text(), /گۈلشەن ئابباس/);

      assert.equal((await partner.get(`/urgent-actions/${id}`)).status, 403);
      assert.equal((await partner.get(`/api/v1/urgent-actions/${id}/pdf`)).status, 403);
    });

    it("answers the API with problem+json for bad input and the caller's rights", async () => {
      const refused = await json(viewer, "POST", "/api/v1/urgent-actions", { detention: detentionId, language: "en" });
      assert.equal(refused.status, 403);
      const bad = await json(editor, "POST", "/api/v1/urgent-actions", { detention: detentionId, language: "en", includeRestricted: "yes" });
      assert.equal(bad.status, 422);
      assert.equal(bad.headers.get("content-type"), "application/problem+json");
      assert.ok("includeRestricted" in ((await bad.json()) as { errors: Record<string, string> }).errors);
      const created = await json(editor, "POST", "/api/v1/urgent-actions", { detention: detentionId, language: "en" });
      assert.equal(created.status, 201);
      const action = (await created.json()) as { id: string; version: { document: { subject: string }; mailto: string | null } };
      assert.equal(action.version.document.subject, "Urgent Action: Gulshan <b>Abbas</b>");
      assert.equal(created.headers.get("location"), `/api/v1/urgent-actions/${action.id}`);
      const list = (await (await viewer.get(`/api/v1/urgent-actions?detention=${detentionId}`)).json()) as { items: { id: string }[] };
      assert.ok(list.items.some((i) => i.id === action.id));
      const tracked = await json(editor, "POST", `/api/v1/urgent-actions/${action.id}/events`, { kind: "status", status: "closed" });
      assert.equal(tracked.status, 201);
      assert.equal(((await tracked.json()) as { status: string }).status, "closed");
      assert.equal((await json(editor, "POST", `/api/v1/urgent-actions/${action.id}/versions`, { language: "en" })).status, 409);

      const template = await json(admin, "POST", "/api/v1/urgent-templates/zh", { subject: "紧急：{{person}}", body: "{{person}}\n\n{{requests}}", requests: ["释放{{person}}"], reason: "简短版", baseVersion: 0 });
      assert.equal(template.status, 201);
      assert.equal((await json(editor, "POST", "/api/v1/urgent-templates/zh", { subject: "x", body: "x", reason: "x", baseVersion: 1 })).status, 403);
      const history = (await (await viewer.get("/api/v1/urgent-templates/zh/history")).json()) as { items: { version: number; reason: string }[] };
      assert.deepEqual(history.items.map((h) => [h.version, h.reason]), [[1, "简短版"]]);
      const patched = await json(editor, "POST", "/api/v1/urgent-addressees", { name: "Prison director", language: "ug" });
      const addressee = (await patched.json()) as { id: string };
      const changed = await json(editor, "PATCH", `/api/v1/urgent-addressees/${addressee.id}`, { fax: "+86 991 000" });
      assert.equal(changed.status, 200);
      assert.deepEqual(((await changed.json()) as { name: string; fax: string }).fax, "+86 991 000");
    });

    it("makes the PDF through the API, and answers 503 with a problem when there is no browser", { timeout: 120_000 }, async () => {
      const created = await json(editor, "POST", "/api/v1/urgent-actions", { detention: detentionId, language: "zh" });
      const { id } = (await created.json()) as { id: string };
      const res = await viewer.get(`/api/v1/urgent-actions/${id}/pdf`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      const pdf = Buffer.from(await res.arrayBuffer());
      assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.ok(containsText(pdfText(pdf), "古丽仙·阿巴斯"));

      const noBrowser = new Client(createApp({ ...services, config: { ...services.config, chromiumPath: "/nonexistent/chromium" } }));
      noBrowser.cookies = new Map(viewer.cookies);
      const unavailable = await noBrowser.get(`/api/v1/urgent-actions/${id}/pdf`);
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers.get("content-type"), "application/problem+json");
      const problem = (await unavailable.json()) as { type: string; detail: string };
      assert.equal(problem.type, "urn:vigil:problem:pdf-unavailable");
      assert.match(problem.detail, /printable page/);
      assert.equal((await noBrowser.get(`/urgent-actions/${id}/print`)).status, 200, "the printable page still works");
    });
  });
}
