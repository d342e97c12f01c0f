import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  acceptInvitation, changePassword, changeRole, completeSecondFactor, completeSetup, confirmEnrolment, createApiToken,
  disableSecondFactor, inviteMember, isSetupComplete, listMembers, principalFromBearer, principalFromSession, revokeApiToken,
  setActive, signIn, signOutEverywhere, startEnrolment, configureOrganisation, listSessions,
} from "../../src/accounts/index.ts";
import { Conflict, decodeBase32, Forbidden, Invalid, NotFound, TooManyRequests, totp, Unauthenticated } from "../../src/core/index.ts";
import { NO_ORIGIN, type Origin } from "../../src/context.ts";
import { listAuditEvents, AuditFilterSchema } from "../../src/audit/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, PASSWORD, sessionFor, setUpOrganisation, type Organisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-test-1", ip: "203.0.113.7", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`accounts on ${target.name}`, () => {
    let services: TestServices;
    let org: Organisation;
    before(async () => {
      services = await openTestServices(target);
      org = await setUpOrganisation(services);
    });
    after(async () => {
      await services.close();
    });

    describe("first-run setup", () => {
      it("locks itself once done", async () => {
        assert.equal(await isSetupComplete(services), true);
        await assert.rejects(
          completeSetup(services, NO_ORIGIN, { organisationName: "Other", organisationSlug: "other", name: "X", email: "x@other.example", password: PASSWORD }),
          Conflict,
        );
        const orgs = await services.db.selectFrom("organisations").select("slug").execute();
        assert.deepEqual(orgs.map((o) => o.slug), ["watch"]);
      });
    });

    describe("signing in", () => {
      it("gives the same answer for a wrong password and an unknown account", async () => {
        const wrong = await signIn(services, FROM, { email: org.adminEmail, password: "not the password at all" }).catch((e: unknown) => e);
        const unknown = await signIn(services, FROM, { email: "nobody@watch.example", password: "not the password at all" }).catch((e: unknown) => e);
        assert.ok(wrong instanceof Unauthenticated && unknown instanceof Unauthenticated);
        assert.equal(wrong.message, unknown.message);
      });

      it("records failed sign-ins in the audit trail with the address tried", async () => {
        const failures = await services.db.selectFrom("audit_events").selectAll().where("action", "=", "auth.sign-in").where("outcome", "=", "failed").execute();
        assert.ok(failures.length >= 2);
        assert.ok(failures.some((f) => f.actor_label === "nobody@watch.example" && f.ip === "203.0.113.7" && f.request_id === "req-test-1"));
        assert.ok(failures.every((f) => !JSON.stringify(f.details).includes("not the password")));
      });

      it("throttles an account after five failures with a growing delay, whether or not it exists", async () => {
        for (const email of ["throttle@watch.example", org.adminEmail]) {
          const origin = { ...FROM, ip: null };
          await services.db.deleteFrom("login_throttle").execute();
          for (let i = 0; i < 5; i++) await assert.rejects(signIn(services, origin, { email, password: "wrong wrong wrong" }), Unauthenticated);
          const first = await signIn(services, origin, { email, password: PASSWORD }).catch((e: unknown) => e);
          assert.ok(first instanceof TooManyRequests, `${email}: refused even with the right password while throttled`);
          services.clock.advanceSeconds(first.retryAfterSeconds + 1);
          await assert.rejects(signIn(services, origin, { email, password: "wrong wrong wrong" }), Unauthenticated);
          const second = await signIn(services, origin, { email, password: PASSWORD }).catch((e: unknown) => e);
          assert.ok(second instanceof TooManyRequests);
          assert.ok(second.retryAfterSeconds > first.retryAfterSeconds, "the delay grows");
          services.clock.advanceSeconds(second.retryAfterSeconds + 1);
        }
        const ok = await signIn(services, { ...FROM, ip: null }, { email: org.adminEmail, password: PASSWORD });
        assert.ok(ok.token.startsWith("vs_"));
      });

      it("throttles an address that tries many accounts", async () => {
        await services.db.deleteFrom("login_throttle").execute();
        const origin = { ...FROM, ip: "198.51.100.9" };
        for (let i = 0; i < 5; i++) await assert.rejects(signIn(services, origin, { email: `spray${i}@watch.example`, password: "wrong wrong wrong" }), Unauthenticated);
        await assert.rejects(signIn(services, origin, { email: org.adminEmail, password: PASSWORD }), TooManyRequests);
        await services.db.deleteFrom("login_throttle").execute();
      });

      it("ends a session after the idle time and after the absolute lifetime", async () => {
        const { token } = await sessionFor(services, org.adminEmail);
        services.clock.advance((services.config.sessionIdleMinutes - 1) * 60_000);
        assert.ok(await principalFromSession(services, token));
        services.clock.advance((services.config.sessionIdleMinutes + 1) * 60_000);
        assert.equal(await principalFromSession(services, token), null);
        const second = await sessionFor(services, org.adminEmail);
        for (let h = 0; h < services.config.sessionMaxHours; h++) {
          services.clock.advance(20 * 60_000);
          await principalFromSession(services, second.token);
          services.clock.advance(20 * 60_000);
          await principalFromSession(services, second.token);
          services.clock.advance(20 * 60_000);
          await principalFromSession(services, second.token);
        }
        assert.equal(await principalFromSession(services, second.token), null, "absolute expiry despite activity");
      });

      it("refuses tampered and foreign session tokens", async () => {
        const { token } = await sessionFor(services, org.adminEmail);
        assert.equal(await principalFromSession(services, `${token.slice(0, -2)}xx`), null);
        assert.equal(await principalFromSession(services, "vs_" + "A".repeat(43)), null);
        assert.equal(await principalFromSession(services, "garbage"), null);
      });
    });

    describe("members and roles", () => {
      it("lets an admin invite, and the invitation works exactly once", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const invitation = await inviteMember(services, FROM, admin, { email: "Editor@Watch.example", role: "editor" });
        await acceptInvitation(services, FROM, invitation.token, { name: "Erkin Editor", password: PASSWORD });
        await assert.rejects(acceptInvitation(services, FROM, invitation.token, { name: "Again", password: PASSWORD }), NotFound);
        const members = await listMembers(services, FROM, admin);
        assert.ok(members.some((m) => m.email === "editor@watch.example" && m.role === "editor"));
      });

      it("refuses an expired or withdrawn invitation", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const expired = await inviteMember(services, FROM, admin, { email: "late@watch.example", role: "viewer" });
        services.clock.advance((services.config.invitationDays + 1) * 86_400_000);
        await assert.rejects(acceptInvitation(services, FROM, expired.token, { name: "Late", password: PASSWORD }), NotFound);
        const { principal: admin2 } = await sessionFor(services, org.adminEmail);
        const replaced = await inviteMember(services, FROM, admin2, { email: "twice@watch.example", role: "viewer" });
        await inviteMember(services, FROM, admin2, { email: "twice@watch.example", role: "viewer" });
        await assert.rejects(acceptInvitation(services, FROM, replaced.token, { name: "Twice", password: PASSWORD }), NotFound);
        const users = await services.db.selectFrom("users").select("email").where("email", "in", ["late@watch.example", "twice@watch.example"]).execute();
        assert.equal(users.length, 0);
      });

      it("refuses a weak password on acceptance and leaves the invitation usable", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const invitation = await inviteMember(services, FROM, admin, { email: "weak@watch.example", role: "viewer" });
        await assert.rejects(acceptInvitation(services, FROM, invitation.token, { name: "Weak", password: "short" }), Invalid);
        await assert.rejects(acceptInvitation(services, FROM, invitation.token, { name: "Weak Person", password: "weakperson-weakperson" }), Invalid);
        await acceptInvitation(services, FROM, invitation.token, { name: "Weak", password: PASSWORD });
      });

      it("refuses every member-management action to lower roles, and audits the refusal", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        for (const role of ["editor", "researcher", "viewer", "partner"] as const) {
          const { principal, userId } = await addMember(services, admin, role, `${role}-low@watch.example`);
          await assert.rejects(listMembers(services, FROM, principal), Forbidden);
          await assert.rejects(inviteMember(services, FROM, principal, { email: "x@watch.example", role: "admin" }), Forbidden);
          await assert.rejects(changeRole(services, FROM, principal, userId, { role: "admin" }), Forbidden);
          await assert.rejects(setActive(services, FROM, principal, org.adminId, false), Forbidden);
          await assert.rejects(listAuditEvents(services, FROM, principal.actor, AuditFilterSchema.parse({})), Forbidden);
          const row = await services.db.selectFrom("memberships").select("role").where("user_id", "=", userId).executeTakeFirstOrThrow();
          assert.equal(row.role, role, "nothing changed");
          const denied = await services.db.selectFrom("audit_events").select("action").where("actor_id", "=", userId).where("outcome", "=", "denied").execute();
          assert.ok(denied.length >= 5);
        }
      });

      it("keeps organisations apart: another organisation's admin cannot touch our members", async () => {
        const other = await addOrganisation(services, "elsewhere");
        const { principal: outsider } = await sessionFor(services, other.adminEmail);
        await assert.rejects(changeRole(services, FROM, outsider, org.adminId, { role: "viewer" }), NotFound);
        await assert.rejects(setActive(services, FROM, outsider, org.adminId, false), NotFound);
        const members = await listMembers(services, FROM, outsider);
        assert.ok(members.every((m) => m.email.endsWith("@elsewhere.example")));
        const page = await listAuditEvents(services, FROM, outsider.actor, AuditFilterSchema.parse({ limit: 200 }));
        assert.ok(page.events.every((e) => e.org_id === other.orgId));
      });

      it("never leaves an organisation without an active admin", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const second = await addMember(services, admin, "admin", "second-admin@watch.example");
        await setActive(services, FROM, second.principal, org.adminId, false);
        await assert.rejects(changeRole(services, FROM, second.principal, second.userId, { role: "viewer" }), Forbidden);
        await setActive(services, FROM, admin, second.userId, false).catch(() => undefined);
        const active = await services.db
          .selectFrom("memberships as m").innerJoin("users as u", "u.id", "m.user_id")
          .select("u.email").where("m.role", "=", "admin").where("u.deactivated_at", "is", null).where("m.org_id", "=", org.orgId).execute();
        assert.ok(active.length >= 1);
        await setActive(services, FROM, second.principal, org.adminId, true);
      });

      it("ends a deactivated person's sessions and tokens at once, and keeps their record", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const member = await addMember(services, admin, "researcher", "leaving@watch.example");
        const token = await createApiToken(services, FROM, member.principal, { name: "script", scopes: ["read"] });
        await setActive(services, FROM, admin, member.userId, false);
        assert.equal(await principalFromSession(services, member.token), null);
        assert.equal(await principalFromBearer(services, token.token), null);
        await assert.rejects(signIn(services, FROM, { email: "leaving@watch.example", password: PASSWORD }), Unauthenticated);
        const row = await services.db.selectFrom("users").select(["name", "deactivated_at"]).where("id", "=", member.userId).executeTakeFirstOrThrow();
        assert.ok(row.deactivated_at);
        assert.equal(row.name, "researcher person");
      });
    });

    describe("second factor", () => {
      it("enrols, then requires a code at sign-in, refuses replay, accepts a recovery code once", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const member = await addMember(services, admin, "editor", "twofa@watch.example");
        const enrolment = await startEnrolment(services, member.principal);
        const again = await startEnrolment(services, member.principal);
        assert.equal(again.secret, enrolment.secret, "the page shows the same secret until confirmed");
        const secret = decodeBase32(enrolment.secret);
        await assert.rejects(confirmEnrolment(services, FROM, member.principal, "000000"), Invalid);
        const codes = await confirmEnrolment(services, FROM, member.principal, totp(secret, services.now()));
        assert.equal(codes.length, 10);

        const first = await signIn(services, FROM, { email: "twofa@watch.example", password: PASSWORD });
        assert.equal(first.secondFactorPending, true);
        const pending = (await principalFromSession(services, first.token))!;
        assert.equal(pending.secondFactorPending, true);
        services.clock.advanceSeconds(30);
        const code = totp(secret, services.now());
        const done = await completeSecondFactor(services, FROM, pending, code);
        assert.equal(await principalFromSession(services, first.token), null, "the pending session is replaced");
        assert.equal((await principalFromSession(services, done.token))!.secondFactorPending, false);

        const second = await signIn(services, FROM, { email: "twofa@watch.example", password: PASSWORD });
        const pending2 = (await principalFromSession(services, second.token))!;
        await assert.rejects(completeSecondFactor(services, FROM, pending2, code), Unauthenticated, "the same code cannot be used twice");
        await completeSecondFactor(services, FROM, pending2, codes[0]!.toUpperCase());

        const third = await signIn(services, FROM, { email: "twofa@watch.example", password: PASSWORD });
        const pending3 = (await principalFromSession(services, third.token))!;
        await assert.rejects(completeSecondFactor(services, FROM, pending3, codes[0]!), Unauthenticated, "a recovery code works once");
      });

      it("throttles wrong codes", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const member = await addMember(services, admin, "editor", "guess@watch.example");
        const enrolment = await startEnrolment(services, member.principal);
        await confirmEnrolment(services, FROM, member.principal, totp(decodeBase32(enrolment.secret), services.now()));
        const s = await signIn(services, FROM, { email: "guess@watch.example", password: PASSWORD });
        const pending = (await principalFromSession(services, s.token))!;
        for (let i = 0; i < 5; i++) await assert.rejects(completeSecondFactor(services, FROM, pending, String(100000 + i)), Unauthenticated);
        await assert.rejects(completeSecondFactor(services, FROM, pending, "123456"), TooManyRequests);
      });

      it("applies an organisation's requirement at the next sign-in, and forbids turning it off", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const member = await addMember(services, admin, "viewer", "required@watch.example");
        await configureOrganisation(services, FROM, admin, { requireTotp: true });
        const s = await signIn(services, FROM, { email: "required@watch.example", password: PASSWORD });
        assert.equal(s.secondFactorPending, true, "must enrol before going further");
        const pending = (await principalFromSession(services, s.token))!;
        assert.equal(pending.user.totpEnabled, false);
        await assert.rejects(configureOrganisation(services, FROM, member.principal, { requireTotp: false }), Forbidden);
        const twofa = await sessionFor(services, "twofa@watch.example").catch(() => null);
        assert.equal(twofa?.principal.secondFactorPending ?? true, true);
        const enrolled = await services.db.selectFrom("users").select("id").where("email", "=", "twofa@watch.example").executeTakeFirstOrThrow();
        const p = (await principalFromSession(services, (await signIn(services, FROM, { email: "twofa@watch.example", password: PASSWORD })).token))!;
        assert.equal(p.user.id, enrolled.id);
        await assert.rejects(disableSecondFactor(services, FROM, { ...p, secondFactorPending: false }, PASSWORD), Forbidden);
        await configureOrganisation(services, FROM, admin, { requireTotp: false });
      });
    });

    describe("passwords, sessions and tokens", () => {
      it("changing the password ends the other sessions and needs the current one", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const member = await addMember(services, admin, "researcher", "mover@watch.example");
        const other = await sessionFor(services, "mover@watch.example");
        await assert.rejects(changePassword(services, FROM, member.principal, { current: "wrong wrong wrong", password: "another long quiet evening" }), Invalid);
        await changePassword(services, FROM, member.principal, { current: PASSWORD, password: "another long quiet evening" });
        assert.equal(await principalFromSession(services, other.token), null);
        assert.ok(await principalFromSession(services, member.token), "this session stays");
        await assert.rejects(signIn(services, FROM, { email: "mover@watch.example", password: PASSWORD }), Unauthenticated);
      });

      it("lists only live sessions on the account page", async () => {
        const member = await sessionFor(services, org.adminEmail);
        const before = await listSessions(services, member.principal);
        assert.ok(before.some((s) => s.id === member.principal.sessionId));
        services.clock.advance((services.config.sessionIdleMinutes + 1) * 60_000);
        const fresh = await sessionFor(services, org.adminEmail);
        const after = await listSessions(services, fresh.principal);
        assert.ok(after.some((s) => s.id === fresh.principal.sessionId));
        assert.ok(!after.some((s) => s.id === member.principal.sessionId), "an idle-expired session is not listed");
      });

      it("signs out everywhere", async () => {
        const a = await sessionFor(services, org.adminEmail);
        const b = await sessionFor(services, org.adminEmail);
        await signOutEverywhere(services, FROM, a.principal);
        assert.equal(await principalFromSession(services, a.token), null);
        assert.equal(await principalFromSession(services, b.token), null);
      });

      it("issues tokens within the role's scopes, expiring, revocable, stored only as hashes", async () => {
        const { principal: admin } = await sessionFor(services, org.adminEmail);
        const viewer = await addMember(services, admin, "viewer", "reader@watch.example");
        await assert.rejects(createApiToken(services, FROM, viewer.principal, { name: "x", scopes: ["write"] }), Forbidden);
        const token = await createApiToken(services, FROM, viewer.principal, { name: "reader", scopes: ["read"], expiresInDays: 1 });
        const stored = await services.db.selectFrom("api_tokens").selectAll().where("id", "=", token.id).executeTakeFirstOrThrow();
        assert.notEqual(stored.token_hash, token.token);
        assert.ok(!JSON.stringify(stored).includes(token.token));
        const viaToken = await principalFromBearer(services, token.token);
        assert.equal(viaToken?.via, "token");
        assert.deepEqual(viaToken?.actor.scopes, ["read"]);
        await assert.rejects(createApiToken(services, FROM, viaToken!, { name: "child", scopes: ["read"] }), Forbidden);
        services.clock.advance(2 * 86_400_000);
        assert.equal(await principalFromBearer(services, token.token), null, "expired");
        const second = await createApiToken(services, FROM, viewer.principal, { name: "again", scopes: ["read"] }).catch(async () => {
          const fresh = await sessionFor(services, "reader@watch.example");
          return createApiToken(services, FROM, fresh.principal, { name: "again", scopes: ["read"] });
        });
        const fresh = await sessionFor(services, "reader@watch.example");
        await revokeApiToken(services, FROM, fresh.principal, second.id);
        assert.equal(await principalFromBearer(services, second.token), null, "revoked");
        await assert.rejects(revokeApiToken(services, FROM, admin, second.id), NotFound, "not someone else's token");
      });
    });
  });
}
