import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

interface Entity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  revision: number;
  archived: { reason: string } | null;
}

for (const target of databaseTargets()) {
  describe(`/api/v1/entities on ${target.name}`, () => {
    let services: TestServices;
    let editor: Client;
    let viewer: Client;
    let token = "";
    let viewerToken = "";

    async function call(client: Client, csrf: string, method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = { "x-csrf-token": csrf, origin: "http://vigil.test" };
      if (body !== undefined) headers["content-type"] = "application/json";
      return client.request(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    }
    const asEditor = (method: string, path: string, body?: unknown) => call(editor, token, method, path, body);

    async function problem(res: Response, status: number): Promise<{ errors?: Record<string, string>; detail?: string }> {
      assert.equal(res.status, status, await res.clone().text());
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      return (await res.json()) as { errors?: Record<string, string>; detail?: string };
    }

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const admin = await sessionFor(services, org.adminEmail);
      await addMember(services, admin.principal, "editor", "editor@watch.example");
      await addMember(services, admin.principal, "viewer", "viewer@watch.example");
      editor = Client.for(services);
      await editor.signIn("editor@watch.example");
      token = csrfFrom(await (await editor.get("/account")).text());
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      viewerToken = csrfFrom(await (await viewer.get("/account")).text());
    });
    after(async () => {
      await services.close();
    });

    it("creates, reads, updates, archives and shows the history of a record in the FtM shape", async () => {
      const created = await asEditor("POST", "/api/v1/entities", { schema: "Person", properties: { name: ["Ilham Tohti"], birthDate: ["1969-10-25"] } });
      assert.equal(created.status, 201, await created.clone().text());
      const person = (await created.json()) as Entity;
      assert.equal(created.headers.get("location"), `/api/v1/entities/${person.id}`);
      assert.deepEqual([person.schema, person.properties, person.revision], ["Person", { birthDate: ["1969-10-25"], name: ["Ilham Tohti"] }, 1]);

      const read = (await (await viewer.get(`/api/v1/entities/${person.id}`)).json()) as Entity;
      assert.deepEqual(read.properties.name, ["Ilham Tohti"]);

      const updated = await asEditor("PATCH", `/api/v1/entities/${person.id}`, { revision: 1, reason: "add the Uyghur spelling", properties: { name: ["Ilham Tohti", { value: "ئىلھام توختى", lang: "ug", script: "Arab" }] } });
      assert.equal(updated.status, 200, await updated.clone().text());
      assert.equal(((await updated.json()) as Entity).revision, 2);

      const stale = await asEditor("PATCH", `/api/v1/entities/${person.id}`, { revision: 1, reason: "old copy", properties: { name: ["Ilham"] } });
      assert.match((await problem(stale, 409)).detail!, /revision 2, not 1/);

      const history = (await (await viewer.get(`/api/v1/entities/${person.id}/history`)).json()) as { revisions: { reason: string }[]; diff: { added: { value: string }[] } };
      assert.deepEqual(history.revisions.map((r) => r.reason), ["add the Uyghur spelling", "created"]);
      assert.deepEqual(history.diff.added.map((s) => s.value), ["ئىلھام توختى"]);

      const archived = await asEditor("POST", `/api/v1/entities/${person.id}/archive`, { reason: "entered twice" });
      assert.equal(((await archived.json()) as Entity).archived?.reason, "entered twice");
      const restored = await asEditor("POST", `/api/v1/entities/${person.id}/restore`, { reason: "it was not" });
      assert.equal(((await restored.json()) as Entity).archived, null);
    });

    it("answers bad input with problem+json naming the field", async () => {
      assert.equal((await problem(await asEditor("POST", "/api/v1/entities", { schema: "Spaceship", properties: {} }), 422)).errors?.schema, "unknown schema");
      const unknownProperty = await problem(await asEditor("POST", "/api/v1/entities", { schema: "Person", properties: { name: ["x"], wingspan: ["2m"] } }), 422);
      assert.match(unknownProperty.errors?.["properties.wingspan"] ?? "", /no property "wingspan"/);
      const badDate = await problem(await asEditor("POST", "/api/v1/entities", { schema: "Person", properties: { name: ["x"], birthDate: ["2019-13-01"] } }), 422);
      assert.match(badDate.errors?.["properties.birthDate.0"] ?? "", /month 13 does not exist/);
      const huge = await problem(await asEditor("POST", "/api/v1/entities", { schema: "Person", properties: { name: ["x".repeat(100_000)] } }), 422);
      assert.match(huge.errors?.["properties.name.0"] ?? "", /at most 65000/);
      const extra = await problem(await asEditor("POST", "/api/v1/entities", { schema: "Person", properties: { name: ["x"] }, owner: "me" }), 422);
      assert.ok(extra.errors && Object.keys(extra.errors).length > 0);
      await problem(await editor.request("/api/v1/entities", { method: "POST", body: "{not json", headers: { "content-type": "application/json", "x-csrf-token": token, origin: "http://vigil.test" } }), 400);
      await problem(await asEditor("GET", "/api/v1/entities?limit=0"), 422);
      const missing = await asEditor("GET", "/api/v1/entities/00000000-0000-4000-8000-000000000000");
      await problem(missing, 404);
    });

    it("refuses a viewer's writes before reading the body", async () => {
      const refused = await call(viewer, viewerToken, "POST", "/api/v1/entities", { schema: "Person", properties: { name: ["x"] } });
      await problem(refused, 403);
      const unread = await viewer.request("/api/v1/entities", { method: "POST", body: "garbage", headers: { "content-type": "text/plain", "x-csrf-token": viewerToken, origin: "http://vigil.test" } });
      await problem(unread, 403);
    });

    it("pages with a cursor and filters by schema", async () => {
      for (const name of ["Org A", "Org B", "Org C"]) {
        services.clock.advanceSeconds(1);
        assert.equal((await asEditor("POST", "/api/v1/entities", { schema: "Organization", properties: { name: [name] } })).status, 201);
      }
      const first = (await (await viewer.get("/api/v1/entities?schema=Organization&limit=2")).json()) as { entities: Entity[]; nextCursor: string };
      assert.deepEqual(first.entities.map((e) => e.properties.name![0]), ["Org C", "Org B"]);
      const second = (await (await viewer.get(`/api/v1/entities?schema=Organization&limit=2&cursor=${first.nextCursor}`)).json()) as { entities: Entity[]; nextCursor: string | null };
      assert.deepEqual(second.entities.map((e) => e.properties.name![0]), ["Org A"]);
      assert.equal(second.nextCursor, null);
    });

    it("documents every entity route in the OpenAPI document", async () => {
      const doc = (await (await viewer.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
      for (const path of ["/api/v1/entities", "/api/v1/entities/{id}", "/api/v1/entities/{id}/archive", "/api/v1/entities/{id}/restore", "/api/v1/entities/{id}/history"]) assert.ok(doc.paths[path], path);
      assert.deepEqual(Object.keys(doc.paths["/api/v1/entities/{id}"]!).sort(), ["get", "patch"]);
    });
  });
}
