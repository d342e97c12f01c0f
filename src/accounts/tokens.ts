import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Forbidden, hashToken, NotFound, randomToken, SCOPES, type Role, type Scope } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { parseInput } from "./input.ts";
import { requireOwnAccount } from "./users.ts";
import { API_TOKEN_PREFIX, type Principal } from "./principal.ts";

export const TokenSchema = z.object({
  name: z.string().trim().min(1, "required").max(100, "at most 100 characters"),
  scopes: z.array(z.enum(SCOPES)).min(1, "choose at least one scope"),
  expiresInDays: z.coerce.number().int().min(1).max(365).nullable().default(90),
});

/** A token never carries more than its user's role allows. */
export function scopesAllowed(role: Role): Scope[] {
  if (role === "admin") return ["read", "write", "admin"];
  if (role === "viewer" || role === "partner") return ["read"];
  return ["read", "write"];
}

export interface CreatedToken {
  id: string;
  token: string;
  expiresAt: Date | null;
}

export interface TokenHolder {
  userId: string;
  orgId: string;
  role: Role;
  /** The person who asked for it, or null when the operator did from the CLI. */
  actorId: string | null;
}

/**
 * Issues a token for a holder, within the scopes the holder's role allows. The one place where
 * tokens are made: the account page and `vigil token create` both come here.
 */
export async function issueApiToken(services: Services, origin: Origin, holder: TokenHolder, input: z.output<typeof TokenSchema>): Promise<CreatedToken> {
  const allowed = scopesAllowed(holder.role);
  const refused = input.scopes.filter((s) => !allowed.includes(s));
  if (refused.length) throw new Forbidden(`the role does not allow the scope ${refused.join(", ")}`);
  const token = randomToken(API_TOKEN_PREFIX);
  const id = randomUUID();
  const expiresAt = input.expiresInDays === null ? null : new Date(services.now().getTime() + input.expiresInDays * 86_400_000);
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("api_tokens")
      .values({ id, user_id: holder.userId, org_id: holder.orgId, name: input.name, token_hash: hashToken(token), scopes: [...new Set(input.scopes)], expires_at: expiresAt })
      .execute();
    await recordAudit(tx, origin, {
      orgId: holder.orgId,
      actorId: holder.actorId,
      actorLabel: holder.actorId ? null : "cli",
      action: "account.token.create",
      targetType: "api-token",
      targetId: id,
      details: { name: input.name, scopes: input.scopes, holder: holder.userId },
    });
  });
  return { id, token, expiresAt };
}

export async function createApiToken(services: Services, origin: Origin, principal: Principal, raw: unknown): Promise<CreatedToken> {
  const input = parseInput(TokenSchema, raw);
  // A script cannot mint itself new tokens: tokens are made by a person or by the local CLI.
  if (principal.via === "token") throw new Forbidden("API tokens cannot create tokens");
  return issueApiToken(services, origin, { userId: principal.user.id, orgId: principal.org.id, role: principal.actor.role, actorId: principal.user.id }, input);
}

export async function listApiTokens(services: Services, principal: Principal) {
  return services.db
    .selectFrom("api_tokens")
    .select(["id", "name", "scopes", "expires_at", "last_used_at", "created_at"])
    .where("user_id", "=", principal.user.id)
    .where("org_id", "=", principal.org.id)
    .where("revoked_at", "is", null)
    .orderBy("created_at", "desc")
    .execute();
}

export async function revokeApiToken(services: Services, origin: Origin, principal: Principal, tokenId: string): Promise<void> {
  await requireOwnAccount(services, origin, principal, "account.token.revoke");
  await services.db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable("api_tokens")
      .set({ revoked_at: services.now() })
      .where("id", "=", tokenId)
      .where("user_id", "=", principal.user.id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFound("no such token");
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.token.revoke", targetType: "api-token", targetId: tokenId });
  });
}
