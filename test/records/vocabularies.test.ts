import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { addTerm, changeTerm, createEntity, DEFAULT_TERMS, getEntity, getVocabulary, listVocabularies, updateEntity, VOCABULARIES, VOCABULARY_OF_PROPERTY, findSchema } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-vocabularies", ip: "203.0.113.9", userAgent: "test" };

async function invalidFields(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(() => assert.fail("expected a refusal"), (e: unknown) => e);
  assert.ok(error instanceof Invalid, `expected Invalid, got ${String(error)}`);
  return error.fields;
}

describe("default vocabularies", () => {
  it("ship every term in English, Uyghur in Arabic script and Simplified Chinese, with unique codes", () => {
    for (const name of VOCABULARIES) {
      const codes = DEFAULT_TERMS[name].map((t) => t.code);
      assert.equal(new Set(codes).size, codes.length, `${name} has a repeated code`);
      for (const term of DEFAULT_TERMS[name]) {
        assert.match(term.code, /^[a-z0-9][a-z0-9-]{0,63}$/);
        assert.match(term.labels.ug, /[\u0600-\u06FF]/, `${name}/${term.code}: Uyghur label in Arabic script`);
        assert.doesNotMatch(term.labels.ug, /[A-Za-z]/, `${name}/${term.code}: no Latin letters in the Uyghur label`);
        assert.match(term.labels["zh-Hans"], /[\u4E00-\u9FFF]/, `${name}/${term.code}: Chinese label in Han characters`);
        assert.notEqual(term.labels["zh-Hans"], term.labels.en);
      }
    }
    const violations = DEFAULT_TERMS["violation-types"].map((t) => t.code);
    for (const code of ["killing", "extrajudicial-execution", "death-in-custody", "arbitrary-arrest", "arbitrary-detention", "enforced-disappearance", "torture", "ill-treatment", "sexual-violence", "forced-labour", "forced-sterilisation", "family-separation", "religious-persecution", "surveillance", "transnational-repression", "destruction-of-sites"]) {
      assert.ok(violations.includes(code), code);
    }
    for (const code of ["detention-facility", "prison", "police-station", "village"]) assert.ok(DEFAULT_TERMS["place-types"].some((t) => t.code === code), code);
    assert.deepEqual(DEFAULT_TERMS["involvement-roles"].map((t) => t.code).filter((c) => ["victim", "alleged-perpetrator", "witness", "other"].includes(c)).sort(), ["alleged-perpetrator", "other", "victim", "witness"]);
  });

  it("bind only properties that exist in the model", () => {
    for (const qname of Object.keys(VOCABULARY_OF_PROPERTY)) {
      const [schema, property] = qname.split(":") as [string, string];
      assert.equal(findSchema(schema)?.getProperties().get(property)?.qname, qname, qname);
    }
  });
});

