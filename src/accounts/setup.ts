import { randomUUID, randomBytes } from "node:crypto";
import { z } from "zod";
import { cleanText, Conflict } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { checkPasswordStrength, hashPassword } from "./passwords.ts";
import { emailSchema, nameSchema, parseInput } from "./input.ts";

export const SetupSchema = z.object({
  organisationName: nameSchema,
  organisationSlug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "use 2–63 lowercase letters, digits and hyphens"),
  name: nameSchema,
  email: emailSchema,
  password: z.string(),
});
export type SetupInput = z.infer<typeof SetupSchema>;

const SETUP_KEY = "setup_completed";

export async function isSetupComplete(services: Services): Promise<boolean> {
  const row = await services.db.selectFrom("settings").select("key").where("key", "=", SETUP_KEY).executeTakeFirst();
  return row !== undefined;
}

export function newPseudonym(): string {
  return `p-${randomBytes(9).toString("base64url")}`;
}

/** First run: creates the first organisation and its administrator, then locks itself for good. */
export async function completeSetup(services: Services, origin: Origin, raw: unknown): Promise<{ userId: string; orgId: string }> {
  const input = parseInput(SetupSchema, raw);
  checkPasswordStrength(input.password, input);
  const passwordHash = await hashPassword(input.password);
  return services.db.transaction().execute(async (tx) => {
    // The insert is the lock: of two racing first runs, exactly one inserts this row.
    const claimed = await tx
      .insertInto("settings")
      .values({ key: SETUP_KEY, value: JSON.stringify({ at: services.now().toISOString() }) })
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("key")
      .executeTakeFirst();
    if (!claimed) throw new Conflict("Vigil is already set up");
    const orgId = randomUUID();
    const userId = randomUUID();
    await tx.insertInto("organisations").values({ id: orgId, slug: input.organisationSlug, name: cleanText(input.organisationName) }).execute();
    await tx
      .insertInto("users")
      .values({ id: userId, email: input.email, name: input.name, password_hash: passwordHash, pseudonym: newPseudonym(), locale: null })
      .execute();
    await tx.insertInto("memberships").values({ user_id: userId, org_id: orgId, role: "admin" }).execute();
    await recordAudit(tx, origin, { orgId, actorId: userId, action: "setup.complete", targetType: "organisation", targetId: orgId });
    return { userId, orgId };
  });
}
