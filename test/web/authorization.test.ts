import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { inviteMember } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { ROLES, type Role } from "../../src/core/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initVaultKeys, operatorCaller, receiveEvidence, unsealVault } from "../../src/evidence/index.ts";
import { formatX25519Identity, parseX25519Identity } from "../../src/vault/index.ts";

/**
 * Every route × every role, plus anonymous and a member of another organisation.
 * A route added to the application without a row here fails the first test.
 *   public  — anyone, signed in or not
 *   member  — anyone signed in to this organisation; anonymous is sent to sign in (401 on the API)
 *   admin   — administrators only; the other roles get 403
 *   reader  — every role but partner; a partner gets 403
 *   documenter — administrators, editors and researchers; viewers and partners get 403
 */
type Access = "public" | "member" | "admin" | "reader" | "documenter";
const TABLE: Record<string, Access> = {
  "GET /static/:name": "public",
  "GET /healthz": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/me": "member",
  "PATCH /api/v1/me": "member",
  "GET /setup": "public",
  "POST /setup": "public",
  "GET /login": "public",
  "POST /login": "public",
  "GET /login/second-factor": "member",
  "POST /login/second-factor": "member",
  "POST /logout": "public",
  "GET /language/:locale": "public",
  "GET /invite/:token": "public",
  "POST /invite/:token": "public",
  "GET /": "member",
  "GET /admin/users": "admin",
  "POST /admin/users/invite": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/role": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deactivate": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/reactivate": "admin",
  "POST /admin/invitations/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "admin",
  "POST /admin/organisation": "admin",
  "GET /admin/audit": "admin",
  "GET /account": "member",
  "POST /account/password": "member",
  "POST /account/preferences": "member",
  "POST /account/tokens": "member",
  "POST /account/tokens/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "member",
  "POST /account/sessions/revoke-all": "member",
  "GET /account/second-factor": "member",
  "POST /account/second-factor": "member",
  "POST /account/second-factor/disable": "member",
  "POST /account/recovery-codes": "member",
  // Custody ledger: hashes for anyone signed in while the log is private (the default), entries for its admins.
  "GET /ledger/:org/checkpoint": "member",
  "GET /ledger/:org/tile/entries/*": "admin",
  "GET /ledger/:org/tile/*": "member",
  "GET /api/v1/ledger/:org/proof/inclusion": "member",
  "GET /api/v1/ledger/:org/proof/consistency": "member",
  "POST /api/v1/ledger/settings": "admin",
  // Documentation records: an outsider's made-up id is not found; a partner sees none.
  "GET /api/v1/entities": "reader",
  "POST /api/v1/entities": "documenter",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "PATCH /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "documenter",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/archive": "documenter",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/restore": "documenter",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/history": "reader",
  // Screening: whoever reads records matches names against what they may see.
  "POST /api/v1/match/:dataset": "reader",
  "GET /screening": "reader",
  "POST /screening": "reader",
  "POST /screening/report.csv": "reader",
  // Evidence: an outsider gets 404 for our item; the vault's keys are the administrators'.
  "GET /api/v1/evidence": "reader",
  "POST /api/v1/evidence": "documenter",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/metadata": "reader",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/content": "reader",
  "POST /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/redacted": "documenter",
  "GET /evidence": "reader",
  "POST /evidence": "documenter",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/download": "reader",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/preview": "reader",
  "POST /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/redact": "documenter",
  "GET /admin/vault": "admin",
  "POST /admin/vault/init": "admin",
  "POST /admin/vault/unseal": "admin",
  // Last of the vault's rows: it seals the vault, which each caller's run unseals again first.
  "POST /admin/vault/seal": "admin",
};

type Caller = Role | "anonymous" | "outsider";
const ROLES_OF: Partial<Record<Access, readonly Role[]>> = { reader: ["admin", "editor", "researcher", "viewer"], documenter: ["admin", "editor", "researcher"] };
const CALLERS: Caller[] = ["anonymous", ...ROLES, "outsider"];

