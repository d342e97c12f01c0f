import { randomUUID } from "node:crypto";
import { z } from "zod";
import { cleanText, Conflict, Forbidden, Invalid, isRole, NotFound } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { checkPasswordStrength, hashPassword } from "./passwords.ts";
import { emailSchema, nameSchema, parseInput } from "./input.ts";
import { newPseudonym } from "./setup.ts";
import { issueApiToken, TokenSchema, type CreatedToken } from "./tokens.ts";

/**
 * What the installation's operator does from the `vigil` command. Whoever runs it holds the data
 * directory or the database credentials, which is more power than any role, so these functions
 * take no principal; each still validates its input and writes the audit trail.
 */

const AdminSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  password: z.string(),
  organisation: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "use 2–63 lowercase letters, digits and hyphens").optional(),
  organisationName: nameSchema.optional(),
});

async function findOrganisation(services: Services, slug: string | undefined) {
  const orgs = await services.db.selectFrom("organisations").select(["id", "slug", "name"]).$if(slug !== undefined, (q) => q.where("slug", "=", slug!)).execute();
  if (slug && orgs.length === 0) return null;
  if (orgs.length > 1) throw new Invalid("there are several organisations: name one with --org", { organisation: "required" });
  return orgs[0] ?? null;
}

/** Creates an administrator; on an installation with no organisation yet, creates that too (and completes setup). */
export async function createAdministrator(services: Services, origin: Origin, raw: unknown): Promise<{ userId: string; orgId: string; orgCreated: boolean }> {
  const input = parseInput(AdminSchema, raw);
  checkPasswordStrength(input.password, input);
  const taken = await services.db.selectFrom("users").select("id").where("email", "=", input.email).executeTakeFirst();
  if (taken) throw new Conflict(`a user with the email ${input.email} exists already`);
  let org = await findOrganisation(services, input.organisation);
  const orgCreated = org === null;
  if (!org) {
    if (!input.organisation || !input.organisationName) {
      throw new Invalid("no organisation exists yet: give --org SLUG and --org-name NAME to create it", { organisation: "required" });
    }
    org = { id: randomUUID(), slug: input.organisation, name: cleanText(input.organisationName) };
  }
  const hash = await hashPassword(input.password);
  const userId = randomUUID();
  const orgId = org.id;
  await services.db.transaction().execute(async (tx) => {
    if (orgCreated) {
      await tx.insertInto("organisations").values({ id: orgId, slug: org.slug, name: org.name }).execute();
      await tx
        .insertInto("settings")
        .values({ key: "setup_completed", value: JSON.stringify({ at: services.now().toISOString(), by: "cli" }) })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
    }
    await tx.insertInto("users").values({ id: userId, email: input.email, name: input.name, password_hash: hash, pseudonym: newPseudonym(), locale: null }).execute();
    await tx.insertInto("memberships").values({ user_id: userId, org_id: orgId, role: "admin" }).execute();
    await recordAudit(tx, origin, { orgId, actorId: null, actorLabel: "cli", action: "user.create-admin", targetType: "user", targetId: userId });
  });
  return { userId, orgId, orgCreated };
}

export async function listAllUsers(services: Services) {
  return services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .innerJoin("organisations as o", "o.id", "m.org_id")
    .select(["u.email", "u.name", "m.role", "o.slug as organisation", "u.totp_enabled_at", "u.deactivated_at"])
    .orderBy("o.slug")
    .orderBy("u.email")
    .execute();
}

const IssueSchema = TokenSchema.extend({ email: emailSchema });

export async function issueTokenForUser(services: Services, origin: Origin, raw: unknown): Promise<CreatedToken> {
  const input = parseInput(IssueSchema, raw);
  const user = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .select(["u.id", "u.deactivated_at", "m.org_id", "m.role"])
    .where("u.email", "=", input.email)
    .orderBy("m.created_at")
    .executeTakeFirst();
  if (!user || !isRole(user.role)) throw new NotFound(`no user with the email ${input.email}`);
  if (user.deactivated_at) throw new Forbidden("this user is deactivated");
  return issueApiToken(services, origin, { userId: user.id, orgId: user.org_id, role: user.role, actorId: null }, input);
}
