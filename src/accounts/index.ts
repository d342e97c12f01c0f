export { completeSetup, isSetupComplete, SetupSchema, type SetupInput } from "./setup.ts";
export { signIn, signOut, signOutEverywhere, SignInSchema, type SignInResult } from "./sign-in.ts";
export {
  startEnrolment, confirmEnrolment, completeSecondFactor, promoteAfterEnrolment, disableSecondFactor,
  regenerateRecoveryCodes, countUnusedRecoveryCodes, type Enrolment,
} from "./second-factor.ts";
export { principalFromSession, principalFromBearer, API_TOKEN_PREFIX, type Principal } from "./principal.ts";
export {
  listMembers, changeRole, setActive, changePassword, setPreferences, configureOrganisation, listSessions,
  LOCALES, type MemberView,
} from "./users.ts";
export { inviteMember, listInvitations, revokeInvitation, findOpenInvitation, acceptInvitation, type CreatedInvitation } from "./invitations.ts";
export { createApiToken, listApiTokens, revokeApiToken, scopesAllowed, type CreatedToken } from "./tokens.ts";
export { checkPasswordStrength, hashPassword, PASSWORD_MIN } from "./passwords.ts";
export { newPseudonym } from "./setup.ts";
export { parseInput, emailSchema, nameSchema } from "./input.ts";
export { createAdministrator, listAllUsers, issueTokenForUser } from "./operator.ts";
// Families in detainee monitoring throttle their public page by address like sign-in (src/monitor/family-public.ts).
export { clearFailures, recordFailure, secondsUntilAllowed } from "./throttle.ts";
