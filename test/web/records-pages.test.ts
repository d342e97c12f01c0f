import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, getEntity, runBulkOperation, startBulkOperation, updateEntity, type EntityView } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { editorRows, emptyRow, formFields, mainText } from "./records-forms.ts";

const FROM: Origin = { requestId: "req-records-pages", ip: "203.0.113.7", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`the records pages on ${target.name}`, () => {
    let services: TestServices;
    const actors = new Map<string, Actor>();
    const clients = new Map<string, Client>();
    let testimony: EntityView;
    let courtDocument: EntityView;
    let prison: EntityView;
    let village: EntityView;
    let secretPrison: EntityView;
    let ilham: EntityView;
    let gulnar: EntityView;
    let arrest: EntityView;
    let killing: EntityView;
    let hidden: EntityView;

    const client = (who: string) => clients.get(who)!;
    const html = async (who: string, path: string, status = 200) => {
      const res = await client(who).get(path);
      const text = await res.text();
      assert.equal(res.status, status, `${who} GET ${path}: ${mainText(text).slice(0, 300)}`);
      return text;
    };
    const make = (who: string, schema: string, properties: Record<string, unknown[]>, restricted = false) =>
      createEntity(services, FROM, actors.get(who)!, { schema, properties, ...(restricted ? { restricted } : {}) });

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const admin = await sessionFor(services, org.adminEmail);
      actors.set("admin", admin.principal.actor);
      const emails = new Map([["admin", org.adminEmail]]);
      for (const role of ["editor", "researcher", "viewer", "partner"] as const) {
        const member = await addMember(services, admin.principal, role, `${role}@watch.example`);
        actors.set(role, member.principal.actor);
        emails.set(role, `${role}@watch.example`);
      }
      const other = await addOrganisation(services, "elsewhere");
      emails.set("outsider", other.adminEmail);
      for (const [who, email] of emails) {
        const c = Client.for(services);
        await c.signIn(email);
        clients.set(who, c);
      }
      testimony = await make("editor", "Source", { name: ["Testimony T-12"], sourceType: ["testimony"], bodyText: ["They came for him at night."] });
      courtDocument = await make("editor", "Source", { name: ["Court document D-3"], sourceType: ["court-document"] });
      prison = await make("editor", "Address", { full: ["Urumqi No. 3 detention centre"], placeType: ["detention-facility"], latitude: ["43.82"], longitude: ["87.61"] });
      village = await make("editor", "Address", { full: ["Yengisar village"], placeType: ["village"] });
      ilham = await make("editor", "Person", {
        name: ["Ilham Tohti", { value: "ئىلھام توختى", lang: "ug", script: "Arab", source: testimony.id }, { value: "伊力哈木·土赫提", lang: "zh-Hans", script: "Hans" }],
        birthDate: [{ value: "1969", source: testimony.id }, { value: "1970", source: courtDocument.id }],
      });
      gulnar = await make("editor", "Person", { name: ["Gulnar Omer"], birthDate: ["1981-03-02"] });
      arrest = await make("editor", "Incident", { name: ["Arrest of Ilham Tohti"], violation: ["arbitrary-arrest"], date: [{ value: "2014-01-15", source: testimony.id }], place: [prison.id] });
      killing = await make("editor", "Incident", { name: ["Killing in Yengisar"], violation: ["killing"], date: ["2017?"], place: [village.id] });
      await make("editor", "Involvement", { incident: [arrest.id], participant: [ilham.id], role: ["victim"] });
      // Restricted: only administrators and its access list know of it, or of its place and its victim's role in it.
      secretPrison = await make("admin", "Address", { full: ["Unnamed camp near Kashgar"] }, true);
      hidden = await make("admin", "Incident", { name: ["Torture at the unnamed camp"], violation: ["torture"], date: [{ value: "2019-05", source: testimony.id }], place: [secretPrison.id] }, true);
      await make("admin", "Involvement", { incident: [hidden.id], participant: [gulnar.id], role: ["witness"] }, true);
      const tagged = await startBulkOperation(services, FROM, actors.get("admin")!, { action: "tag", tag: "camp-case", ids: [hidden.id] });
      await runBulkOperation(services, FROM, tagged.id);
    });
    after(async () => {
      await services.close();
    });

    it("lists each kind, with counts of what the reader may see and no trace of a restricted incident", async () => {
      const adminList = mainText(await html("admin", "/records/incidents"));
      assert.match(adminList, /Records: 3\b/);
      assert.match(adminList, /Torture at the unnamed camp/);
      const viewerPage = await html("viewer", "/records/incidents");
      const viewerList = mainText(viewerPage);
      assert.match(viewerList, /Records: 2\b/);
      assert.match(viewerList, /Arrest of Ilham Tohti/);
      assert.match(viewerList, /Killing in Yengisar/);
      assert.doesNotMatch(viewerPage, /unnamed camp|camp-case|Torture at|Kashgar/i);
      assert.doesNotMatch(viewerPage, new RegExp(hidden.id));
      // The kinds' counts and the list of all records count only visible ones.
      assert.match(viewerList, /Incidents \(2\)/);
      assert.match(viewerList, /Places \(2\)/);
      assert.match(mainText(await html("admin", "/records")), /Incidents \(3\)/);
      const all = await html("viewer", "/records");
      assert.doesNotMatch(all, /unnamed camp|camp-case|Torture at|Kashgar/i);
      // Filters that would single it out find nothing, and say so the same way as for an absent record.
      for (const query of ["violation=torture", `place=${secretPrison.id}`, "tag=camp-case", "from=2019-05&to=2019-05", "role=witness", "q=camp", "sensitivity=restricted"]) {
        const filtered = mainText(await html("viewer", `/records?${query}`));
        assert.match(filtered, /No record you may see matches\./, query);
      }
      assert.match(mainText(await html("admin", "/records?role=witness")), /Gulnar Omer/);
      assert.match(mainText(await html("admin", "/records?sensitivity=restricted")), /Records: 3\b/);
      // The testimony it cites does not name it to the viewer, and does to an administrator.
      const cited = mainText(await html("viewer", `/records/${testimony.id}`));
      assert.match(cited, /Records citing this source Ilham Tohti \(Person\) Arrest of Ilham Tohti \(Incident\)|Records citing this source Arrest of Ilham Tohti \(Incident\) Ilham Tohti \(Person\)/);
      assert.doesNotMatch(cited, /Torture|unnamed camp/);
      assert.match(mainText(await html("admin", `/records/${testimony.id}`)), /Records citing this source .*Torture at the unnamed camp \(Incident\)/);
      // The record itself, its history and its forms are not found.
      for (const path of [`/records/${hidden.id}`, `/records/${hidden.id}/history`, `/records/${secretPrison.id}`]) await html("viewer", path, 404);
      await html("editor", `/records/${hidden.id}/edit`, 404);
    });

    it("filters by violation, EDTF dates, place, role, sensitivity, tag and name, sorts, and pages with a cursor", async () => {
      const byViolation = mainText(await html("viewer", "/records/incidents?violation=killing"));
      assert.match(byViolation, /Records: 1\b/);
      assert.match(byViolation, /Killing in Yengisar/);
      // "2017?" means all of 2017: a filter on June 2017 finds it; one on 2014 finds the arrest only.
      assert.match(mainText(await html("viewer", "/records/incidents?from=2017-06&to=2017-06")), /Killing in Yengisar/);
      const in2014 = mainText(await html("viewer", "/records/incidents?from=2014&to=2014"));
      assert.match(in2014, /Records: 1\b/);
      assert.match(in2014, /Arrest of Ilham Tohti/);
      assert.match(mainText(await html("viewer", `/records/incidents?place=${prison.id}`)), /Records: 1\b.*Arrest of Ilham Tohti/);
      assert.match(mainText(await html("viewer", "/records/people?role=victim")), /Records: 1\b.*Ilham Tohti/);
      assert.match(mainText(await html("viewer", "/records/people?q=%D8%A6%D9%89%D9%84%DA%BE%D8%A7%D9%85")), /Records: 1\b.*Ilham Tohti/, "a name in Uyghur script finds the person");
      assert.match(mainText(await html("viewer", "/records/people?sensitivity=internal")), /Records: 2\b/);
      // A filter that cannot be read is shown beside its field, and nothing is listed.
      const bad = await html("viewer", "/records/incidents?from=2017-13", 422);
      assert.match(bad, /class="field-error" id="f-from-error">is not a date in a form Vigil reads \(EDTF\)/);
      assert.match(bad, /<a href="#f-from">/);
      assert.doesNotMatch(bad, /<table class="records"/);
      // By name, two to a page: the cursor leads to the rest, in order.
      const first = await html("viewer", "/records/people?sort=name&limit=1");
      assert.match(mainText(first), /Records: 2\b.*Gulnar Omer/);
      assert.doesNotMatch(mainText(first), /Ilham Tohti/);
      const next = /<a href="(\/records\/people\?[^"]*cursor=[^"]+)" rel="next">/.exec(first)![1]!.replace(/&amp;/g, "&");
      const second = mainText(await html("viewer", next));
      assert.match(second, /Ilham Tohti/);
      assert.doesNotMatch(second, /Gulnar Omer/);
      await html("viewer", "/records/people?sort=name&cursor=not-a-cursor", 422);
    });

    it("shows a record: names in their own language and direction, disagreeing sources side by side, relationships both ways, a timeline", async () => {
      const page = await html("viewer", `/records/${ilham.id}`);
      assert.match(page, /<span lang="ug" dir="rtl">ئىلھام توختى<\/span>/);
      assert.match(page, /<span lang="zh-Hans" dir="ltr">伊力哈木·土赫提<\/span>/);
      const text = mainText(page);
      assert.match(text, /Sources disagree: 1969 \(means January 1, 1969 – December 31, 1969\) per Testimony T-12 ; 1970 \(means [^)]*\) per Court document D-3/);
      assert.match(text, /Involvement in an incident Person or organisation Victim Incident: Arrest of Ilham Tohti/);
      assert.match(text, /Timeline 1969 .* Date of birth .* 1970 .* Date of birth/);
      // The other way: the incident names its victim, and its place.
      const incident = mainText(await html("viewer", `/records/${arrest.id}`));
      assert.match(incident, /Involvement in an incident Incident Victim Person or organisation: Ilham Tohti/);
      assert.match(incident, /Place: Urumqi No\. 3 detention centre/);
      assert.match(incident, /Violation Arbitrary arrest — no source cited/);
      assert.match(await html("viewer", `/records/${arrest.id}`), new RegExp(`<a href="/map\\?place=${prison.id}">Show on the map the incidents at</a>`));
      const place = mainText(await html("viewer", `/records/${prison.id}`));
      assert.match(place, /On the map 43\.82, 87\.61 Show on the map · Incidents here, on the map/);
      assert.match(await html("viewer", `/records/${prison.id}`), new RegExp(`href="/map\\?kind=places&amp;place=${prison.id}"`));
      assert.match(place, /Arrest of Ilham Tohti \(Incident\) names this record as: Place/);
      // A viewer reads; the page offers no form that would be refused.
      assert.doesNotMatch(page, /\/edit"|\/merge"|\/archive"|\/relate"/);
      assert.match(await html("editor", `/records/${ilham.id}`), /href="\/records\/[0-9a-f-]{36}\/edit"/);
    });

    it("adds a record with the editor, showing each problem beside its field with a summary linking to it, and writing nothing until all is right", async () => {
      const form = formFields(await html("researcher", "/records/new?schema=Incident"), "/records/new");
      const name = emptyRow(form, "name");
      const date = emptyRow(form, "date");
      const violation = emptyRow(form, "violation");
      const place = emptyRow(form, "place");
      const before = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      const wrong = await client("researcher").post("/records/new", { ...form, act: "save", [`v-${name}`]: "Detention of Gulnar Omer", [`v-${date}`]: "2019-13-01", [`src-${date}`]: testimony.id, [`v-${violation}`]: "arbitrary-detention", [`v-${place}`]: village.id });
      assert.equal(wrong.status, 422);
      const shown = await wrong.text();
      assert.match(shown, new RegExp(`<p class="field-error" id="f-v-${date}-error">is not a date in a form Vigil reads \\(EDTF\\)`));
      assert.match(shown, new RegExp(`<a href="#f-v-${date}">Date: is not a date`));
      assert.match(shown, new RegExp(`id="f-v-${date}" name="v-${date}" type="text" value="2019-13-01"`), "what was typed stays");
      assert.match(shown, new RegExp(`id="f-v-${name}" name="v-${name}" type="text" value="Detention of Gulnar Omer"`));
      const after = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n), "nothing was written");
      // Fixed, with a hint of what the date means, and saved.
      const again = formFields(shown, "/records/new");
      const saved = await client("researcher").post("/records/new", { ...again, act: "save", [`v-${date}`]: "2019-07~" });
      assert.equal(saved.status, 303);
      const id = /^\/records\/([0-9a-f-]{36})\?done=created$/.exec(saved.headers.get("location") ?? "")![1]!;
      const created = await getEntity(services, FROM, actors.get("admin")!, id);
      assert.deepEqual(created.properties, { date: ["2019-07~"], name: ["Detention of Gulnar Omer"], place: [village.id], violation: ["arbitrary-detention"] });
      assert.equal(created.statements.find((s) => s.property === "date")!.source, testimony.id);
      assert.match(mainText(await html("researcher", `/records/${id}?done=created`)), /The record was added\..*2019-07~ \(means July 1, 2019 – July 31, 2019\) — per Testimony T-12/);
      // A name is needed.
      const nameless = await client("researcher").post("/records/new", { ...form, act: "save", [`v-${violation}`]: "killing" });
      assert.equal(nameless.status, 422);
      assert.match(await nameless.text(), new RegExp(`id="f-v-${name}-error">required`));
    });

    it("adds rows and finds sources without saving, then cites the source found and keeps a name's language", async () => {
      const form = formFields(await html("editor", `/records/${gulnar.id}/edit`), `/records/${gulnar.id}/edit`);
      const more = await client("editor").post(`/records/${gulnar.id}/edit`, { ...form, act: "more:alias", find: "D-3" });
      assert.equal(more.status, 200);
      const shown = await more.text();
      assert.match(shown, /The lists now include what your search found\. Nothing was saved yet\./);
      const fields = formFields(shown, `/records/${gulnar.id}/edit`);
      const aliases = editorRows(fields).filter((r) => r.property === "alias");
      assert.equal(aliases.length, 2, "one more empty row for another name");
      assert.equal((await getEntity(services, FROM, actors.get("admin")!, gulnar.id)).revision, 1, "nothing saved");
      const [first, second] = aliases;
      const saved = await client("editor").post(`/records/${gulnar.id}/edit`, {
        ...fields,
        act: "save",
        reason: "names from the court document",
        [`v-${first!.n}`]: "گۈلنار ئۆمەر",
        [`lang-${first!.n}`]: "ug",
        [`src-${first!.n}`]: courtDocument.id,
        [`v-${second!.n}`]: "古丽娜尔·吾麦尔",
        [`lang-${second!.n}`]: "zh-Hans",
      });
      assert.equal(saved.status, 303);
      const entity = await getEntity(services, FROM, actors.get("admin")!, gulnar.id);
      const uyghur = entity.statements.find((s) => s.value === "گۈلنار ئۆمەر")!;
      assert.deepEqual([uyghur.lang, uyghur.script, uyghur.source], ["ug", "Arab", courtDocument.id]);
      assert.equal(entity.statements.find((s) => s.value === "古丽娜尔·吾麦尔")!.script, "Hans");
      assert.match(await html("viewer", `/records/${gulnar.id}`), /<span lang="ug" dir="rtl">گۈلنار ئۆمەر<\/span>/);
    });

    it("corrects a date with a reason and shows the difference in the history", async () => {
      const form = formFields(await html("editor", `/records/${arrest.id}/edit`), `/records/${arrest.id}/edit`);
      const date = editorRows(form).find((r) => r.property === "date" && r.value === "2014-01-15")!;
      const withoutReason = await client("editor").post(`/records/${arrest.id}/edit`, { ...form, act: "save", [`v-${date.n}`]: "2014-01-16" });
      assert.equal(withoutReason.status, 422);
      assert.match(await withoutReason.text(), /id="f-edit-reason-error">say why/);
      const saved = await client("editor").post(`/records/${arrest.id}/edit`, { ...form, act: "save", [`v-${date.n}`]: "2014-01-16", reason: "the testimony gives the 16th" });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get("location"), `/records/${arrest.id}?done=saved`);
      const entity = await getEntity(services, FROM, actors.get("admin")!, arrest.id);
      assert.deepEqual(entity.properties.date, ["2014-01-16"]);
      assert.equal(entity.statements.find((s) => s.property === "date")!.source, testimony.id, "the citation stays with the corrected value");
      assert.deepEqual(entity.properties.name, ["Arrest of Ilham Tohti"], "untouched values stay");
      const history = mainText(await html("viewer", `/records/${arrest.id}/history`));
      assert.match(history, /From revision 1 to revision 2 withdrawn Date: 2014-01-15 .* added Date: 2014-01-16/);
      assert.match(history, /2 .* edited the testimony gives the 16th 1 added, 1 withdrawn/);
      assert.match(mainText(await html("viewer", `/records/${arrest.id}/history?from=0&to=1`)), /Everything up to revision 1 added Date: 2014-01-15/);
      await html("viewer", `/records/${arrest.id}/history?from=2&to=1`, 422);
      // Saving the form unchanged makes no revision.
      const same = formFields(await html("editor", `/records/${arrest.id}/edit`), `/records/${arrest.id}/edit`);
      const unchanged = await client("editor").post(`/records/${arrest.id}/edit`, { ...same, act: "save", reason: "looked again" });
      assert.equal(unchanged.headers.get("location"), `/records/${arrest.id}?done=unchanged`);
    });

    it("never overwrites a change made meanwhile: shows both versions, saves nothing, and saves the carried-over form on the current revision", async () => {
      const opened = formFields(await html("editor", `/records/${killing.id}/edit`), `/records/${killing.id}/edit`);
      // Someone else changes the record after the editor was opened.
      await updateEntity(services, FROM, actors.get("researcher")!, killing.id, { revision: 1, reason: "second name", properties: { name: ["Killing in Yengisar", "Yengisar killing of May"] } });
      const date = editorRows(opened).find((r) => r.property === "date")!;
      const stale = await client("editor").post(`/records/${killing.id}/edit`, { ...opened, act: "save", [`v-${date.n}`]: "2017-05", reason: "narrowed the date" });
      assert.equal(stale.status, 409);
      const page = await stale.text();
      const text = mainText(page);
      assert.match(text, /Someone changed this record meanwhile Nothing was saved You started from revision 1; the record is now at revision 2/);
      assert.match(text, /Your version Name Killing in Yengisar Violation Killing Date 2017-05/);
      assert.match(text, /The current version \(revision 2\) Date 2017\? Name Killing in Yengisar Yengisar killing of May/);
      const current = await getEntity(services, FROM, actors.get("admin")!, killing.id);
      assert.equal(current.revision, 2);
      assert.deepEqual(current.properties.date, ["2017?"], "nothing overwritten");
      // The form on the conflict page carries the change over to revision 2; saving it keeps both people's work.
      const carried = formFields(page, `/records/${killing.id}/edit`);
      assert.equal(carried.revision, "2");
      const saved = await client("editor").post(`/records/${killing.id}/edit`, { ...carried, act: "save" });
      assert.equal(saved.status, 303);
      const after = await getEntity(services, FROM, actors.get("admin")!, killing.id);
      assert.deepEqual(after.properties.date, ["2017-05"]);
      assert.deepEqual(after.properties.name, ["Killing in Yengisar", "Yengisar killing of May"]);
    });

    it("merges a duplicate found by name, and undoes the merge", async () => {
      const duplicate = await make("researcher", "Person", { name: ["Ilham Tohti"], birthDate: [{ value: "1969-10-25", source: courtDocument.id }] });
      const search = mainText(await html("researcher", `/records/${ilham.id}/merge`));
      assert.match(search, /Find the duplicate by name/);
      const list = await html("researcher", `/records/${ilham.id}/merge?q=Tohti`);
      assert.match(list, new RegExp(`href="/records/${ilham.id}/merge\\?duplicate=${duplicate.id}"`));
      assert.doesNotMatch(list, new RegExp(`duplicate=${ilham.id}"`), "a record is not its own duplicate");
      const confirm = await html("researcher", `/records/${ilham.id}/merge?duplicate=${duplicate.id}`);
      const fields = formFields(confirm, `/records/${ilham.id}/merge`);
      const noReason = await client("researcher").post(`/records/${ilham.id}/merge`, { ...fields });
      assert.equal(noReason.status, 422);
      const merged = await client("researcher").post(`/records/${ilham.id}/merge`, { ...fields, reason: "the same man, entered twice" });
      assert.equal(merged.status, 303);
      assert.equal(merged.headers.get("location"), `/records/${ilham.id}?done=merged#merges`);
      const page = await html("researcher", `/records/${ilham.id}?done=merged`);
      assert.match(mainText(page), /1969-10-25 .* per Court document D-3/);
      assert.match(mainText(page), /A duplicate was merged into this record: Ilham Tohti .* Reason given: the same man, entered twice/);
      assert.match(mainText(await html("researcher", `/records/${duplicate.id}`)), /This record was merged into another; its values are now on: Ilham Tohti/);
      const action = /action="(\/records\/merges\/[0-9a-f-]{36}\/undo)"/.exec(page)![1]!;
      const undo = formFields(page, action);
      const undone = await client("researcher").post(action, { ...undo, reason: "they are father and son" });
      assert.equal(undone.status, 303);
      assert.equal(undone.headers.get("location"), `/records/${ilham.id}?done=unmerged`);
      const back = await getEntity(services, FROM, actors.get("admin")!, ilham.id);
      assert.deepEqual(back.properties.birthDate, ["1969", "1970"]);
      assert.equal((await getEntity(services, FROM, actors.get("admin")!, duplicate.id)).archived, null);
      const twice = await client("researcher").post(action, { ...undo, reason: "again" });
      assert.equal(twice.status, 409);
      assert.match(mainText(await twice.text()), /this merge was already undone/);
    });

    it("adds a relationship by searching for the other record", async () => {
      const unit = await make("editor", "PublicBody", { name: ["Kashgar public security bureau, unit 7"] });
      const page = await html("editor", `/records/${killing.id}/relate?q=unit%207`);
      assert.match(page, /data-live-search="candidates"/);
      const fields = formFields(page, `/records/${killing.id}/relate`);
      assert.equal(fields.other, unit.id, "the one match is chosen");
      const noneChosen = await client("editor").post(`/records/${killing.id}/relate`, { ...fields, other: "" });
      assert.equal(noneChosen.status, 422);
      const added = await client("editor").post(`/records/${killing.id}/relate`, { ...fields, how: "alleged-perpetrator", source: testimony.id, startDate: "2017-05" });
      assert.equal(added.status, 303);
      const incident = mainText(await html("viewer", `/records/${killing.id}`));
      assert.match(incident, /Involvement in an incident Incident Alleged perpetrator Person or organisation: Kashgar public security bureau, unit 7 2017-05/);
      assert.match(mainText(await html("viewer", `/records/${unit.id}`)), /Alleged perpetrator Incident: Killing in Yengisar/);
      assert.match(mainText(await html("viewer", "/records/organisations?role=alleged-perpetrator")), /Records: 1\b.*unit 7/);
    });

    it("tags, assigns and archives ticked records in bulk; archiving needs a reason; a viewer may not", async () => {
      const list = await html("editor", "/records/people");
      assert.match(list, /name="ids" value="[0-9a-f-]{36}" id="sel-/);
      const token = formFields(list, "/records/bulk");
      const tagged = await client("editor").post("/records/bulk", { ...token, action: "tag", tag: "Follow up", ids: [ilham.id, gulnar.id] });
      assert.equal(tagged.status, 303);
      assert.equal(tagged.headers.get("location"), "/records/people?bulk=tag&changed=2");
      assert.match(mainText(await html("editor", "/records/people?bulk=tag&changed=2")), /Tagged: 2 records changed\./);
      assert.match(mainText(await html("viewer", "/records/people?tag=follow%20up")), /Records: 2\b/);
      // Every record of a list, on every page, not only those ticked; a large one runs in the background, followed on its page.
      const taggedList = await html("editor", "/records/people?tag=follow%20up&limit=1");
      assert.match(taggedList, /All 2 records of this list, on every page/);
      const whole = await client("editor").post("/records/bulk", { ...formFields(taggedList, "/records/bulk"), action: "assign", user: actors.get("researcher")!.userId, scope: "all" });
      assert.equal(whole.status, 303);
      assert.match(whole.headers.get("location") ?? "", /bulk=assign&changed=2$/);
      assert.match(mainText(await html("viewer", `/records/people?assignee=${actors.get("researcher")!.userId}`)), /Records: 2\b/);
      assert.doesNotMatch(await html("editor", "/records/people?q=Ilham"), /of this list, on every page|href="\/exports\?/, "a name filter is not one a bulk operation or an export keeps");
      assert.match(taggedList, /<a href="\/exports\?schema=Person&amp;tag=follow\+up">Export this list/);
      const queued = await startBulkOperation(services, FROM, actors.get("editor")!, { action: "unassign", filter: { schema: "Person" } }, { inlineLimit: 0 });
      const progress = mainText(await html("editor", `/records/bulk/${queued.id}`));
      assert.match(progress, /Bulk change Remove the assignment (Waiting to start|Running in the background|Done) — \d+ of 3 records gone through/);
      await html("viewer", `/records/bulk/${queued.id}`, 404);
      // Cancelled from its page: it says so, with the count done, and offers no second cancellation.
      const background = await startBulkOperation(services, FROM, actors.get("editor")!, { action: "tag", tag: "later", filter: { schema: "Person" } }, { inlineLimit: 0 });
      const running = await html("editor", `/records/bulk/${background.id}`);
      const refusedCancel = await client("viewer").post(`/records/bulk/${background.id}/cancel`, { _csrf: formFields(await html("viewer", "/account"), "/account/password")._csrf as string });
      assert.equal(refusedCancel.status, 404);
      const cancel = await client("editor").post(`/records/bulk/${background.id}/cancel`, formFields(running, `/records/bulk/${background.id}/cancel`));
      assert.equal(cancel.status, 303);
      assert.equal(cancel.headers.get("location"), `/records/bulk/${background.id}`);
      const cancelledPage = await html("editor", `/records/bulk/${background.id}`);
      assert.match(mainText(cancelledPage), /Cancelled — 0 of 3 records gone through, 0 changed Cancelled before the end/);
      assert.doesNotMatch(cancelledPage, /\/cancel"/);
      const twice = await client("editor").post(`/records/bulk/${background.id}/cancel`, formFields(running, `/records/bulk/${background.id}/cancel`));
      assert.equal(twice.status, 409);
      assert.match(mainText(await twice.text()), /already ended: it cannot be cancelled now/);
      const noReason = await client("editor").post("/records/bulk", { ...token, action: "archive", ids: [gulnar.id] });
      assert.equal(noReason.status, 422);
      const shown = await noReason.text();
      assert.match(shown, /id="f-bulk-reason-error">say why/);
      assert.match(shown, new RegExp(`value="${gulnar.id}" id="sel-${gulnar.id}" checked`), "the ticks stay");
      const none = await client("editor").post("/records/bulk", { ...token, action: "tag", tag: "x" });
      assert.equal(none.status, 422);
      assert.match(await none.text(), /name at least one record/);
      const viewerToken = formFields(await html("viewer", "/account"), "/account/password")._csrf as string;
      const refused = await client("viewer").post("/records/bulk", { _csrf: viewerToken, action: "archive", reason: "no", ids: [gulnar.id] });
      assert.equal(refused.status, 403);
      const archived = await client("editor").post("/records/bulk", { ...token, action: "archive", reason: "entered by mistake", ids: [gulnar.id] });
      assert.equal(archived.status, 303);
      assert.doesNotMatch(mainText(await html("viewer", "/records/people")), /Gulnar Omer/);
      assert.match(mainText(await html("viewer", "/records/people?archived=only")), /Gulnar Omer/);
      // Restored from its page, with a reason.
      const page = await html("editor", `/records/${gulnar.id}`);
      assert.match(mainText(page), /Archived .* Reason: entered by mistake/);
      const restore = await client("editor").post(`/records/${gulnar.id}/restore`, { ...formFields(page, `/records/${gulnar.id}/restore`), reason: "she is a real witness" });
      assert.equal(restore.status, 303);
      assert.equal((await getEntity(services, FROM, actors.get("admin")!, gulnar.id)).archived, null);
    });

    it("grants and revokes access to a restricted record from its access page", async () => {
      const viewerId = actors.get("viewer")!.userId;
      const countOf = async () => Number(/Records: (\d+)/.exec(mainText(await html("viewer", "/records/incidents")))![1]);
      const seen = await countOf();
      const page = await html("admin", `/records/${hidden.id}/access`);
      assert.match(mainText(page), /This record is restricted/);
      const granted = await client("admin").post(`/records/${hidden.id}/access`, { ...formFields(page, `/records/${hidden.id}/access`), user: viewerId });
      assert.equal(granted.status, 303);
      assert.match(mainText(await html("viewer", "/records/incidents")), /Torture at the unnamed camp/);
      assert.equal(await countOf(), seen + 1);
      await html("viewer", `/records/${hidden.id}`);
      const listed = await html("admin", `/records/${hidden.id}/access?done=granted`);
      const revoke = /<form method="post" action="(\/records\/[0-9a-f-]{36}\/access\/revoke)" class="inline"><input type="hidden" name="_csrf" value="([^"]+)"\/><input type="hidden" name="user" value="([0-9a-f-]{36})"\/><button type="submit" class="small danger">Take off the list<span class="visually-hidden"> viewer person/.exec(listed)!;
      assert.equal(revoke[3], viewerId);
      const revoked = await client("admin").post(revoke[1]!, { _csrf: revoke[2]!, user: viewerId });
      assert.equal(revoked.status, 303);
      await html("viewer", `/records/${hidden.id}`, 404);
      assert.equal(await countOf(), seen);
      // A researcher may not manage access lists: refused the same way for every record, hidden or not.
      await html("researcher", `/records/${hidden.id}/access`, 403);
      await html("researcher", `/records/${arrest.id}/access`, 403);
      await html("editor", `/records/${hidden.id}/access`, 404);
    });

    it("refuses lower roles and outsiders, and forms without their token", async () => {
      await html("viewer", `/records/${arrest.id}/edit`, 403);
      await html("viewer", "/records/new?schema=Person", 403);
      await html("viewer", `/records/${arrest.id}/merge`, 403);
      await html("viewer", `/records/${arrest.id}/relate`, 403);
      const token = formFields(await html("viewer", "/account"), "/account/password")._csrf as string;
      const before = await getEntity(services, FROM, actors.get("admin")!, arrest.id);
      const edit = await client("viewer").post(`/records/${arrest.id}/edit`, { _csrf: token, act: "save", revision: String(before.revision), reason: "x", row: "0", "p-0": "name", "v-0": "Renamed" });
      assert.equal(edit.status, 403);
      const archive = await client("viewer").post(`/records/${arrest.id}/archive`, { _csrf: token, reason: "x" });
      assert.equal(archive.status, 403);
      assert.equal((await getEntity(services, FROM, actors.get("admin")!, arrest.id)).revision, before.revision, "nothing changed");
      await html("partner", "/records", 403);
      await html("partner", `/records/${arrest.id}`, 403);
      await html("outsider", `/records/${arrest.id}`, 404);
      await html("outsider", `/records/${arrest.id}/history`, 404);
      assert.doesNotMatch(await html("outsider", "/records"), /Arrest of Ilham Tohti/);
      const forged = await client("editor").post(`/records/${arrest.id}/archive`, { reason: "no token" });
      assert.equal(forged.status, 403);
      assert.equal((await getEntity(services, FROM, actors.get("admin")!, arrest.id)).archived, null);
      const anonymous = await Client.for(services).get(`/records/${arrest.id}`);
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.headers.get("location") ?? "", /^\/login\?next=/);
    });

    it("speaks Uyghur right to left and Chinese, names keeping their own direction", async () => {
      const c = client("viewer");
      await c.get("/language/ug?back=/records");
      const ug = await html("viewer", `/records/${ilham.id}`);
      assert.match(ug, /<html lang="ug" dir="rtl">/);
      assert.match(ug, /<h2 id="names-title">ئىسىملار<\/h2>/);
      assert.match(ug, /مەنبەلەر بىردەك ئەمەس:/);
      assert.match(ug, /<span dir="auto">Ilham Tohti<\/span>/, "a Latin name stays readable in a right-to-left page");
      assert.match(mainText(await html("viewer", "/records/incidents")), /ۋەقەلەر/);
      await c.get("/language/zh-Hans?back=/records");
      const zh = mainText(await html("viewer", `/records/${ilham.id}`));
      assert.match(zh, /来源说法不一：/);
      assert.match(zh, /据 Testimony T-12/);
      await c.get("/language/en?back=/records");
    });
  });
}
