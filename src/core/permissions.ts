import type { Role, Scope } from "./roles.ts";

/**
 * Every access decision in Vigil, in one place, as (actor, action, record) → yes or no.
 * Services call `authorize` before they read or write; routes never decide.
 * Read top to bottom, this file is the whole policy.
 */

export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  /** null for a signed-in person; the token's scopes for a script. */
  scopes: readonly Scope[] | null;
}

/** The records an action applies to. Later issues add their own kinds here. */
export type Subject =
  | { kind: "organisation"; orgId: string }
  | { kind: "user"; orgId: string; userId: string }
  | { kind: "audit"; orgId: string }
  | { kind: "own-account"; userId: string }
  /** An organisation's custody ledger. */
  | { kind: "ledger"; orgId: string };

export type Action =
  | "organisation.view"
  | "organisation.configure"
  | "user.list"
  | "user.invite"
  | "user.change-role"
  | "user.deactivate"
  | "audit.read"
  | "account.view"
  | "account.manage"
  | "ledger.read-hashes"
  | "ledger.read-entries"
  | "ledger.configure";

/** What a token needs among its scopes to perform an action. */
const SCOPE_OF: Record<Action, Scope> = {
  "organisation.view": "read",
  "organisation.configure": "admin",
  "user.list": "admin",
  "user.invite": "admin",
  "user.change-role": "admin",
  "user.deactivate": "admin",
  "audit.read": "admin",
  "account.view": "read",
  "account.manage": "write",
  "ledger.read-hashes": "read",
  "ledger.read-entries": "admin",
  "ledger.configure": "admin",
};

function sameOrganisation(actor: Actor, action: Action, subject: Subject): boolean {
  // A log's hashes are checked by whoever holds a copy: partners and other organisations included.
  if (action === "ledger.read-hashes") return true;
  return !("orgId" in subject) || subject.orgId === actor.orgId;
}

function tokenAllows(actor: Actor, action: Action): boolean {
  if (actor.scopes === null) return true;
  const needed = SCOPE_OF[action];
  // admin implies write implies read.
  if (actor.scopes.includes("admin")) return true;
  if (needed === "write") return actor.scopes.includes("write");
  if (needed === "read") return actor.scopes.includes("read") || actor.scopes.includes("write");
  return false;
}

function roleAllows(actor: Actor, action: Action, subject: Subject): boolean {
  switch (action) {
    case "organisation.view":
      return actor.role !== "partner";
    case "organisation.configure":
    case "user.list":
    case "user.invite":
    case "audit.read":
      return actor.role === "admin";
    case "user.change-role":
    case "user.deactivate":
      // An admin manages others; nobody demotes or deactivates themself by accident here.
      return actor.role === "admin" && subject.kind === "user" && subject.userId !== actor.userId;
    case "ledger.read-hashes":
      // Hashes and checkpoints reveal only how many events there were and when.
      return true;
    case "ledger.read-entries":
    case "ledger.configure":
      return actor.role === "admin";
    case "account.view":
    case "account.manage":
      return subject.kind === "own-account" && subject.userId === actor.userId;
  }
}

export function can(actor: Actor, action: Action, subject: Subject): boolean {
  return sameOrganisation(actor, action, subject) && tokenAllows(actor, action) && roleAllows(actor, action, subject);
}
