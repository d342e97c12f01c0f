import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { issueTokenForUser } from "../../src/accounts/index.ts";
import { createEntity, type EntityView } from "../../src/records/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

for (const target of databaseTargets()) {
  describe(`the officials and dossiers API on ${target.name}`, () => {
    let services: TestServices;
    let editor: Actor;
    let editorToken = "";
    let researcherToken = "";
    let viewerToken = "";
    let outsiderToken = "";
    let source: EntityView;
    let county: EntityView;
    let station: EntityView;
    let person: EntityView;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const admin = (await sessionFor(services, org.adminEmail)).principal;
      editor = (await addMember(services, admin, "editor", "editor@watch.example")).principal.actor;
      await addMember(services, admin, "researcher", "researcher@watch.example");
      await addMember(services, admin, "viewer", "viewer@watch.example");
      const other = await addOrganisation(services, "elsewhere");
      editorToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "editor@watch.example", name: "script", scopes: ["read", "write"] })).token;
      researcherToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "researcher@watch.example", name: "script", scopes: ["read", "write"] })).token;
      viewerToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "viewer@watch.example", name: "script", scopes: ["read"] })).token;
      outsiderToken = (await issueTokenForUser(services, NO_ORIGIN, { email: other.adminEmail, name: "script", scopes: ["read", "write"] })).token;
      source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Roster"] } });
      county = await createEntity(services, NO_ORIGIN, editor, { schema: "PublicBody", properties: { name: ["County bureau"] } });
      station = await createEntity(services, NO_ORIGIN, editor, { schema: "PublicBody", properties: { name: ["Station 1"] } });
      const camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Camp 1"], placeType: ["internment-camp"], operator: [station.id] } });
      await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Beatings"], violation: ["torture"], date: ["2018"], place: [camp.id] } });
      person = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Li Wei"] } });
    });
    after(async () => {
      await services.close();
    });

    async function call(token: string, method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = { host: "vigil.test", authorization: `Bearer ${token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      return createApp(services).request(`http://vigil.test${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    }

    it("places units, records a post, reads the map and reviews a link", async () => {
      const placed = await call(researcherToken, "POST", `/api/v1/units/${station.id}/parent`, { parent: county.id, revision: 1, reason: "the roster", source: source.id });
      assert.equal(placed.status, 200);
      assert.deepEqual(((await placed.json()) as { above: { name: string }[] }).above.map((a) => a.name), ["County bureau"]);
      const cycle = await call(researcherToken, "POST", `/api/v1/units/${county.id}/parent`, { parent: station.id, revision: 1, reason: "wrong" });
      assert.equal(cycle.status, 422);
      assert.equal(cycle.headers.get("content-type"), "application/problem+json");
      assert.match(((await cycle.json()) as { detail: string }).detail, /cycle/);
      const bad = await call(researcherToken, "POST", `/api/v1/officials/${person.id}/posts`, { title: "Chief", unit: county.id, startDate: "2017-13" });
      assert.equal(bad.status, 422);
      assert.match(JSON.stringify(await bad.json()), /EDTF/);
      assert.equal((await call(viewerToken, "POST", `/api/v1/officials/${person.id}/posts`, { title: "Chief" })).status, 403);
      assert.equal((await call(outsiderToken, "POST", `/api/v1/officials/${person.id}/posts`, { title: "Chief" })).status, 404);
      const posted = await call(researcherToken, "POST", `/api/v1/officials/${person.id}/posts`, { title: "Chief", unit: county.id, startDate: "2017", endDate: "2019", source: source.id });
      assert.equal(posted.status, 201);
      assert.deepEqual(((await posted.json()) as { career: { startDate: string; unit: { name: string } }[] }).career.map((e) => [e.startDate, e.unit.name]), [["2017", "County bureau"]]);
      const map = (await (await call(viewerToken, "GET", `/api/v1/officials/${person.id}`)).json()) as { command: { key: string; record: { name: string }; chain: { name: string }[]; overlap: string }[] };
      assert.deepEqual(map.command.map((l) => [l.record.name, l.chain.map((c) => c.name), l.overlap]), [["Beatings", ["County bureau", "Station 1"], "certain"]]);
      assert.equal((await call(outsiderToken, "GET", `/api/v1/officials/${person.id}`)).status, 404);
      const noReason = await call(researcherToken, "POST", `/api/v1/officials/${person.id}/reviews`, { link: map.command[0]!.key, decision: "dismissed" });
      assert.equal(noReason.status, 422);
      const confirmed = await call(researcherToken, "POST", `/api/v1/officials/${person.id}/reviews`, { link: map.command[0]!.key, decision: "confirmed" });
      assert.equal(confirmed.status, 201);
      assert.equal(((await confirmed.json()) as { review: { decision: string } }).review.decision, "confirmed");
      const list = (await (await call(viewerToken, "GET", "/api/v1/officials")).json()) as { items: { name: string; posts: number }[] };
      assert.deepEqual(list.items, [{ id: person.id, name: "Li Wei", posts: 1 }]);
    });

    it("drafts, edits and tracks a dossier, refusing what it must", async () => {
      assert.equal((await call(researcherToken, "POST", "/api/v1/dossiers", { subject: person.id })).status, 403);
      assert.equal((await call(editorToken, "POST", "/api/v1/dossiers", { subject: station.id, fields: { title: "" } })).status, 422);
      const created = await call(editorToken, "POST", "/api/v1/dossiers", { subject: person.id, fields: { title: "Referral: Li Wei", requestedMeasures: ["Asset freeze"] } });
      assert.equal(created.status, 201);
      const dossier = (await created.json()) as { id: string; revision: number; reference: string };
      assert.equal(created.headers.get("location"), `/api/v1/dossiers/${dossier.id}`);
      const stale = await call(editorToken, "PATCH", `/api/v1/dossiers/${dossier.id}`, { revision: 7, fields: { summary: "x" } });
      assert.equal(stale.status, 409);
      const edited = await call(editorToken, "PATCH", `/api/v1/dossiers/${dossier.id}`, { revision: dossier.revision, fields: { programme: "UK Global Human Rights" }, reason: "the UK first" });
      assert.equal(edited.status, 200);
      const submitted = await call(editorToken, "POST", `/api/v1/dossiers/${dossier.id}/events`, { kind: "submitted", recipient: "FCDO", date: "2026-01-10" });
      assert.equal(submitted.status, 201);
      const view = (await submitted.json()) as { status: string; events: { kind: string }[] };
      assert.equal(view.status, "submitted");
      assert.deepEqual(view.events.map((e) => e.kind), ["drafted", "edited", "submitted"]);
      assert.equal((await call(viewerToken, "POST", `/api/v1/dossiers/${dossier.id}/events`, { kind: "outcome", outcome: "declined", date: "2026-01-11" })).status, 403);
      assert.equal((await call(outsiderToken, "GET", `/api/v1/dossiers/${dossier.id}`)).status, 404);
      const items = (await (await call(viewerToken, "GET", "/api/v1/dossiers?status=submitted")).json()) as { items: { reference: string }[] };
      assert.deepEqual(items.items.map((d) => d.reference), [dossier.reference]);
      const odt = await call(viewerToken, "GET", `/api/v1/dossiers/${dossier.id}/odt`);
      assert.equal(odt.status, 200);
      assert.equal(odt.headers.get("content-type"), "application/vnd.oasis.opendocument.text");
      assert.equal(odt.headers.get("content-disposition"), `attachment; filename="${dossier.reference}.odt"`);
      const sealed = await call(viewerToken, "GET", `/api/v1/dossiers/${dossier.id}/package`);
      assert.equal(sealed.status, 503, "no vault keys: the exhibits cannot be decrypted");
    });
  });
}
