import { hashToken, isRole, isScope, type Actor, type Scope } from "../core/index.ts";
import type { Services } from "../context.ts";
import { findLiveSession } from "./sessions.ts";

/** Who is calling, resolved from a session cookie or a bearer token. */
export interface Principal {
  actor: Actor;
  user: { id: string; name: string; email: string; locale: string | null; pseudonym: string; totpEnabled: boolean };
  org: { id: string; name: string; slug: string; requireTotp: boolean };
  via: "session" | "token";
  sessionId: string | null;
  tokenId: string | null;
  /** Signed in with a password, second factor not yet given: may only reach the second-factor page. */
  secondFactorPending: boolean;
}

export const API_TOKEN_PREFIX = "vgt";

async function loadPrincipal(
  services: Services,
  userId: string,
  orgId: string,
  scopes: Scope[] | null,
  via: Principal["via"],
  ids: { sessionId: string | null; tokenId: string | null; secondFactorPending: boolean },
): Promise<Principal | null> {
  const row = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .innerJoin("organisations as o", "o.id", "m.org_id")
    .select([
      "u.id", "u.name", "u.email", "u.locale", "u.pseudonym", "u.totp_enabled_at", "u.deactivated_at",
      "m.role", "o.id as org_id", "o.name as org_name", "o.slug as org_slug", "o.require_totp",
    ])
    .where("u.id", "=", userId)
    .where("m.org_id", "=", orgId)
    .executeTakeFirst();
  if (!row || row.deactivated_at || !isRole(row.role)) return null;
  return {
    actor: { userId: row.id, orgId: row.org_id, role: row.role, scopes },
    user: { id: row.id, name: row.name, email: row.email, locale: row.locale, pseudonym: row.pseudonym, totpEnabled: row.totp_enabled_at !== null },
    org: { id: row.org_id, name: row.org_name, slug: row.org_slug, requireTotp: row.require_totp },
    via,
    ...ids,
  };
}

export async function principalFromSession(services: Services, token: string): Promise<Principal | null> {
  const session = await findLiveSession(services, token);
  if (!session) return null;
  return loadPrincipal(services, session.user_id, session.org_id, null, "session", {
    sessionId: session.id,
    tokenId: null,
    secondFactorPending: session.second_factor_pending,
  });
}

export async function principalFromBearer(services: Services, token: string): Promise<Principal | null> {
  if (!token.startsWith(`${API_TOKEN_PREFIX}_`) || token.length > 100) return null;
  const now = services.now();
  const row = await services.db.selectFrom("api_tokens").selectAll().where("token_hash", "=", hashToken(token)).executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await services.db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  return loadPrincipal(services, row.user_id, row.org_id, row.scopes.filter(isScope), "token", {
    sessionId: null,
    tokenId: row.id,
    secondFactorPending: false,
  });
}
