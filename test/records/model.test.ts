import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkValue, findProperty, findSchema, isCreatableSchema, model, schemaAndDescendants } from "../../src/records/model.ts";

function prop(schema: string, name: string) {
  const found = findProperty(findSchema(schema)!, name);
  assert.ok(found, `${schema}:${name} exists`);
  return found;
}

describe("the data model", () => {
  it("takes FollowTheMoney's schemata from its package", () => {
    for (const name of ["Person", "Organization", "Company", "PublicBody", "Address", "Event", "Ownership", "Membership", "Employment", "Directorship", "Family", "Occupancy", "Position", "Documentation", "Sanction"]) {
      assert.ok(isCreatableSchema(name), name);
    }
    assert.equal(prop("Person", "birthDate").type.name, "date");
    assert.equal(prop("Person", "name").type.name, "name", "inherited from Thing");
    assert.equal(prop("Membership", "member").getRange().name, "LegalEntity");
  });

  it("refuses abstract, unknown and inherited-object names as schemata", () => {
    assert.equal(isCreatableSchema("Thing"), false);
    assert.equal(isCreatableSchema("Interval"), false);
    assert.equal(isCreatableSchema("Spaceship"), false);
    assert.equal(isCreatableSchema("constructor"), false);
    assert.equal(findSchema("toString"), undefined);
  });

  it("adds Incident, Source and Involvement in the same shape, placed in FtM's hierarchy", () => {
    for (const name of ["Incident", "Source", "Involvement"]) assert.ok(isCreatableSchema(name), name);
    const incident = findSchema("Incident")!;
    assert.ok(incident.isA("Event") && incident.isA("Thing"));
    assert.equal(prop("Incident", "date").type.name, "date", "inherited from Event");
    assert.equal(prop("Incident", "place").getRange().name, "Address");
    assert.equal(prop("Incident", "place").getReverse().name, "incidents");
    const involvement = findSchema("Involvement")!;
    assert.ok(involvement.isEdge && involvement.isA("Interval"));
    assert.equal(prop("Involvement", "participant").getReverse().qname, "LegalEntity:incidentInvolvements");
    assert.equal(prop("Person", "incidentInvolvements").getRange().name, "Involvement");
    assert.ok(findSchema("Source")!.isA("Thing"));
  });

  it("finds the descendants of a schema for filtering", () => {
    const legal = schemaAndDescendants("LegalEntity");
    assert.ok(legal.includes("Person") && legal.includes("Company") && legal.includes("PublicBody"));
    assert.ok(!legal.includes("Incident"));
    assert.deepEqual(schemaAndDescendants("Incident"), ["Incident"]);
    assert.ok(schemaAndDescendants("Event").includes("Incident"));
    assert.ok(model.getSchemata().length > 70);
  });
});

describe("values checked by their FtM type", () => {
  it("reads dates as EDTF and reports what is wrong", () => {
    const ok = checkValue(prop("Person", "birthDate"), "1969~");
    assert.ok(ok.ok && ok.date?.earliest === "1969-01-01");
    const bad = checkValue(prop("Person", "birthDate"), "1969-02-30");
    assert.ok(!bad.ok && /not a valid EDTF date: .*February has 28 days, not 30/.test(bad.error), !bad.ok ? bad.error : "");
  });

  it("holds country, language and gender values to the model's codes", () => {
    assert.deepEqual(checkValue(prop("Person", "nationality"), "CN"), { ok: true, value: "cn", date: null });
    assert.equal(checkValue(prop("Person", "nationality"), "Atlantis").ok, false);
    assert.equal(checkValue(prop("Source", "language"), "uig").ok, true, "Uyghur, which FtM's language list lacks");
    assert.equal(checkValue(prop("Document", "language"), "zho").ok, true);
    assert.equal(checkValue(prop("Document", "language"), "klingon").ok, false);
    assert.equal(checkValue(prop("Person", "gender"), "female").ok, true);
    assert.equal(checkValue(prop("Person", "gender"), "robot").ok, false);
  });

  it("checks entity references, urls, emails, phones and numbers", () => {
    assert.equal(checkValue(prop("Involvement", "participant"), "not-an-id").ok, false);
    assert.equal(checkValue(prop("Involvement", "participant"), "0190A8B4-0000-4000-8000-000000000001").ok, true);
    assert.equal(checkValue(prop("Source", "url"), "javascript:alert(1)").ok, false);
    assert.equal(checkValue(prop("Source", "url"), "https://example.org/report").ok, true);
    assert.equal(checkValue(prop("Person", "email"), "someone@example.org").ok, true);
    assert.equal(checkValue(prop("Person", "email"), "someone").ok, false);
    assert.equal(checkValue(prop("Person", "phone"), "+86 991 123 4567").ok, true);
    assert.equal(checkValue(prop("Person", "phone"), "call me").ok, false);
    assert.equal(checkValue(prop("Incident", "victimCount"), "12").ok, true);
    assert.equal(checkValue(prop("Incident", "victimCount"), "twelve").ok, false);
  });

  it("refuses values longer than the property allows, and empty ones", () => {
    const long = checkValue(prop("Person", "name"), "a".repeat(100_000));
    assert.ok(!long.ok && /longer than 384/.test(long.error));
    assert.equal(checkValue(prop("Source", "bodyText"), "a".repeat(65_000)).ok, true);
    assert.equal(checkValue(prop("Source", "bodyText"), "a".repeat(65_001)).ok, false);
    assert.equal(checkValue(prop("Person", "name"), "   ").ok, false);
  });

  it("cleans names of deceptive controls and keeps text line breaks", () => {
    assert.deepEqual(checkValue(prop("Person", "name"), " \u2067ئىلھام توختى\u2069 "), { ok: true, value: "ئىلھام توختى", date: null });
    const text = checkValue(prop("Source", "bodyText"), "line one\nline two");
    assert.ok(text.ok && text.value === "line one\nline two");
    assert.equal(checkValue(prop("Person", "name"), "bad \uD800").ok, false);
  });
});
