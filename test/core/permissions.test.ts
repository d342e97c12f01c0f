import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { can, ROLES, type Action, type Actor, type Role, type Subject } from "../../src/core/index.ts";

const ORG = "org-1";
const actor = (role: Role, scopes: Actor["scopes"] = null): Actor => ({ userId: "u-1", orgId: ORG, role, scopes });

const ADMIN_ONLY: [Action, Subject][] = [
  ["user.list", { kind: "organisation", orgId: ORG }],
  ["user.invite", { kind: "organisation", orgId: ORG }],
  ["user.change-role", { kind: "user", orgId: ORG, userId: "u-2" }],
  ["user.deactivate", { kind: "user", orgId: ORG, userId: "u-2" }],
  ["audit.read", { kind: "audit", orgId: ORG }],
  ["organisation.configure", { kind: "organisation", orgId: ORG }],
  ["capture.configure", { kind: "organisation", orgId: ORG }],
];

describe("permissions", () => {
  for (const [action, subject] of ADMIN_ONLY) {
    it(`lets only an admin ${action}`, () => {
      for (const role of ROLES) assert.equal(can(actor(role), action, subject), role === "admin", role);
    });
    it(`refuses ${action} on another organisation, even to its admin`, () => {
      assert.equal(can(actor("admin"), action, { ...subject, orgId: "org-2" } as Subject), false);
    });
  }

  it("refuses an admin who would change their own role or deactivate themself", () => {
    assert.equal(can(actor("admin"), "user.change-role", { kind: "user", orgId: ORG, userId: "u-1" }), false);
    assert.equal(can(actor("admin"), "user.deactivate", { kind: "user", orgId: ORG, userId: "u-1" }), false);
  });

  it("lets everyone manage their own account and nobody else's", () => {
    for (const role of ROLES) {
      assert.equal(can(actor(role), "account.manage", { kind: "own-account", userId: "u-1" }), true);
      assert.equal(can(actor(role), "account.manage", { kind: "own-account", userId: "u-2" }), false);
    }
  });

  it("keeps a partner out of the organisation's own view", () => {
    assert.equal(can(actor("partner"), "organisation.view", { kind: "organisation", orgId: ORG }), false);
    assert.equal(can(actor("viewer"), "organisation.view", { kind: "organisation", orgId: ORG }), true);
  });

  it("lets those who document link evidence and capture pages, and nobody else, a read token included", () => {
    const evidence: Subject = { kind: "evidence", orgId: ORG };
    for (const action of ["evidence.link", "evidence.capture"] as const) {
      for (const role of ROLES) assert.equal(can(actor(role), action, evidence), ["admin", "editor", "researcher"].includes(role), `${action} ${role}`);
      assert.equal(can(actor("editor", ["read"]), action, evidence), false);
      assert.equal(can(actor("editor", ["write"]), action, evidence), true);
      assert.equal(can(actor("admin"), action, { kind: "evidence", orgId: "org-2" }), false);
    }
  });

  it("limits a token to its scopes, whatever its user's role", () => {
    const audit: Subject = { kind: "audit", orgId: ORG };
    assert.equal(can(actor("admin", ["read"]), "audit.read", audit), false);
    assert.equal(can(actor("admin", ["admin"]), "audit.read", audit), true);
    const own: Subject = { kind: "own-account", userId: "u-1" };
    assert.equal(can(actor("editor", ["read"]), "account.manage", own), false);
    assert.equal(can(actor("editor", ["write"]), "account.manage", own), true);
    assert.equal(can(actor("editor", ["read"]), "account.view", own), true);
    assert.equal(can(actor("editor", []), "account.view", own), false);
  });
});