for (const target of databaseTargets()) {
  describe(`authorization table on ${target.name}`, () => {
    let services: TestServices;
    const emails = new Map<Caller, string>();
    let targetUserId = "";
    let invitationId = "";
    let evidenceId = "";
    let vaultKey = "";
    before(async () => {
      services = await openTestServices(target, { dataDir: mkdtempSync(join(tmpdir(), "vigil-authz-")) });
      const org = await setUpOrganisation(services);
      emails.set("admin", org.adminEmail);
      const { principal: admin } = await sessionFor(services, org.adminEmail);
      for (const role of ROLES.filter((r) => r !== "admin")) emails.set(role, (await addMember(services, admin, role, `${role}@watch.example`)).principal.user.email);
      targetUserId = (await addMember(services, admin, "viewer", "target@watch.example")).userId;
      invitationId = (await inviteMember(services, NO_ORIGIN, admin, { email: "pending@watch.example", role: "viewer" })).id;
      const other = await addOrganisation(services, "elsewhere");
      emails.set("outsider", other.adminEmail);
      const operator = operatorCaller(org.orgId);
      await initVaultKeys(services, NO_ORIGIN, operator, { passphrase: "the vault passphrase here" }, { logN: 10 });
      await unsealVault(services, NO_ORIGIN, operator, { passphrase: "the vault passphrase here" });
      vaultKey = formatX25519Identity(services.keyring.identity(org.orgId)!);
      evidenceId = (await receiveEvidence(services, NO_ORIGIN, operator, { source: [Buffer.from("a witness statement")], filename: "statement.txt", claimedType: null })).id;
    });
    after(async () => {
      await services.close();
    });

    it("has a row for every route of the application, and no row for a route that is gone", () => {
      const app = createApp(services);
      const routes = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
      const missing = [...routes].filter((r) => !(r in TABLE));
      const stale = Object.keys(TABLE).filter((r) => !routes.has(r));
      assert.deepEqual(missing, [], "routes without a row in the authorization table");
      assert.deepEqual(stale, [], "rows for routes that do not exist");
    });

    // Routes whose made-up record is rightly not found by an allowed caller (and every record route:
    // the id given is a user's, not a record's).
    const NO_SUCH_TOKEN = "00000000-0000-4000-8000-000000000000";
    const EXPECTED_404 = new Set(["/account/tokens/" + NO_SUCH_TOKEN + "/revoke", "/invite/vgi_not-a-real-invitation", "/ledger/watch/tile/entries/*", "/ledger/watch/tile/*"]);

    function concrete(route: string): string {
      const path = route.split(" ")[1]!;
      const id = path.startsWith("/admin/invitations") ? invitationId : path.startsWith("/account/tokens") ? NO_SUCH_TOKEN : /^\/(api\/v1\/)?evidence\//.test(path) ? evidenceId : targetUserId;
      return path
        .replace(/:id\{.*\{12\}\}/, id)
        .replace(":name", "vigil.css")
        .replace(":locale", "ug")
        .replace(":org", "watch")
        .replace(":token", "vgi_not-a-real-invitation");
    }

    const BODIES: Record<string, Record<string, string>> = {
      "/admin/users/invite": { email: "new@watch.example", role: "viewer" },
      "/admin/organisation": { requireTotp: "" },
      "/role": { role: "viewer" },
      "/account/preferences": { locale: "" },
      "/admin/vault/init": { passphrase: "an outsider's own vault passphrase" },
      "/admin/vault/unseal": { passphrase: "an outsider's own vault passphrase" },
      "/screening": { csv: "name\nIlham Tohti" },
      "/screening/report.csv": { csv: "Ilham Tohti" },
    };

    for (const caller of CALLERS) {
      it(`gives ${caller} exactly what the table allows`, async () => {
        const problems: string[] = [];
        // An earlier caller's run may have sealed the vault (POST /admin/vault/seal).
        const orgId = (await services.db.selectFrom("organisations").select("id").where("slug", "=", "watch").executeTakeFirstOrThrow()).id;
        services.keyring.unseal(orgId, parseX25519Identity(vaultKey));
        for (const [route, access] of Object.entries(TABLE)) {
          const client = Client.for(services);
          const email = emails.get(caller);
          if (email) await client.signIn(email);
          const [method] = route.split(" ");
          const path = concrete(route);
          let res: Response;
          if (method === "GET") res = await client.get(path);
          else if (method === "PATCH") {
            const token = email ? csrfFrom(await (await client.get("/account")).text()) : "";
            res = await client.request(path, { method, body: JSON.stringify({ locale: null }), headers: { "content-type": "application/json", "x-csrf-token": token, origin: "http://vigil.test" } });
          }
          else {
            const source = email ? "/account" : "/login";
            const token = csrfFrom(await (await client.get(source)).text());
            const key = Object.keys(BODIES).find((k) => path.endsWith(k));
            res = await client.post(path, { _csrf: token, ...(key ? BODIES[key] : {}) });
          }
          const location = res.headers.get("location") ?? "";
          const sentToSignIn = (res.status === 303 && location.startsWith("/login")) || res.status === 401;
          const refused = res.status === 403 || res.status === 404;
          if (res.status >= 500) problems.push(`${route}: ${res.status}`);
          if (access === "public") {
            if (res.status === 401 || res.status === 403) problems.push(`${route}: public but ${res.status}`);
          } else if (caller === "anonymous") {
            if (!sentToSignIn) problems.push(`${route}: anonymous got ${res.status} ${location}`);
          } else if (access === "admin" && caller !== "admin") {
            // An outsider's admin is an admin elsewhere: our records must be invisible or refused.
            const ok = caller === "outsider" ? refused || (res.status < 400 && !path.includes(targetUserId) && !path.includes(invitationId)) : res.status === 403;
            if (!ok) problems.push(`${route}: ${caller} got ${res.status}`);
          } else if (caller === "outsider" && evidenceId && path.includes(evidenceId)) {
            if (res.status !== 404) problems.push(`${route}: outsider got ${res.status}, not 404`);
          } else if (caller !== "outsider" && ROLES_OF[access] && !ROLES_OF[access].includes(caller)) {
            if (res.status !== 403) problems.push(`${route}: ${caller} got ${res.status}, not 403`);
          } else if (res.status === 404 && !EXPECTED_404.has(path) && !path.startsWith("/api/v1/entities/")) {
            problems.push(`${route}: ${caller} got 404`);
          } else if (res.status === 401 || res.status === 403 || (sentToSignIn && !route.includes("logout") && !route.includes("revoke-all"))) {
            problems.push(`${route}: ${caller} refused with ${res.status} ${location}`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }

    it("left the target account as the admin's actions set it, and nothing from refused callers", async () => {
      const target = await services.db.selectFrom("memberships").select("role").where("user_id", "=", targetUserId).executeTakeFirstOrThrow();
      assert.equal(target.role, "viewer");
      const invitations = await services.db.selectFrom("invitations").select(["email", "org_id"]).where("email", "=", "new@watch.example").execute();
      assert.ok(invitations.length <= 2, "only the two admins (ours and the outsider in their own organisation) could invite");
    });
  });
}
