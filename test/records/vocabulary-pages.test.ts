import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

for (const target of databaseTargets()) {
  describe(`the vocabularies admin pages on ${target.name}`, () => {
    let services: TestServices;
    let admin: Client;
    let editor: Client;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const session = await sessionFor(services, org.adminEmail);
      await addMember(services, session.principal, "editor", "editor@watch.example");
      admin = Client.for(services);
      await admin.signIn(org.adminEmail);
      editor = Client.for(services);
      await editor.signIn("editor@watch.example");
    });
    after(async () => {
      await services.close();
    });

    it("lists the vocabularies and shows each term with its three labels in their own language and direction", async () => {
      const index = await admin.get("/admin/vocabularies");
      assert.equal(index.status, 200);
      const html = await index.text();
      assert.match(html, /<a href="\/admin\/vocabularies\/place-types">Place types<\/a>/);
      assert.match(html, /href="\/admin\/vocabularies"[^>]*>Vocabularies</, "the navigation links the page");
      const page = await (await admin.get("/admin/vocabularies/violation-types")).text();
      assert.match(page, /<input id="f-torture-ug" name="ug" type="text" value="قىيىن-قىستاق" lang="ug" dir="rtl"/);
      assert.match(page, /<input id="f-torture-zh-Hans" name="zh-Hans" type="text" value="酷刑" lang="zh-Hans" dir="ltr"/);
      assert.match(page, /<label for="f-torture-en">English label<\/label>/);
      assert.equal((page.match(/name="_csrf"/g) ?? []).length >= 2 * 21 + 1, true, "every form carries its token");
      assert.doesNotMatch(page, /<script(?! src="\/static\/vigil.js")/, "no inline script: the page works without JavaScript");
    });

    it("is translated: Uyghur right to left, and Chinese", async () => {
      await admin.get("/language/ug?back=/admin/vocabularies");
      const ug = await (await admin.get("/admin/vocabularies/place-types")).text();
      assert.match(ug, /<html lang="ug" dir="rtl">/);
      assert.match(ug, /<h1>جاي تۈرلىرى<\/h1>/);
      assert.match(ug, /تۈرمە/);
      await admin.get("/language/zh-Hans?back=/admin/vocabularies");
      const zh = await (await admin.get("/admin/vocabularies/place-types")).text();
      assert.match(zh, /<h1>地点类型<\/h1>/);
      assert.match(zh, /添加词条/);
      await admin.get("/language/en?back=/admin/vocabularies");
    });

    it("adds a term, keeps what was typed when the code is wrong, saves labels and retires and reinstates", async () => {
      const wrong = await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms", { code: "Salar People", en: "Salar", ug: "سالار", "zh-Hans": "撒拉族" });
      assert.equal(wrong.status, 422);
      const again = await wrong.text();
      assert.match(again, /lowercase letters, digits and hyphens, such as forced-labour/);
      assert.match(again, /value="Salar People"/);
      assert.match(again, /id="f-new-ug" name="ug" type="text" value="سالار"/);

      const added = await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms", { code: "salar", en: "Salar", ug: "سالار", "zh-Hans": "撒拉族" });
      assert.equal(added.status, 303);
      assert.equal(added.headers.get("location"), "/admin/vocabularies/ethnicities?done=added");
      const shown = await (await admin.get("/admin/vocabularies/ethnicities?done=added")).text();
      assert.match(shown, /The term was added\./);
      assert.match(shown, /<code dir="ltr">salar<\/code> · in use · added by your organisation/);

      const emptied = await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms/salar", { en: "", ug: "سالار", "zh-Hans": "撒拉族" });
      assert.equal(emptied.status, 422);
      assert.match(await emptied.text(), /class="field-error" id="f-salar-en-error">is empty/);
      const saved = await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms/salar", { en: "Salar (Salır)", ug: "سالار", "zh-Hans": "" });
      assert.equal(saved.status, 303);
      const vocabulary = (await (await admin.get("/api/v1/vocabularies/ethnicities")).json()) as { terms: { code: string; labels: Record<string, string>; retired: boolean }[] };
      assert.deepEqual(vocabulary.terms.find((t) => t.code === "salar")?.labels, { en: "Salar (Salır)", ug: "سالار" });

      assert.equal((await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms/salar/retire", {})).status, 303);
      assert.match(await (await admin.get("/admin/vocabularies/ethnicities")).text(), /<code dir="ltr">salar<\/code> · retired/);
      assert.equal((await admin.submit("/admin/vocabularies/ethnicities", "/admin/vocabularies/ethnicities/terms/salar/reinstate", {})).status, 303);
      const audit = await services.db.selectFrom("audit_events").select("action").where("action", "like", "vocabulary.term.%").orderBy("id").execute();
      assert.deepEqual(audit.map((a) => a.action), ["vocabulary.term.add", "vocabulary.term.change", "vocabulary.term.retire", "vocabulary.term.reinstate"]);
    });

    it("refuses a form without its token, editors, and unknown vocabularies", async () => {
      const forged = await admin.post("/admin/vocabularies/ethnicities/terms", { code: "forged", en: "Forged" });
      assert.equal(forged.status, 403);
      assert.equal((await editor.get("/admin/vocabularies")).status, 403);
      assert.equal((await editor.get("/admin/vocabularies/ethnicities")).status, 403);
      assert.equal((await editor.submit("/account", "/admin/vocabularies/ethnicities/terms/uyghur/retire", {})).status, 403);
      assert.equal((await admin.get("/admin/vocabularies/colours")).status, 404);
      const terms = await services.db.selectFrom("vocabulary_terms").select("code").where("code", "in", ["forged", "uyghur"]).execute();
      assert.deepEqual(terms, []);
    });
  });
}
