import { completeSetup, createAdministrator, inviteMember, acceptInvitation, principalFromSession, signIn, type Principal } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import type { Role } from "../../src/core/index.ts";
import type { TestServices } from "./database.ts";

export const PASSWORD = "a long and quiet evening by the river";

export interface Organisation {
  orgId: string;
  adminId: string;
  adminEmail: string;
}

/** First-run setup: one organisation with its administrator. */
export async function setUpOrganisation(services: TestServices, slug = "watch", adminEmail = `admin@${slug}.example`): Promise<Organisation> {
  const { userId, orgId } = await completeSetup(services, NO_ORIGIN, {
    organisationName: `${slug} network`,
    organisationSlug: slug,
    name: "Ayla Admin",
    email: adminEmail,
    password: PASSWORD,
  });
  return { orgId, adminId: userId, adminEmail };
}

/** A second organisation, created from the command line as an operator would. */
export async function addOrganisation(services: TestServices, slug: string): Promise<Organisation> {
  const adminEmail = `admin@${slug}.example`;
  const { userId, orgId } = await createAdministrator(services, NO_ORIGIN, {
    email: adminEmail,
    name: `Admin of ${slug}`,
    password: PASSWORD,
    organisation: slug,
    organisationName: `${slug} network`,
  });
  return { orgId, adminId: userId, adminEmail };
}

export async function sessionFor(services: TestServices, email: string): Promise<{ token: string; principal: Principal }> {
  const result = await signIn(services, NO_ORIGIN, { email, password: PASSWORD });
  const principal = await principalFromSession(services, result.token);
  if (!principal) throw new Error("no principal for a fresh session");
  return { token: result.token, principal };
}

/** Adds a member with a role through the real invitation flow, and signs them in. */
export async function addMember(services: TestServices, admin: Principal, role: Role, email: string) {
  const invitation = await inviteMember(services, NO_ORIGIN, admin, { email, role });
  const { userId } = await acceptInvitation(services, NO_ORIGIN, invitation.token, { name: `${role} person`, password: PASSWORD });
  const session = await sessionFor(services, email);
  return { userId, ...session };
}
