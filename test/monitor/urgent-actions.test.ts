import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Principal } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../../src/core/index.ts";
import { createEntity, grantAccess } from "../../src/records/index.ts";
import {
  archiveAddressee, buildEmailDraft, createAddressee, documentHtml, documentText, generateUrgentAction, getTemplate, getUrgentAction, listAddressees, listUrgentActions,
  mailtoLink, PdfUnavailable, regenerateUrgentAction, renderPdf, saveTemplate, templateHistory, trackUrgentAction, updateAddressee,
} from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";

const FROM = NO_ORIGIN;

for (const target of databaseTargets()) {
  describe(`urgent actions on ${target.name}`, () => {
    let services: TestServices;
    let admin: Principal;
    let editor: Principal;
    let viewer: Principal;
    let viewerId = "";
    let partner: Principal;
    let researcher: Principal;
    let outsider: Principal;
    let detentionId = "";
    let hostileId = "";
    let restrictedId = "";
    let ministerId = "";
    let prosecutorId = "";

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir("vigil-urgent-") });
      const org = await setUpOrganisation(services);
      await makeKeys(services, org.orgId);
      admin = (await sessionFor(services, org.adminEmail)).principal;
      editor = (await addMember(services, admin, "editor", "editor@watch.example")).principal;
      const viewerMember = await addMember(services, admin, "viewer", "viewer@watch.example");
      viewer = viewerMember.principal;
      viewerId = viewerMember.userId;
      partner = (await addMember(services, admin, "partner", "partner@watch.example")).principal;
      researcher = (await addMember(services, admin, "researcher", "researcher@watch.example")).principal;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal;
      const as = editor.actor;
      const person = await createEntity(services, FROM, as, {
        schema: "Person",
        properties: {
          name: [
            { value: "Ilham Tohti", lang: "en" },
            { value: "ئىلھام توختى", lang: "ug" },
            { value: "伊力哈木·土赫提", lang: "zh" },
          ],
        },
      });
      const camp = await createEntity(services, FROM, as, { schema: "Address", properties: { name: ["Urumqi No. 1 Detention Centre"], placeType: ["detention-facility"] } });
      const prison = await createEntity(services, FROM, as, { schema: "Address", properties: { name: ["Xinjiang No. 1 Prison"], placeType: ["prison"] } });
      const bureau = await createEntity(services, FROM, as, { schema: "PublicBody", properties: { name: ["Urumqi Public Security Bureau"] } });
      // Restricted values are added by administrators (or those on a restricted record's list).
      const detention = await createEntity(services, FROM, admin.actor, {
        schema: "Detention",
        properties: {
          person: [person.id],
          facility: [camp.id],
          agency: [bureau.id],
          startDate: ["2014-01-15"],
          grounds: ["separatism"],
          // Where the family heard it from: need-to-know, never in a letter unless chosen.
          description: [{ value: "a cousin in Kashgar", sensitivity: "restricted" }],
        },
      });
      detentionId = detention.id;
      await createEntity(services, FROM, as, { schema: "CustodyStatus", properties: { detention: [detentionId], status: ["taken"], date: ["2014-01-15"] } });
      await createEntity(services, FROM, as, {
        schema: "CustodyStatus",
        properties: { detention: [detentionId], status: ["sentenced"], date: ["2014-09-23"], term: ["life imprisonment"], court: ["Urumqi Intermediate People's Court"], facility: [prison.id] },
      });
      await createEntity(services, FROM, as, { schema: "TreatmentReport", properties: { detention: [detentionId], treatment: ["denial-of-medical-care"], date: ["2019"] } });
      // Restricted: known from one witness, whose safety depends on it staying inside.
      await createEntity(services, FROM, admin.actor, { schema: "TreatmentReport", properties: { detention: [detentionId], treatment: [{ value: "torture", sensitivity: "restricted" }], date: ["2020"] } });

      const hostile = await createEntity(services, FROM, as, { schema: "Person", properties: { name: ['<script>alert("x")</script> & Co'] } });
      hostileId = (await createEntity(services, FROM, as, { schema: "Detention", properties: { person: [hostile.id], grounds: ["<img src=x onerror=alert(1)>"] } })).id;
      const secretPerson = await createEntity(services, FROM, as, { schema: "Person", properties: { name: ["Mahmut Abdulla"] } });
      restrictedId = (await createEntity(services, FROM, admin.actor, { schema: "Detention", restricted: true, properties: { person: [secretPerson.id], startDate: ["2018-05-01"] } })).id;

      ministerId = (
        await createAddressee(services, FROM, editor.actor, {
          name: "Wang Junzheng",
          title: "Party Secretary",
          organisation: "Xinjiang Uyghur Autonomous Region",
          postalAddress: "2 Zhongshan Road\nUrumqi 830041\nChina",
          email: "office@xinjiang.example",
          fax: "+86 991 282 1234",
          salutation: "Dear Party Secretary",
          language: "en",
        })
      ).id;
      prosecutorId = (await createAddressee(services, FROM, editor.actor, { name: "最高人民检察院检察长", organisation: "最高人民检察院", postalAddress: "北京市东城区北河沿大街147号", email: "", salutation: "尊敬的检察长", language: "zh" })).id;
    });
    after(async () => {
      await services.close();
    });

    it("generates an English urgent action with the case's facts, its latest status, sentence and treatment", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: [ministerId] });
      assert.equal(action.status, "draft");
      assert.equal(action.latestVersion, 1);
      const doc = action.version.document;
      assert.equal(doc.subject, "Urgent Action: Ilham Tohti");
      const text = documentText(doc);
      assert.match(text, /Ilham Tohti \(also known as ئىلھام توختى, 伊力哈木·土赫提\) was detained on 2014-01-15 at Urumqi No\. 1 Detention Centre by Urumqi Public Security Bureau\./);
      assert.match(text, /The stated grounds are: separatism\./);
      assert.match(text, /\(2014-09-23\): Sentenced\. Ilham Tohti is believed to be held at Xinjiang No\. 1 Prison\. Sentence: life imprisonment, Urumqi Intermediate People's Court\./);
      assert.match(text, /We have received reports of: Denial of medical care\./);
      assert.match(text, /Dear Party Secretary,/, "a single addressee's own salutation");
      assert.match(text, /- Release Ilham Tohti immediately/, "the template's requests, with the facts filled in");
      assert.match(text, /Wang Junzheng\nParty Secretary\nXinjiang Uyghur Autonomous Region\n2 Zhongshan Road\nUrumqi 830041\nChina\nEmail: office@xinjiang\.example\nFax: \+86 991 282 1234/);
      assert.match(text, /watch network/);
      assert.doesNotMatch(text, /Torture/, "a restricted value the editor may not read is not there at all");
      assert.deepEqual(doc.omitted, []);
      assert.equal(action.version.includesRestricted, false);
    });

    it("generates in Uyghur and in Chinese, with the names and vocabulary labels in that language", async () => {
      const ug = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "ug", addressees: [] });
      const ugText = documentText(ug.version.document);
      assert.equal(ug.version.document.subject, "جىددىي ھەرىكەت: ئىلھام توختى");
      assert.match(ugText, /ئىلھام توختى \(باشقا ئىسىملىرى: Ilham Tohti، 伊力哈木·土赫提\) تۇتقۇن قىلىنغان\./);
      assert.match(ugText, /ھۆرمەتلىك ئەپەندى ياكى خانىم،/, "the default salutation");
      assert.match(ugText, /ئەيىبلەنگەن|جازا/);
      assert.match(ugText, /داۋالىنىش ھوقۇقىدىن مەھرۇم قىلىش/);
      const html = documentHtml(ug.version.document, { inline: true });
      assert.match(html, /<html lang="ug" dir="rtl">/);

      const zh = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "zh", addressees: [prosecutorId] });
      const zhText = documentText(zh.version.document);
      assert.equal(zh.version.document.subject, "紧急行动：伊力哈木·土赫提");
      assert.match(zhText, /伊力哈木·土赫提（又名Ilham Tohti、ئىلھام توختى）于2014-01-15在Urumqi No\. 1 Detention Centre被Urumqi Public Security Bureau拘留。/);
      assert.match(zhText, /尊敬的检察长：/);
      assert.match(zhText, /拒绝医疗/);
      assert.match(zhText, /刑期：life imprisonment/);
      assert.match(documentHtml(zh.version.document, { inline: true }), /<html lang="zh-Hans" dir="ltr">/);
    });

    it("escapes hostile values everywhere the document is drawn", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: hostileId, language: "en", addressees: [] });
      const html = documentHtml(action.version.document, { href: "/static/urgent.css" });
      assert.doesNotMatch(html, /<script>|<img/);
      assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; Co/);
      assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
      assert.match(documentText(action.version.document), /<script>alert\("x"\)<\/script> & Co was detained/, "the plain text keeps the name as written");
    });

    it("includes restricted values only when the author explicitly asks, and marks the version", async () => {
      const plain = await generateUrgentAction(services, FROM, admin.actor, { detention: detentionId, language: "en", addressees: [ministerId] });
      assert.doesNotMatch(documentText(plain.version.document), /Torture/, "an administrator reads it, but it stays out unless included");
      assert.deepEqual(plain.version.document.omitted, [{ fact: "treatment", sensitivity: "restricted" }]);
      assert.equal(plain.version.includesRestricted, false);
      const action = await generateUrgentAction(services, FROM, admin.actor, { detention: detentionId, language: "en", addressees: [ministerId], includeRestricted: true });
      assert.match(documentText(action.version.document), /We have received reports of: Denial of medical care, Torture\./);
      assert.equal(action.version.includesRestricted, true);
      assert.deepEqual(action.version.document.included, [{ fact: "treatment", sensitivity: "restricted" }]);
      assert.deepEqual(action.version.document.omitted, []);
    });

    it("opens secret values only when the author includes them, and says so", async () => {
      const person = await createEntity(services, FROM, editor.actor, { schema: "Person", properties: { name: ["Rahile Dawut"] } });
      const secretCase = await createEntity(services, FROM, editor.actor, {
        schema: "Detention",
        properties: { person: [person.id], startDate: ["2017-12"], grounds: [{ value: "told by her former student in Ghulja", sensitivity: "secret" }] },
      });
      const plain = await generateUrgentAction(services, FROM, editor.actor, { detention: secretCase.id, language: "en" });
      assert.doesNotMatch(documentText(plain.version.document), /Ghulja|stated grounds/);
      assert.deepEqual(plain.version.document.omitted, [{ fact: "detention.grounds", sensitivity: "secret" }]);
      assert.equal(plain.version.includesSecret, false);
      const revealed = await generateUrgentAction(services, FROM, editor.actor, { detention: secretCase.id, language: "en", includeSecret: true });
      assert.match(documentText(revealed.version.document), /The stated grounds are: told by her former student in Ghulja\./);
      assert.equal(revealed.version.includesSecret, true);
      assert.deepEqual(revealed.version.document.included, [{ fact: "detention.grounds", sensitivity: "secret" }]);
      const audited = await services.db.selectFrom("audit_events").select("details").where("action", "=", "record.secret.read").execute();
      assert.equal(audited.filter((a) => (a.details as { entity?: string }).entity === secretCase.id).length, 1, "the one reading of the secret value is audited");
    });

    it("keeps a restricted case, and its actions, to who may read it", async () => {
      await assert.rejects(generateUrgentAction(services, FROM, editor.actor, { detention: restrictedId, language: "en" }), (e) => e instanceof Invalid && e.fields.detention === "no such record");
      const withoutInclude = await generateUrgentAction(services, FROM, admin.actor, { detention: restrictedId, language: "en" });
      assert.doesNotMatch(documentText(withoutInclude.version.document), /Mahmut/, "every value of a restricted case is restricted");
      assert.ok(withoutInclude.version.document.omitted.some((n) => n.fact === "person"));
      const included = await generateUrgentAction(services, FROM, admin.actor, { detention: restrictedId, language: "en", includeRestricted: true });
      assert.match(documentText(included.version.document), /Mahmut Abdulla was detained on 2018-05-01/);
      assert.equal(included.version.includesRestricted, true);
      await assert.rejects(getUrgentAction(services, FROM, editor.actor, included.id), NotFound);
      await assert.rejects(getUrgentAction(services, FROM, viewer.actor, included.id), NotFound);
      assert.ok(!(await listUrgentActions(services, FROM, viewer.actor)).some((a) => a.id === included.id));
      await grantAccess(services, FROM, admin.actor, restrictedId, { user: viewerId });
      assert.equal((await getUrgentAction(services, FROM, viewer.actor, included.id)).id, included.id);
      assert.ok((await listUrgentActions(services, FROM, viewer.actor)).some((a) => a.id === included.id));
    });

    it("refuses partners, viewers and researchers who write, and another organisation", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en" });
      await assert.rejects(generateUrgentAction(services, FROM, viewer.actor, { detention: detentionId, language: "en" }), Forbidden);
      await assert.rejects(generateUrgentAction(services, FROM, researcher.actor, { detention: detentionId, language: "en" }), Forbidden);
      await assert.rejects(getUrgentAction(services, FROM, partner.actor, action.id), Forbidden);
      await assert.rejects(listUrgentActions(services, FROM, partner.actor), Forbidden);
      await assert.rejects(getUrgentAction(services, FROM, outsider.actor, action.id), NotFound);
      await assert.rejects(generateUrgentAction(services, FROM, outsider.actor, { detention: detentionId, language: "en" }), Invalid);
      await assert.rejects(trackUrgentAction(services, FROM, viewer.actor, action.id, { kind: "status", status: "closed" }), Forbidden);
      await assert.rejects(createAddressee(services, FROM, viewer.actor, { name: "x", language: "en" }), Forbidden);
      await assert.rejects(saveTemplate(services, FROM, editor.actor, "en", {}), Forbidden);
      assert.equal((await getUrgentAction(services, FROM, viewer.actor, action.id)).id, action.id);
      assert.deepEqual(await listAddressees(services, FROM, outsider.actor), [], "addressees are per organisation");
      await assert.rejects(generateUrgentAction(services, FROM, outsider.actor, { detention: detentionId, language: "en", addressees: [ministerId] }), Invalid);
    });

    it("rejects bad input with field errors and writes nothing", async () => {
      const before = (await listUrgentActions(services, FROM, admin.actor, { limit: 200 })).length;
      await assert.rejects(generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "fr" }), (e) => e instanceof Invalid && "language" in e.fields);
      await assert.rejects(generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: ["00000000-0000-4000-8000-000000000000"] }), (e) => e instanceof Invalid && "addressees.0" in e.fields);
      const person = await createEntity(services, FROM, editor.actor, { schema: "Person", properties: { name: ["Not a detention"] } });
      await assert.rejects(generateUrgentAction(services, FROM, editor.actor, { detention: person.id, language: "en" }), (e) => e instanceof Invalid && "detention" in e.fields);
      const archived = await createAddressee(services, FROM, editor.actor, { name: "Former official", language: "en" });
      await archiveAddressee(services, FROM, editor.actor, archived.id, { reason: "left office" });
      await assert.rejects(generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: [archived.id] }), (e) => e instanceof Invalid && e.fields["addressees.0"] === "this addressee is archived");
      assert.equal((await listUrgentActions(services, FROM, admin.actor, { limit: 200 })).length, before);
    });

    it("keeps every regeneration as a new version", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: [ministerId] });
      const second = await regenerateUrgentAction(services, FROM, editor.actor, action.id, { language: "zh", addressees: [prosecutorId], requests: ["释放{{person}}。"] });
      assert.equal(second.latestVersion, 2);
      assert.equal(second.version.version, 2);
      assert.deepEqual(second.versions.map((v) => [v.version, v.language]), [[2, "zh"], [1, "en"]]);
      assert.match(documentText(second.version.document), /- 释放伊力哈木·土赫提。/);
      assert.equal(second.version.document.reference, action.version.document.reference, "the reference stays across versions");
      const first = await getUrgentAction(services, FROM, viewer.actor, action.id, 1);
      assert.equal(first.version.document.subject, "Urgent Action: Ilham Tohti");
      await assert.rejects(getUrgentAction(services, FROM, viewer.actor, action.id, 9), NotFound);
    });

    it("edits a template with history, checks its placeholders, and refuses a stale edit", async () => {
      const original = await getTemplate(services, FROM, admin.actor, "en");
      const content = ({ subject, body, concerns, requests }: typeof original) => ({ subject, body, concerns, requests });
      assert.equal(original.version, 0);
      assert.equal(original.isDefault, true);
      await assert.rejects(
        saveTemplate(services, FROM, admin.actor, "en", { ...content(original), body: "{{person}} {{rm -rf}} {{#status}}open", reason: "try", baseVersion: 0 }),
        (e) => e instanceof Invalid && /not a placeholder|never closed|braces/.test(e.fields.body ?? ""),
      );
      await assert.rejects(saveTemplate(services, FROM, admin.actor, "en", { ...content(original), body: "{{constructor}}", reason: "try", baseVersion: 0 }), (e) => e instanceof Invalid && /not a placeholder/.test(e.fields.body ?? ""));
      const saved = await saveTemplate(services, FROM, admin.actor, "en", {
        subject: "URGENT: {{person}} ({{reference}})",
        body: "## Appeal for {{person}}\n\n{{^sentence}}Not sentenced.{{/sentence}}{{#sentence}}Sentenced to {{sentence}}.{{/sentence}}\n\n{{requests}}\n\n{{addressees}}",
        concerns: [],
        requests: ["Free {{person}}."],
        reason: "shorter appeal for the campaign",
        baseVersion: 0,
      });
      assert.equal(saved.version, 1);
      await assert.rejects(saveTemplate(services, FROM, admin.actor, "en", { ...content(original), reason: "stale", baseVersion: 0 }), Conflict);
      await saveTemplate(services, FROM, admin.actor, "en", { ...content(original), reason: "back to the default", baseVersion: 1 });
      const history = await templateHistory(services, FROM, viewer.actor, "en");
      assert.deepEqual(history.map((h) => [h.version, h.reason]), [[2, "back to the default"], [1, "shorter appeal for the campaign"]]);
      assert.equal((await getTemplate(services, FROM, viewer.actor, "en", 1)).subject, "URGENT: {{person}} ({{reference}})");
      // Generating with version 1 in force, through a version saved on purpose.
      await saveTemplate(services, FROM, admin.actor, "en", { ...content(saved), reason: "campaign again", baseVersion: 2 });
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: [ministerId] });
      assert.equal(action.version.templateVersion, 3);
      assert.match(action.version.document.subject, /^URGENT: Ilham Tohti \(UA-[0-9A-F]{8}\)$/);
      assert.deepEqual(
        action.version.document.blocks.map((b) => b.kind),
        ["heading", "paragraph", "list", "addressees"],
      );
      assert.match(documentText(action.version.document), /Sentenced to life imprisonment\.\n\n- Free Ilham Tohti\./);
      await saveTemplate(services, FROM, admin.actor, "en", { ...content(original), reason: "default", baseVersion: 3 });
    });

    it("tracks letters sent, responses and status, refusing what does not fit", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en", addressees: [ministerId] });
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "status", status: "sent" }), Invalid);
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "sent", addressee: ministerId, channel: "letter", date: "2026-06-02" }), (e) => e instanceof Invalid && e.fields.date === "is in the future");
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "sent", addressee: ministerId, channel: "pigeon", date: "2026-05-30" }), (e) => e instanceof Invalid && "channel" in e.fields);
      const tick = () => services.clock.advanceSeconds(1);
      tick();
      const sent = await trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "sent", addressee: ministerId, channel: "letter", date: "2026-05-30", summary: "registered post" });
      assert.equal(sent.status, "sent");
      tick();
      await trackUrgentAction(services, FROM, admin.actor, action.id, { kind: "sent", addressee: prosecutorId, channel: "email", date: "2026-05-31" });
      tick();
      const responded = await trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "response", addressee: ministerId, date: "2026-06-01", summary: "The case is handled according to law.", evidenceUrl: "https://example.org/reply.pdf" });
      assert.equal(responded.status, "responded");
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "response", date: "2026-06-01", summary: "x", evidenceUrl: "javascript:alert(1)" }), (e) => e instanceof Invalid && "evidenceUrl" in e.fields);
      tick();
      const closed = await trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "status", status: "closed", summary: "released" });
      assert.equal(closed.status, "closed");
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "status", status: "closed" }), Conflict);
      await assert.rejects(regenerateUrgentAction(services, FROM, editor.actor, action.id, { language: "en" }), Conflict);
      await assert.rejects(trackUrgentAction(services, FROM, editor.actor, action.id, { kind: "status", status: "draft" }), Invalid);
      const view = await getUrgentAction(services, FROM, viewer.actor, action.id);
      assert.deepEqual(
        view.events.map((e) => [e.kind, e.addressee?.name ?? null, e.channel, e.date, e.statusTo]),
        [
          ["sent", "Wang Junzheng", "letter", "2026-05-30", "sent"],
          ["sent", "最高人民检察院检察长", "email", "2026-05-31", null],
          ["response", "Wang Junzheng", null, "2026-06-01", "responded"],
          ["status", null, null, "2026-06-01", "closed"],
        ],
      );
      assert.equal(view.events[0]!.actorName, "editor person");
      assert.equal(view.events[2]!.evidenceUrl, "https://example.org/reply.pdf");
    });

    it("edits and archives addressees with a reason", async () => {
      const created = await createAddressee(services, FROM, editor.actor, { name: "Director", language: "ug", email: "not-an-email" }).catch((e: unknown) => e);
      assert.ok(created instanceof Invalid && "email" in created.fields);
      const a = await createAddressee(services, FROM, editor.actor, { name: "Director", language: "ug" });
      const changed = await updateAddressee(services, FROM, admin.actor, a.id, { name: "Director of the prison", language: "ug", fax: "+86 1" });
      assert.equal(changed.name, "Director of the prison");
      const archived = await archiveAddressee(services, FROM, editor.actor, a.id, { reason: "retired" });
      assert.deepEqual(archived.archived?.reason, "retired");
      await assert.rejects(archiveAddressee(services, FROM, editor.actor, a.id, { reason: "again" }), Conflict);
      await assert.rejects(archiveAddressee(services, FROM, editor.actor, ministerId, { reason: "" }), Invalid);
      assert.ok(!(await listAddressees(services, FROM, viewer.actor)).some((x) => x.id === a.id));
      assert.ok((await listAddressees(services, FROM, viewer.actor, { archived: "only" })).some((x) => x.id === a.id));
    });

    it("drafts an email with the addressees' addresses, and a mailto link only when short enough", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "zh", addressees: [ministerId, prosecutorId] });
      const eml = (await buildEmailDraft(action.version.document, services.now())).toString("utf8");
      assert.match(eml, /^To: office@xinjiang\.example$/m);
      assert.match(eml, /^X-Unsent: 1$/m);
      assert.match(eml, /^Subject: =\?UTF-8\?/m);
      assert.equal(mailtoLink(action.version.document), null, "the whole letter is longer than a mailto link carries");
      const short = { ...action.version.document, blocks: [{ kind: "paragraph" as const, text: "释放他" }] };
      assert.equal(mailtoLink(short), `mailto:office%40xinjiang.example?subject=${encodeURIComponent(short.subject)}&body=${encodeURIComponent("释放他\n")}`);
    });

    it("renders a PDF whose text holds the Chinese and the Uyghur", { timeout: 120_000 }, async () => {
      const zh = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "zh", addressees: [prosecutorId] });
      const zhPdf = await renderPdf(zh.version.document, services.config.chromiumPath);
      assert.equal(zhPdf.subarray(0, 5).toString("latin1"), "%PDF-");
      const zhText = pdfText(zhPdf);
      assert.ok(containsText(zhText, "紧急行动：伊力哈木·土赫提"), zhText.slice(0, 200));
      assert.ok(containsText(zhText, "拒绝医疗"));
      const ug = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "ug" });
      const ugText = pdfText(await renderPdf(ug.version.document, services.config.chromiumPath));
      assert.ok(containsText(ugText, "ئىلھام توختى"), ugText.slice(0, 200));
      assert.ok(containsText(ugText, "جىددىي"));
    });

    it("says the PDF is unavailable when there is no browser", async () => {
      const action = await generateUrgentAction(services, FROM, editor.actor, { detention: detentionId, language: "en" });
      await assert.rejects(renderPdf(action.version.document, "/nonexistent/chromium"), (e) => e instanceof PdfUnavailable && e.status === 503 && /printable page/.test(e.message));
    });
  });
}
