import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { PASSWORD, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

for (const target of databaseTargets()) {
  describe(`web security on ${target.name}`, () => {
    let services: TestServices;
    let adminEmail: string;
    before(async () => {
      services = await openTestServices(target, { maxBodyBytes: 64 * 1024 });
      adminEmail = (await setUpOrganisation(services)).adminEmail;
    });
    after(async () => {
      await services.close();
    });

    it("sends strict security headers on every page", async () => {
      const res = await Client.for(services).get("/login");
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get("referrer-policy"), "same-origin");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("strict-transport-security"), null, "no HSTS over plain HTTP");
      assert.ok(res.headers.get("x-request-id"));
      const html = await res.text();
      assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, "no inline script");
      assert.doesNotMatch(html, /\sstyle=/, "no inline style");
      assert.doesNotMatch(html, /https?:\/\/(?!vigil\.test)[a-z]/i, "no asset from another host");
    });

    it("adds HSTS and Secure, __Host- cookies behind TLS", async () => {
      const tls = { ...services, config: { ...services.config, behindTls: true } };
      const client = Client.for(tls as TestServices);
      const res = await client.get("/login");
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d+/);
      const cookie = res.headers.getSetCookie().find((c) => c.includes("vigil_pre"));
      assert.ok(cookie?.startsWith("__Host-vigil_pre="));
      assert.match(cookie!, /; Secure/i);
      assert.match(cookie!, /HttpOnly/i);
      assert.match(cookie!, /SameSite=Strict/i);
    });

    it("sets the session cookie HttpOnly and SameSite=Strict", async () => {
      const client = Client.for(services);
      const page = await client.get("/login");
      const res = await client.post("/login", { _csrf: csrfFrom(await page.text()), email: adminEmail, password: PASSWORD });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("vigil_session="));
      assert.ok(cookie);
      assert.match(cookie!, /HttpOnly/i);
      assert.match(cookie!, /SameSite=Strict/i);
      assert.match(cookie!, /Path=\//);
    });

    describe("CSRF", () => {
      it("refuses a form without its token and changes nothing", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const res = await client.post("/admin/users/invite", { email: "nocsrf@watch.example", role: "admin" });
        assert.equal(res.status, 403);
        const row = await services.db.selectFrom("invitations").select("id").where("email", "=", "nocsrf@watch.example").executeTakeFirst();
        assert.equal(row, undefined);
      });

      it("refuses a token from another session", async () => {
        const mallory = Client.for(services);
        await mallory.signIn(adminEmail);
        const foreign = csrfFrom(await (await mallory.get("/account")).text());
        const victim = Client.for(services);
        await victim.signIn(adminEmail);
        const res = await victim.post("/admin/users/invite", { _csrf: foreign, email: "foreign@watch.example", role: "admin" });
        assert.equal(res.status, 403);
        assert.equal(await services.db.selectFrom("invitations").select("id").where("email", "=", "foreign@watch.example").executeTakeFirst(), undefined);
      });

      it("refuses a token replayed after sign-out", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const old = csrfFrom(await (await client.get("/account")).text());
        const cookieBefore = client.cookies.get("vigil_session")!;
        await client.post("/logout", { _csrf: old });
        await client.signIn(adminEmail);
        const res = await client.post("/admin/users/invite", { _csrf: old, email: "replay@watch.example", role: "viewer" });
        assert.equal(res.status, 403);
        assert.notEqual(client.cookies.get("vigil_session"), cookieBefore);
      });

      it("refuses a cross-site Origin even with a valid token", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const token = csrfFrom(await (await client.get("/account")).text());
        const res = await client.post("/admin/users/invite", { _csrf: token, email: "xsite@watch.example", role: "viewer" }, { origin: "https://evil.example" });
        assert.equal(res.status, 403);
      });

      it("protects the sign-in form itself", async () => {
        const res = await Client.for(services).post("/login", { email: adminEmail, password: PASSWORD });
        assert.equal(res.status, 403);
        assert.equal(res.headers.getSetCookie().some((c) => c.startsWith("vigil_session=")), false);
      });
    });

    describe("bad input", () => {
      it("refuses an oversized form with 413 and changes nothing", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const res = await client.submit("/account", "/account/tokens", { name: "x".repeat(70 * 1024), scopes: "read" });
        assert.equal(res.status, 413);
        assert.equal(await services.db.selectFrom("api_tokens").select("id").executeTakeFirst(), undefined);
      });

      it("refuses an oversized JSON body on the API with problem+json", async () => {
        const res = await Client.for(services).request("/api/v1/me", { method: "POST", body: "{" + " ".repeat(70 * 1024) + "}", headers: { "content-type": "application/json" } });
        assert.ok([401, 404, 405, 413].includes(res.status));
        assert.equal(res.headers.get("content-type"), "application/problem+json");
      });

      it("refuses a form in the wrong content type", async () => {
        const client = Client.for(services);
        const token = csrfFrom(await (await client.get("/login")).text());
        const res = await client.request("/login", { method: "POST", body: JSON.stringify({ _csrf: token, email: adminEmail, password: PASSWORD }), headers: { "content-type": "application/json", origin: "http://vigil.test", "x-csrf-token": token } });
        assert.equal(res.status, 415);
      });

      it("refuses invalid UTF-8, raw or percent-encoded, with 400", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const token = csrfFrom(await (await client.get("/account")).text());
        const encoded = await client.request("/account/tokens", { method: "POST", body: `_csrf=${token}&name=%FF%FE&scopes=read`, headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://vigil.test" } });
        assert.equal(encoded.status, 400);
        const raw = Buffer.concat([Buffer.from(`_csrf=${token}&scopes=read&name=`), Buffer.from([0xc3, 0x28])]);
        const rawRes = await client.request("/account/tokens", { method: "POST", body: raw, headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://vigil.test" } });
        assert.equal(rawRes.status, 400);
        assert.equal(await services.db.selectFrom("api_tokens").select("id").executeTakeFirst(), undefined);
      });

      it("escapes script in names and strips right-to-left overrides before storing", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const invite = await client.submit("/admin/users", "/admin/users/invite", { email: "script@watch.example", role: "viewer" });
        const link = /id="invite-link"[^>]*value="([^"]+)"/.exec(await invite.text())?.[1];
        assert.ok(link);
        const path = new URL(link!).pathname;
        const guest = Client.for(services);
        const hostile = "<script>alert(1)</script>\u202Egnp.exe";
        const accepted = await guest.submit(path, path, { name: hostile, password: PASSWORD });
        assert.equal(accepted.status, 303);
        const row = await services.db.selectFrom("users").select("name").where("email", "=", "script@watch.example").executeTakeFirstOrThrow();
        assert.equal(row.name, "<script>alert(1)</script>gnp.exe");
        const page = await (await client.get("/admin/users")).text();
        assert.ok(page.includes("&lt;script&gt;alert(1)&lt;/script&gt;gnp.exe"));
        assert.ok(!page.includes("<script>alert(1)"));
      });

      it("refuses overlong fields with a field message and keeps the form", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const res = await client.submit("/admin/users", "/admin/users/invite", { email: `${"a".repeat(300)}@watch.example`, role: "viewer" });
        assert.equal(res.status, 422);
        const html = await res.text();
        assert.match(html, /class="error-summary"/);
        assert.match(html, /id="f-email-error"/);
      });

      it("refuses an unknown role value", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        const res = await client.submit("/admin/users", "/admin/users/invite", { email: "root@watch.example", role: "superuser" });
        assert.equal(res.status, 422);
        assert.equal(await services.db.selectFrom("invitations").select("id").where("email", "=", "root@watch.example").executeTakeFirst(), undefined);
      });

      it("treats a tampered session cookie as signed out and clears it", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        client.cookies.set("vigil_session", `${client.cookies.get("vigil_session")!.slice(0, -3)}abc`);
        const res = await client.get("/account");
        assert.equal(res.status, 303);
        assert.match(res.headers.get("location") ?? "", /^\/login\?next=/);
        assert.equal(client.cookies.has("vigil_session"), false);
      });

      it("sends an expired session back to sign in", async () => {
        const client = Client.for(services);
        await client.signIn(adminEmail);
        services.clock.advance((services.config.sessionIdleMinutes + 5) * 60_000);
        const res = await client.get("/admin/users");
        assert.equal(res.status, 303);
        assert.match(res.headers.get("location") ?? "", /^\/login/);
      });

      it("answers a bad bearer token with 401 problem+json, never as anonymous", async () => {
        for (const header of ["Bearer vgt_nope", "Bearer ", "Basic abc", "Bearer " + "x".repeat(500)]) {
          const res = await Client.for(services).get("/api/v1/me", { authorization: header });
          assert.equal(res.status, 401, header);
          assert.equal(res.headers.get("content-type"), "application/problem+json");
          const body = (await res.json()) as { status: number; requestId: string };
          assert.equal(body.status, 401);
          assert.ok(body.requestId);
        }
      });

      it("refuses an open redirect after sign-in", async () => {
        const client = Client.for(services);
        const page = await client.get("/login?next=//evil.example/x");
        const res = await client.post("/login?next=//evil.example/x", { _csrf: csrfFrom(await page.text()), email: adminEmail, password: PASSWORD });
        assert.equal(res.headers.get("location"), "/");
      });

      it("shows a readable 404 page and a problem+json 404 on the API", async () => {
        const page = await Client.for(services).get("/no/such/page");
        assert.equal(page.status, 404);
        assert.match(page.headers.get("content-type") ?? "", /text\/html/);
        const api = await Client.for(services).get("/api/v1/nothing");
        assert.equal(api.status, 404);
        assert.equal(api.headers.get("content-type"), "application/problem+json");
      });
    });
  });
}