for (const target of databaseTargets()) {
  describe(`vocabularies on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, adminSession.principal, "partner", "partner@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    it("lists every vocabulary with its defaults and the properties it governs", async () => {
      const all = await listVocabularies(services, FROM, viewer);
      assert.deepEqual(all.map((v) => v.name), [...VOCABULARIES]);
      const violations = all.find((v) => v.name === "violation-types")!;
      assert.deepEqual(violations.properties, ["Incident:violation"]);
      const torture = violations.terms.find((t) => t.code === "torture")!;
      assert.deepEqual(torture, { code: "torture", labels: { en: "Torture", ug: "قىيىن-قىستاق", "zh-Hans": "酷刑" }, builtIn: true, retired: false });
      await assert.rejects(listVocabularies(services, FROM, partner), Forbidden);
      await assert.rejects(getVocabulary(services, FROM, viewer, "colours"), NotFound);
    });

    it("stores vocabulary values as codes, from a code, a spelling of it or a label in any language", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Raid"], violation: ["Arbitrary arrest", "torture", "强迫失踪", "ئائىلىنى ئايرىۋېتىش"] } });
      assert.deepEqual(incident.properties.violation, ["arbitrary-arrest", "torture", "enforced-disappearance", "family-separation"]);
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["T-1"], sourceType: ["testimony"], language: ["UIG"] } });
      assert.deepEqual([source.properties.sourceType, source.properties.language], [["testimony"], ["uig"]]);
      const place = await createEntity(services, FROM, editor, { schema: "Address", properties: { full: ["Camp near Kashgar"], placeType: ["internment camp"] } });
      assert.deepEqual(place.properties.placeType, ["internment-camp"]);
    });

    it("refuses an unknown term with a 422 that names the field and the vocabulary", async () => {
      const fields = await invalidFields(createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["x"], violation: ["torture", "jaywalking"] } }));
      assert.deepEqual(Object.keys(fields), ["properties.violation.1"]);
      assert.match(fields["properties.violation.1"]!, /"jaywalking" is not a term of the violation-types vocabulary/);
      const person = await invalidFields(createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["x"], ethnicity: ["martian"] } }));
      assert.match(person["properties.ethnicity.0"]!, /ethnicities/);
      const count = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).where("schema", "=", "Incident").executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1, "nothing written for the refused records");
    });

    it("lets an administrator add a term with labels in three languages, and refuses a taken code", async () => {
      const term = await addTerm(services, FROM, admin, "violation-types", { code: "forced-organ-harvesting", labels: { en: "Forced organ harvesting", ug: "مەجبۇرىي ئەزا ئېلىش", "zh-Hans": "强制摘取器官" } });
      assert.deepEqual([term.code, term.builtIn, term.retired], ["forced-organ-harvesting", false, false]);
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["y"], violation: ["forced-organ-harvesting"] } });
      assert.deepEqual(incident.properties.violation, ["forced-organ-harvesting"]);
      await assert.rejects(addTerm(services, FROM, admin, "violation-types", { code: "torture", labels: { en: "Torture again" } }), Conflict);
      const bad = await invalidFields(addTerm(services, FROM, admin, "violation-types", { code: "Not A Code", labels: { en: "" } }));
      assert.ok(bad.code && bad["labels.en"]);
      const audit = await services.db.selectFrom("audit_events").select("details").where("action", "=", "vocabulary.term.add").execute();
      assert.deepEqual(audit.map((a) => a.details), [{ vocabulary: "violation-types", term: "forced-organ-harvesting" }]);
    });

    it("retires a term without breaking the records that use it, refuses it in new values, and reinstates it", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Watched"], violation: ["surveillance"] } });
      const retired = await changeTerm(services, FROM, admin, "violation-types", "surveillance", { retired: true });
      assert.equal(retired.retired, true);
      assert.deepEqual((await getEntity(services, FROM, viewer, incident.id)).properties.violation, ["surveillance"]);
      // The record keeps its value through an edit that sends it back, and can be edited otherwise.
      const edited = await updateEntity(services, FROM, editor, incident.id, { revision: 1, reason: "rename", properties: { name: ["Watched for years"], violation: ["surveillance"] } });
      assert.deepEqual(edited.properties.violation, ["surveillance"]);
      const fields = await invalidFields(createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["new"], violation: ["surveillance"] } }));
      assert.match(fields["properties.violation.0"]!, /retired term/);
      const listed = (await getVocabulary(services, FROM, viewer, "violation-types")).terms.find((t) => t.code === "surveillance")!;
      assert.equal(listed.retired, true);
      await changeTerm(services, FROM, admin, "violation-types", "surveillance", { retired: false });
      const again = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["new"], violation: ["surveillance"] } });
      assert.deepEqual(again.properties.violation, ["surveillance"]);
      const actions = (await services.db.selectFrom("audit_events").select("action").where("action", "like", "vocabulary.term.%").orderBy("id").execute()).map((a) => a.action);
      assert.deepEqual(actions.slice(-2), ["vocabulary.term.retire", "vocabulary.term.reinstate"]);
    });

    it("changes a default term's labels for one organisation only, and removes a translation with an empty label", async () => {
      const changed = await changeTerm(services, FROM, admin, "place-types", "prison", { labels: { en: "Prison (state)", "zh-Hans": "" } });
      assert.deepEqual(changed.labels, { en: "Prison (state)", ug: "تۈرمە" });
      assert.equal(changed.builtIn, true);
      const theirs = (await getVocabulary(services, FROM, outsider, "place-types")).terms.find((t) => t.code === "prison")!;
      assert.equal(theirs.labels.en, "Prison");
      await assert.rejects(changeTerm(services, FROM, admin, "place-types", "no-such-place", { retired: true }), NotFound);
      await invalidFields(changeTerm(services, FROM, admin, "place-types", "prison", { labels: { en: "x".repeat(201) } }));
    });

    it("refuses editors, viewers and other organisations' administrators changing this organisation's terms", async () => {
      await assert.rejects(addTerm(services, FROM, editor, "ethnicities", { code: "salar", labels: { en: "Salar" } }), Forbidden);
      await assert.rejects(changeTerm(services, FROM, viewer, "ethnicities", "uyghur", { retired: true }), Forbidden);
      // The outsider's change lands in their own organisation's vocabulary, never in ours.
      await changeTerm(services, FROM, outsider, "ethnicities", "han", { retired: true });
      assert.equal((await getVocabulary(services, FROM, viewer, "ethnicities")).terms.find((t) => t.code === "han")!.retired, false);
      const denied = await services.db.selectFrom("audit_events").select("action").where("outcome", "=", "denied").where("action", "=", "vocabulary.manage").execute();
      assert.equal(denied.length, 2);
    });
  });
}
