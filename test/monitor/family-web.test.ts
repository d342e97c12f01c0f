import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";

const LANGUAGES = [
  { locale: "en", dir: "ltr", title: "Contact the organisation about a missing relative", send: "Send to the organisation" },
  { locale: "ug", dir: "rtl", title: "يوقاپ كەتكەن تۇغقىنىڭىز توغرىسىدا تەشكىلات بىلەن ئالاقىلىشىڭ", send: "تەشكىلاتقا ئەۋەتىش" },
  { locale: "zh-Hans", dir: "ltr", title: "就失踪亲人与组织联系", send: "发送给组织" },
] as const;

function codeFrom(html: string): string {
  const code = /<code>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})<\/code>/.exec(html)?.[1];
  if (!code) throw new Error("no code on the page");
  return code;
}

function linkFrom(html: string): string {
  const link = /href="(\/family\/c\/[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
  if (!link) throw new Error("no family link on the page");
  return link;
}

/** A family member's browser: its own cookies, its own address (Tor exits change; each test gets one). */
let address = 0;
function familyBrowser(services: TestServices, locale: string): Client {
  const client = Client.for(services);
  client.cookies.set("vigil_lang", locale);
  address++;
  const request = client.request.bind(client);
  client.request = (path, init = {}) => request(path, { ...init, headers: { "x-forwarded-for": `192.0.2.${address}`, ...(init.headers ?? {}) } });
  return client;
}

