import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

interface Entity {
  id: string;
  revision: number;
  properties: Record<string, string[]>;
  mergedInto: string | null;
  tags: string[];
}

for (const target of databaseTargets()) {
  describe(`records API: merges, relationships, vocabularies, access, bulk on ${target.name}`, () => {
    let services: TestServices;
    const clients = new Map<string, { client: Client; token: string; userId: string }>();

    async function call(who: string, method: string, path: string, body?: unknown): Promise<Response> {
      const { client, token } = clients.get(who)!;
      const headers: Record<string, string> = { "x-csrf-token": token, origin: "http://vigil.test" };
      if (body !== undefined) headers["content-type"] = "application/json";
      return client.request(path, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}) });
    }

    async function ok<T>(res: Response, status = 200): Promise<T> {
      assert.equal(res.status, status, await res.clone().text());
      return (await res.json()) as T;
    }

    async function problem(res: Response, status: number): Promise<{ errors?: Record<string, string>; detail?: string }> {
      assert.equal(res.status, status, await res.clone().text());
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      return (await res.json()) as { errors?: Record<string, string>; detail?: string };
    }

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const admin = await sessionFor(services, org.adminEmail);
      const people: [string, string][] = [["admin", org.adminEmail]];
      for (const role of ["editor", "viewer"] as const) {
        await addMember(services, admin.principal, role, `${role}@watch.example`);
        people.push([role, `${role}@watch.example`]);
      }
      for (const [who, email] of people) {
        const client = Client.for(services);
        await client.signIn(email);
        const token = csrfFrom(await (await client.get("/account")).text());
        const me = (await (await client.get("/api/v1/me")).json()) as { user: { id: string } };
        clients.set(who, { client, token, userId: me.user.id });
      }
    });
    after(async () => {
      await services.close();
    });

    const create = async (body: unknown) => ok<Entity>(await call("editor", "POST", "/api/v1/entities", body), 201);

    it("merges a duplicate, answers the duplicate with where it went, and undoes the merge", async () => {
      const a = await create({ schema: "Person", properties: { name: ["Abduweli Ayup"] } });
      const b = await create({ schema: "Person", properties: { name: ["ئابدۇۋەلى ئايۇپ"], birthDate: ["1973"] } });
      const stale = await call("editor", "POST", `/api/v1/entities/${a.id}/merge`, { duplicate: b.id, reason: "same poet", revision: 7, duplicateRevision: 1 });
      assert.match((await problem(stale, 409)).detail!, /revision 1, not 7/);
      const itself = await problem(await call("editor", "POST", `/api/v1/entities/${a.id}/merge`, { duplicate: a.id, reason: "x", revision: 1, duplicateRevision: 1 }), 422);
      assert.equal(itself.detail, "a record cannot be merged into itself");
      await problem(await call("viewer", "POST", `/api/v1/entities/${a.id}/merge`, { duplicate: b.id, reason: "x", revision: 1, duplicateRevision: 1 }), 403);

      const created = await call("editor", "POST", `/api/v1/entities/${a.id}/merge`, { duplicate: b.id, reason: "same poet", revision: 1, duplicateRevision: 1 });
      const merge = await ok<{ id: string; moved: { statements: number } }>(created, 201);
      assert.equal(created.headers.get("location"), `/api/v1/merges/${merge.id}`);
      assert.equal(merge.moved.statements, 2);
      const redirect = await call("viewer", "GET", `/api/v1/entities/${b.id}`);
      assert.equal((await ok<Entity>(redirect)).mergedInto, a.id);
      assert.equal(redirect.headers.get("link"), `</api/v1/entities/${a.id}>; rel="canonical"`);
      assert.deepEqual((await ok<Entity>(await call("viewer", "GET", `/api/v1/entities/${a.id}`))).properties.birthDate, ["1973"]);
      const history = await ok<{ revisions: { kind: string; authorName: string }[] }>(await call("viewer", "GET", `/api/v1/entities/${a.id}/history`));
      assert.deepEqual([history.revisions[0]!.kind, history.revisions[0]!.authorName], ["merge", "editor person"]);
      const past = await ok<Entity & { revisionKind: string }>(await call("viewer", "GET", `/api/v1/entities/${a.id}/revisions/1`));
      assert.deepEqual([past.revisionKind, past.properties], ["create", { name: ["Abduweli Ayup"] }]);
      await problem(await call("viewer", "GET", `/api/v1/entities/${a.id}/revisions/9`), 422);

      await problem(await call("editor", "POST", `/api/v1/merges/${merge.id}/undo`, {}), 422);
      const undone = await ok<{ undone: { reason: string } }>(await call("editor", "POST", `/api/v1/merges/${merge.id}/undo`, { reason: "two people" }));
      assert.equal(undone.undone.reason, "two people");
      assert.equal((await ok<Entity>(await call("viewer", "GET", `/api/v1/entities/${b.id}`))).mergedInto, null);
      await problem(await call("editor", "POST", `/api/v1/merges/${merge.id}/undo`, { reason: "again" }), 409);
    });

    it("lists relationships and refuses a person as their own relative with 422 naming the field", async () => {
      const mother = await create({ schema: "Person", properties: { name: ["Mother"] } });
      const son = await create({ schema: "Person", properties: { name: ["Son"] } });
      const self = await problem(await call("editor", "POST", "/api/v1/entities", { schema: "Family", properties: { person: [mother.id], relative: [mother.id] } }), 422);
      assert.equal(self.errors?.["properties.relative"], "a person cannot be their own relative");
      const family = await create({ schema: "Family", properties: { person: [mother.id], relative: [son.id], relationship: ["son"] } });
      const relationships = await ok<{ edges: { relationship: { id: string }; others: { record: { caption: string } }[] }[] }>(await call("viewer", "GET", `/api/v1/entities/${son.id}/relationships`));
      assert.deepEqual(relationships.edges.map((e) => [e.relationship.id, e.others[0]!.record.caption]), [[family.id, "Mother"]]);
    });

    it("reads vocabularies, refuses unknown terms naming the field, and lets only administrators change terms", async () => {
      const all = await ok<{ vocabularies: { name: string }[] }>(await call("viewer", "GET", "/api/v1/vocabularies"));
      assert.ok(all.vocabularies.some((v) => v.name === "place-types"));
      await problem(await call("viewer", "GET", "/api/v1/vocabularies/colours"), 404);
      const unknown = await problem(await call("editor", "POST", "/api/v1/entities", { schema: "Incident", properties: { name: ["x"], violation: ["jaywalking"] } }), 422);
      assert.match(unknown.errors?.["properties.violation.0"] ?? "", /not a term of the violation-types vocabulary/);
      await problem(await call("editor", "POST", "/api/v1/vocabularies/ethnicities/terms", { code: "salar", labels: { en: "Salar" } }), 403);
      const added = await ok<{ code: string }>(await call("admin", "POST", "/api/v1/vocabularies/ethnicities/terms", { code: "salar", labels: { en: "Salar", ug: "سالار", "zh-Hans": "撒拉族" } }), 201);
      assert.equal(added.code, "salar");
      await problem(await call("admin", "POST", "/api/v1/vocabularies/ethnicities/terms", { code: "salar", labels: { en: "Salar" } }), 409);
      const retired = await ok<{ retired: boolean }>(await call("admin", "PATCH", "/api/v1/vocabularies/ethnicities/terms/salar", { retired: true }));
      assert.equal(retired.retired, true);
      const badPatch = await problem(await call("admin", "PATCH", "/api/v1/vocabularies/ethnicities/terms/salar", { colour: "red" }), 422);
      assert.ok(badPatch.errors);
    });

    it("refuses huge text fields and bodies with a clear error, writing nothing", async () => {
      const huge = await problem(await call("editor", "POST", "/api/v1/entities", { schema: "Source", properties: { name: ["A long testimony"], bodyText: ["x".repeat(70_000)] } }), 422);
      assert.match(huge.errors?.["properties.bodyText.0"] ?? "", /at most 65000 characters/);
      const tooBig = await problem(await call("editor", "POST", "/api/v1/entities", { schema: "Source", properties: { name: ["x"], bodyText: Array.from({ length: 20 }, () => "y".repeat(60_000)) } }), 413);
      assert.match(tooBig.detail ?? "", /larger than 1048576 bytes/);
      const sources = await services.db.selectFrom("statements").select("id").where("property", "=", "bodyText").execute();
      assert.deepEqual(sources, []);
    });

    it("grants and revokes access, and tags and archives in bulk", async () => {
      const hidden = await create({ schema: "Incident", restricted: true, properties: { name: ["Restricted case"] } });
      await problem(await call("viewer", "GET", `/api/v1/entities/${hidden.id}`), 404);
      const viewerId = clients.get("viewer")!.userId;
      await problem(await call("viewer", "POST", `/api/v1/entities/${hidden.id}/access`, { user: viewerId }), 403);
      const list = await ok<{ users: { id: string }[] }>(await call("editor", "POST", `/api/v1/entities/${hidden.id}/access`, { user: viewerId }));
      assert.ok(list.users.some((u) => u.id === viewerId));
      await ok<Entity>(await call("viewer", "GET", `/api/v1/entities/${hidden.id}`));
      const revoked = await call("editor", "DELETE", `/api/v1/entities/${hidden.id}/access/users/${viewerId}`);
      assert.equal(revoked.status, 204);
      await problem(await call("viewer", "GET", `/api/v1/entities/${hidden.id}`), 404);

      const ids = [(await create({ schema: "Person", properties: { name: ["P1"] } })).id, (await create({ schema: "Person", properties: { name: ["P2"] } })).id];
      const tagged = await ok<{ status: string; changed: number; id: string }>(await call("editor", "POST", "/api/v1/bulk", { action: "tag", tag: "Follow up", ids }));
      assert.deepEqual([tagged.status, tagged.changed], ["done", 2]);
      assert.deepEqual((await ok<Entity>(await call("viewer", "GET", `/api/v1/entities/${ids[0]}`))).tags, ["follow up"]);
      const filtered = await ok<{ entities: Entity[] }>(await call("viewer", "GET", "/api/v1/entities?tag=follow%20up"));
      assert.deepEqual(filtered.entities.map((e) => e.id).sort(), [...ids].sort());
      assert.equal((await ok<{ status: string }>(await call("editor", "GET", `/api/v1/bulk/${tagged.id}`))).status, "done");
      await problem(await call("viewer", "POST", "/api/v1/bulk", { action: "archive", reason: "x", ids }), 403);
      const missingReason = await problem(await call("editor", "POST", "/api/v1/bulk", { action: "archive", ids }), 422);
      assert.equal(missingReason.errors?.reason, "say why");
      const archived = await ok<{ changed: number }>(await call("editor", "POST", "/api/v1/bulk", { action: "archive", reason: "test records", ids }));
      assert.equal(archived.changed, 2);
    });

    it("documents the new routes in the OpenAPI document", async () => {
      const doc = await ok<{ paths: Record<string, Record<string, unknown>> }>(await call("viewer", "GET", "/api/v1/openapi.json"));
      for (const path of ["/api/v1/entities/{id}/merge", "/api/v1/merges/{id}/undo", "/api/v1/entities/{id}/relationships", "/api/v1/entities/{id}/revisions/{revision}", "/api/v1/entities/{id}/access", "/api/v1/teams", "/api/v1/bulk", "/api/v1/vocabularies/{name}/terms/{code}"]) {
        assert.ok(doc.paths[path], path);
      }
      assert.deepEqual(Object.keys(doc.paths["/api/v1/entities/{id}/access/users/{user}"]!), ["delete"]);
    });
  });
}
