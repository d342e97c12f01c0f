import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApiToken } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

for (const target of databaseTargets()) {
  describe(`API on ${target.name}`, () => {
    let services: TestServices;
    let writeToken = "";
    let readToken = "";
    before(async () => {
      services = await openTestServices(target, { maxBodyBytes: 4096 });
      const org = await setUpOrganisation(services);
      const { principal: admin } = await sessionFor(services, org.adminEmail);
      const editor = await addMember(services, admin, "editor", "editor@watch.example");
      writeToken = (await createApiToken(services, NO_ORIGIN, editor.principal, { name: "w", scopes: ["read", "write"] })).token;
      readToken = (await createApiToken(services, NO_ORIGIN, editor.principal, { name: "r", scopes: ["read"] })).token;
    });
    after(async () => {
      await services.close();
    });

    const patch = (token: string, body: string | Buffer, type = "application/json") =>
      Client.for(services).request("/api/v1/me", { method: "PATCH", body: typeof body === "string" ? body : new Uint8Array(body), headers: { authorization: `Bearer ${token}`, "content-type": type } });

    async function localeOfEditor(): Promise<string | null> {
      const row = await services.db.selectFrom("users").select("locale").where("email", "=", "editor@watch.example").executeTakeFirstOrThrow();
      return row.locale;
    }

    it("reports health with the database kind and version", async () => {
      const res = await Client.for(services).get("/healthz");
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys((await res.json()) as object).sort(), ["database", "status", "version"]);
    });

    it("tells a token holder who they are", async () => {
      const res = await Client.for(services).get("/api/v1/me", { authorization: `Bearer ${readToken}` });
      const body = (await res.json()) as { role: string; authenticatedWith: string; scopes: string[] };
      assert.equal(res.status, 200);
      assert.equal(body.role, "editor");
      assert.equal(body.authenticatedWith, "token");
      assert.deepEqual(body.scopes, ["read"]);
    });

    it("changes the language with a write token and records it", async () => {
      const res = await patch(writeToken, JSON.stringify({ locale: "ug" }));
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { user: { locale: string } }).user.locale, "ug");
      assert.equal(await localeOfEditor(), "ug");
      const audit = await services.db.selectFrom("audit_events").select("action").where("action", "=", "account.preferences").execute();
      assert.equal(audit.length, 1);
    });

    it("refuses a read-only token with 403 and changes nothing", async () => {
      const res = await patch(readToken, JSON.stringify({ locale: "en" }));
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.equal(await localeOfEditor(), "ug");
    });

    const BAD: [string, string | Buffer, string, number][] = [
      ["an unknown field", JSON.stringify({ locale: "en", admin: true }), "application/json", 422],
      ["an unknown language", JSON.stringify({ locale: "fr" }), "application/json", 422],
      ["a missing field", JSON.stringify({}), "application/json", 422],
      ["malformed JSON", "{locale:", "application/json", 400],
      ["a JSON array", "[]", "application/json", 422],
      ["the wrong content type", "locale=en", "application/x-www-form-urlencoded", 415],
      ["no content type", JSON.stringify({ locale: "en" }), "", 415],
      ["invalid UTF-8", Buffer.concat([Buffer.from('{"locale":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), "application/json", 400],
      ["an oversized body", JSON.stringify({ locale: "en", pad: "x".repeat(8000) }), "application/json", 413],
    ];
    for (const [what, body, type, status] of BAD) {
      it(`refuses ${what} with ${status} problem+json and changes nothing`, async () => {
        const res = await patch(writeToken, body, type);
        assert.equal(res.status, status);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
        const problem = (await res.json()) as { status: number; title: string; detail: string };
        assert.equal(problem.status, status);
        assert.ok(problem.detail.length > 0);
        assert.equal(await localeOfEditor(), "ug");
      });
    }

    it("names the offending field in a 422", async () => {
      const res = await patch(writeToken, JSON.stringify({ locale: "en", admin: true }));
      const problem = (await res.json()) as { errors?: Record<string, string> };
      assert.ok(problem.errors && Object.keys(problem.errors).length > 0);
    });

    it("requires the CSRF header when the API is called with a session cookie", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      const without = await client.request("/api/v1/me", { method: "PATCH", body: JSON.stringify({ locale: "en" }), headers: { "content-type": "application/json", origin: "http://vigil.test" } });
      assert.equal(without.status, 403);
      assert.equal(await localeOfEditor(), "ug");
      const token = csrfFrom(await (await client.get("/account")).text());
      const withHeader = await client.request("/api/v1/me", { method: "PATCH", body: JSON.stringify({ locale: null }), headers: { "content-type": "application/json", "x-csrf-token": token, origin: "http://vigil.test" } });
      assert.equal(withHeader.status, 200);
      assert.equal(await localeOfEditor(), null);
    });

    it("publishes an OpenAPI 3.1 document describing its routes", async () => {
      const doc = (await (await Client.for(services).get("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.equal(doc.openapi, "3.1.0");
      assert.ok(doc.paths["/api/v1/me"]?.get && doc.paths["/api/v1/me"]?.patch);
      assert.ok(doc.paths["/healthz"]?.get);
    });
  });
}