for (const target of databaseTargets()) {
  describe(`family pages on ${target.name}`, () => {
    let services: TestServices;
    let adminEmail: string;
    const logLines: string[] = [];

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir("vigil-family-web-"), trustProxy: true });
      services.log = pino({ level: "info" }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString("utf8")); done(); } }));
      const org = await setUpOrganisation(services);
      adminEmail = org.adminEmail;
      const admin = await sessionFor(services, org.adminEmail);
      await addMember(services, admin.principal, "editor", "editor@watch.example");
      await addMember(services, admin.principal, "viewer", "viewer@watch.example");
      await makeKeys(services, org.orgId);
    });
    after(async () => {
      await services.close();
    });

    for (const lang of LANGUAGES) {
      it(`serves the code page in ${lang.locale}, as plain HTML with a form token and no script needed`, async () => {
        const family = familyBrowser(services, lang.locale);
        const res = await family.get("/family");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.match(res.headers.get("x-robots-tag") ?? "", /noindex/);
        const html = await res.text();
        assert.match(html, new RegExp(`<html lang="${lang.locale}" dir="${lang.dir}">`));
        assert.ok(html.includes(lang.title));
        assert.match(html, /<form method="post" action="\/family"/);
        assert.match(html, /name="_csrf" value="[^"]+"/);
        assert.doesNotMatch(html, /family\.(public|staff|messages)\./, "every string is translated");
      });
    }

    it("walks the whole path without JavaScript: code, link, report, triage, update, approval, in Uyghur", async () => {
      const editor = Client.for(services);
      await editor.signIn("editor@watch.example");
      const created = await editor.submit("/monitor/families", "/monitor/families", { personId: "", detentionId: "" });
      assert.equal(created.status, 201);
      const code = codeFrom(await created.text());

      const family = familyBrowser(services, "ug");
      const redeemed = await family.submit("/family", "/family", { code });
      assert.equal(redeemed.status, 200);
      const redeemedHtml = await redeemed.text();
      const link = linkFrom(redeemedHtml);
      assert.ok(redeemedHtml.includes("تەشكىلاتقا ئەۋەتىش"), "the report form, in Uyghur, right after the code");
      // The same code again: the answer a wrong code gets.
      const again = await family.submit("/family", "/family", { code });
      const wrong = await family.submit("/family", "/family", { code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ" });
      assert.equal(again.status, 422);
      assert.equal(wrong.status, 422);
      const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, "");
      assert.equal(strip(await again.text()), strip(await wrong.text()));

      const missing = await family.submit(link, `${link}/report`, { names: "" });
      assert.equal(missing.status, 422);
      const sent = await family.submit(link, `${link}/report`, { names: "ئابدۇرېھىم ھېيىت\nAbdurehim Heyit", lastSeenPlace: "ئۈرۈمچى", circumstances: "كېچىدە ئۆيىدىن ئېلىپ كېتىلدى." });
      assert.equal(sent.status, 303);
      assert.equal(sent.headers.get("location"), `${link}?sent=1`);
      const page = await (await family.get(`${link}?sent=1`)).text();
      assert.ok(page.includes("رەھمەت. دوكلاتىڭىزنى تاپشۇرۇۋالدۇق."));
      assert.match(page, /<html lang="ug" dir="rtl">/);
      // The language links lead back to /family: the secret travels in no other URL.
      assert.match(page, /href="\/language\/en\?back=%2Ffamily"/);
      assert.ok(!page.includes(encodeURIComponent(link)));

      // The viewer sees the case but not the queue.
      const viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      assert.equal((await viewer.get("/monitor/families")).status, 200);
      assert.equal((await viewer.get("/monitor/families/reports")).status, 403);

      const queue = await (await editor.get("/monitor/families/reports")).text();
      const untranslated = /family\.(public|staff|messages)\./;
      assert.doesNotMatch(queue, untranslated);
      assert.ok(queue.includes("ئابدۇرېھىم ھېيىت"));
      const reportId = /action="\/monitor\/families\/reports\/([0-9a-f-]{36})\/accept"/.exec(queue)![1]!;
      const accepted = await editor.submit("/monitor/families/reports", `/monitor/families/reports/${reportId}/accept`, { personId: "", detentionId: "", startDate: "2017-04", restricted: "yes" });
      assert.equal(accepted.status, 303);
      const done = await (await editor.get("/monitor/families/reports?state=accepted")).text();
      assert.match(done, /href="\/records\/[0-9a-f-]{36}"/);

      const caseId = /href="\/monitor\/families\/([0-9a-f-]{36})"/.exec(await (await editor.get("/monitor/families")).text())![1]!;
      const written = await editor.submit(`/monitor/families/${caseId}`, `/monitor/families/${caseId}/updates`, { body: "ئۇنىڭ ئاقسۇدا ئىكەنلىكىنى ئاڭلىدۇق." });
      assert.equal(written.status, 303);
      assert.ok(!(await (await family.get(link)).text()).includes("ئاقسۇدا"), "not shown before approval");
      const casePage = await (await editor.get(`/monitor/families/${caseId}`)).text();
      const updateId = /action="\/monitor\/families\/updates\/([0-9a-f-]{36})\/approve"/.exec(casePage)![1]!;
      assert.doesNotMatch(casePage, untranslated);
      assert.doesNotMatch(done, untranslated);
      // The writer cannot approve their own update while the organisation has a second editor.
      assert.equal((await editor.submit(`/monitor/families/${caseId}`, `/monitor/families/updates/${updateId}/approve`, {})).status, 403);
      const admin = Client.for(services);
      await admin.signIn(adminEmail);
      assert.equal((await admin.submit(`/monitor/families/${caseId}`, `/monitor/families/updates/${updateId}/approve`, {})).status, 303);
      const shown = await (await family.get(link)).text();
      assert.ok(shown.includes("ئۇنىڭ ئاقسۇدا ئىكەنلىكىنى ئاڭلىدۇق."));
      assert.ok(!shown.includes("/records/"), "nothing of the records on the family's page");

      // Revoked: the link is gone.
      assert.equal((await editor.submit(`/monitor/families/${caseId}`, `/monitor/families/${caseId}/revoke`, {})).status, 303);
      assert.equal((await family.get(link)).status, 404);

      // Neither the code nor the link secret reached a log line.
      const logs = logLines.join("");
      assert.ok(logs.includes("/family/c/:secret"), "requests were logged, by route pattern");
      assert.ok(!logs.includes(code) && !logs.includes(code.replace(/-/g, "")), "no code in the logs");
      assert.ok(!logs.includes(link.slice("/family/c/".length)), "no link secret in the logs");
    });

    it("throttles an address that guesses codes, with Retry-After, in the caller's language", async () => {
      const family = familyBrowser(services, "zh-Hans");
      let last: Response | null = null;
      for (let i = 0; i < 6; i++) last = await family.submit("/family", "/family", { code: `AAAA-BBBB-CCCC-DDDD-EEE${i}` });
      assert.equal(last!.status, 429);
      assert.ok(Number(last!.headers.get("retry-after")) > 0);
      assert.match(await last!.text(), /lang="zh-Hans"/);
    });

    it("refuses a report posted without the page's form token", async () => {
      const family = familyBrowser(services, "en");
      const res = await family.post("/family", { code: "AAAA-BBBB-CCCC-DDDD-EEEE" });
      assert.equal(res.status, 403);
    });
  });
}
