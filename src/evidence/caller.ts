import type { Principal } from "../accounts/index.ts";
import { requirePermission } from "../audit/index.ts";
import { can, type Action, type Actor, type Subject } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";

/**
 * Who asks the vault for something: a person (page or API), or the operator at the server's
 * console (`vigil` commands), who already holds the data directory and needs no role.
 */
export type Caller =
  | { kind: "person"; actor: Actor; pseudonym: string }
  | { kind: "operator"; orgId: string };

export function personCaller(principal: Principal): Caller {
  return { kind: "person", actor: principal.actor, pseudonym: principal.user.pseudonym };
}

export function operatorCaller(orgId: string): Caller {
  return { kind: "operator", orgId };
}

export function orgOf(caller: Caller): string {
  return caller.kind === "person" ? caller.actor.orgId : caller.orgId;
}

/** The pseudonymous id written into custody-ledger leaves. */
export function ledgerActor(caller: Caller): string {
  return caller.kind === "person" ? caller.pseudonym : "operator:cli";
}

export function auditActor(caller: Caller): { actorId: string | null; actorLabel: string | null } {
  return caller.kind === "person" ? { actorId: caller.actor.userId, actorLabel: null } : { actorId: null, actorLabel: "cli" };
}

/** Refuses (and records the refusal) unless the caller may do `action`. */
export async function authorizeCaller(services: Services, origin: Origin, caller: Caller, action: Action, subject: Subject, target: { type: string; id: string | null }): Promise<void> {
  if (caller.kind === "operator") return;
  await requirePermission(services, origin, can(caller.actor, action, subject), caller.actor, action, target);
}
