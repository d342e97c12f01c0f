// Detainee monitoring.

// Families: one-time codes, secret links, sealed reports in a triage queue, approved updates.
export { createFamilyCase, issueFamilyCode, revokeFamilyAccess, listFamilyCases, getFamilyCase, type FamilyCaseView, type IssuedFamilyCode } from "./family-cases.ts";
export { redeemFamilyCode, openFamilyPage, submitFamilyReport, CODE_REFUSED, type FamilyPageView, type RedeemedFamilyCode, type SealedFamilyReport } from "./family-public.ts";
export { listFamilyReports, getFamilyReport, acceptFamilyReport, declineFamilyReport, type FamilyReportView, type AcceptedFamilyReport } from "./family-reports.ts";
export { writeFamilyUpdate, approveFamilyUpdate, withdrawFamilyUpdate, listFamilyUpdates, type FamilyUpdateView } from "./family-updates.ts";
export {
  FamilyCaseCreateSchema, FamilyReportSchema, FamilyCodeRedeemSchema, FamilyAcceptSchema, FamilyDeclineSchema, FamilyUpdateSchema, FamilyReportListSchema,
} from "./family-input.ts";
export { familyPagePath, FAMILY_LINK_PATTERN } from "./family-secrets.ts";
