import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { issueTokenForUser } from "../../src/accounts/index.ts";
import { createEntity, type EntityView } from "../../src/records/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

// The routes are the same whatever the database: the service tests run on both.
const target = databaseTargets()[0]!;

describe("the detentions API", () => {
  let services: TestServices;
  let editor: Actor;
  let editorToken = "";
  let viewerToken = "";
  let source: EntityView;
  let camp: EntityView;
  let person: EntityView;
  before(async () => {
    services = await openTestServices(target);
    const org = await setUpOrganisation(services);
    const admin = (await sessionFor(services, org.adminEmail)).principal;
    editor = (await addMember(services, admin, "editor", "editor@watch.example")).principal.actor;
    await addMember(services, admin, "viewer", "viewer@watch.example");
    editorToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "editor@watch.example", name: "script", scopes: ["read", "write"] })).token;
    viewerToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "viewer@watch.example", name: "script", scopes: ["read"] })).token;
    source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Report R-1"] } });
    camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Hotan prison"], placeType: ["prison"] } });
    person = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Ilham Weli"] } });
  });
  after(async () => {
    await services.close();
  });

  async function call(token: string, method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { host: "vigil.test", authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    return createApp(services).request(`http://vigil.test${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  }

  it("records a detention, adds to it, and reads it back with its timeline, a person's detentions and the facilities", async () => {
    const created = await call(editorToken, "POST", "/api/v1/detentions", { person: person.id, startDate: "2017-10", facility: camp.id, source: source.id, silenceDays: 120 });
    assert.equal(created.status, 201);
    const view = (await created.json()) as { detention: { id: string }; summary: { facilityId: string; silenceDays: number } };
    assert.equal(created.headers.get("location"), `/api/v1/detentions/${view.detention.id}`);
    assert.deepEqual([view.summary.facilityId, view.summary.silenceDays], [camp.id, 120]);
    const id = view.detention.id;
    assert.equal((await call(editorToken, "POST", `/api/v1/detentions/${id}/statuses`, { status: "sentenced", date: "2018-05", source: source.id, term: "15 years", sentenceEnd: "2032-10" })).status, 201);
    assert.equal((await call(editorToken, "POST", `/api/v1/detentions/${id}/proofs-of-life`, { date: "2019-02-14", source: source.id, kind: "heard-from" })).status, 201);
    assert.equal((await call(editorToken, "POST", `/api/v1/detentions/${id}/treatment-reports`, { treatment: "forced-labour", date: "2019", source: source.id })).status, 201);
    const read = (await (await call(viewerToken, "GET", `/api/v1/detentions/${id}`)).json()) as { timeline: { kind: string }[]; summary: { status: string; sentenceEnd: string; lastProofOfLife: string } };
    assert.deepEqual(read.timeline.map((e) => e.kind), ["detained", "status", "treatment", "proof-of-life"]);
    assert.deepEqual([read.summary.status, read.summary.sentenceEnd, read.summary.lastProofOfLife], ["sentenced", "2032-10-31", "2019-02-14"]);
    const mine = (await (await call(viewerToken, "GET", `/api/v1/people/${person.id}/detentions`)).json()) as { detentions: { detention: { id: string } }[] };
    assert.deepEqual(mine.detentions.map((d) => d.detention.id), [id]);
    const facilities = (await (await call(viewerToken, "GET", "/api/v1/facilities")).json()) as { facilities: { facility: { id: string }; heldNow: number }[] };
    assert.deepEqual(facilities.facilities.map((f) => [f.facility.id, f.heldNow]), [[camp.id, 1]]);
    const facility = (await (await call(viewerToken, "GET", `/api/v1/facilities/${camp.id}`)).json()) as { heldNow: { detention: { id: string } }[] };
    assert.deepEqual(facility.heldNow.map((d) => d.detention.id), [id]);
  });

  it("answers bad input with problem+json naming each field, and refuses a viewer before reading the body", async () => {
    const d = (await (await call(editorToken, "POST", "/api/v1/detentions", { person: person.id, startDate: "2020-01", confirmOverlap: true })).json()) as { detention: { id: string } };
    const early = await call(editorToken, "POST", `/api/v1/detentions/${d.detention.id}/statuses`, { status: "released", date: "2019-12", source: source.id });
    assert.equal(early.status, 422);
    assert.equal(early.headers.get("content-type"), "application/problem+json");
    const problem = (await early.json()) as { errors: Record<string, string> };
    assert.match(problem.errors.date!, /before the detention began/);
    const future = await call(editorToken, "POST", `/api/v1/detentions/${d.detention.id}/proofs-of-life`, { date: "2030", source: source.id });
    assert.match(((await future.json()) as { errors: Record<string, string> }).errors.date!, /in the future/);
    const window = await call(editorToken, "POST", "/api/v1/detentions", { person: person.id, startDate: "2021", silenceDays: 0, confirmOverlap: true });
    assert.match(((await window.json()) as { errors: Record<string, string> }).errors.silenceDays!, /between 1 and 3650/);
    const unknown = await call(editorToken, "POST", "/api/v1/detentions", { person: person.id, startDate: "2021", confirmOverlap: true, colour: "red" });
    assert.equal(unknown.status, 422, "an unknown field is refused, not ignored");
    const refused = await call(viewerToken, "POST", `/api/v1/detentions/${d.detention.id}/statuses`, "not even an object");
    assert.equal(refused.status, 403);
    assert.equal((await call(viewerToken, "GET", `/api/v1/detentions/${source.id}`)).status, 404, "a record of another kind is no detention");
  });
});
