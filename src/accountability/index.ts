// Accountability: officials and their posts, sanctions, complicity, referral dossiers, and
// litigation (legal cases, consent, court bundles). The only door other folders use.
export {
  addDeadline, addExhibit, addParty, completeDeadline, createLegalCase, getCaseFile, listLegalCases, loadCase,
  CaseCreateSchema, DeadlineAddSchema, DeadlineDoneSchema, ExhibitAddSchema, PartyAddSchema, PARTY_ROLES,
  type BundleView, type CaseFile, type CaseSummary, type DeadlineView, type ExhibitView, type PartyRole, type PartyView,
} from "./cases.ts";
export { consentHistory, currentConsent, recordConsent, ConsentRecordSchema, CONSENT_SCOPES, type ConsentEntry, type ConsentScope } from "./consent.ts";
export {
  exportCourtBundle, BundleRequestSchema, ConsentMissing, ExhibitMissing, BUNDLE_MODES, BUNDLE_PURPOSES, CONSENT_FOR_PURPOSE,
  type BundleManifest, type BundleText, type CourtBundle, type ManifestExhibit,
} from "./bundle.ts";
export { type BundleIndexLabels } from "./bundle-index.ts";
export { verifyBundleFile, type BundleVerification } from "./bundle-verify.ts";
export { type VerifierLabels } from "./verifier/page.ts";
export { bundleTextFor } from "./bundle-text.ts";
