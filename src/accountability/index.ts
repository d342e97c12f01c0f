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
// The complicity registry, ownership and control, supply-chain screening.
export {
  complicityOf, findingsAbout, listComplicity, recordComplicity, requireComplicityView, ComplicityCreateSchema, ComplicityQuerySchema, COMPLICITY_PAGE,
  type ComplicityFinding, type ComplicityQuery, type ComplicityRegistry, type SourceRef,
} from "./complicity.ts";
export { ownershipGraph, ownersUpTo, GraphQuerySchema, MAX_GRAPH_DEPTH, MAX_GRAPH_NODES, type GraphLink, type GraphNode, type LinkKind, type OwnershipGraph, type OwnerPath } from "./ownership.ts";
export { countryCode, decodeSupplierFile, parseSupplierFile, MAX_SUPPLIER_ROWS, type SupplierColumns, type SupplierFile, type SupplierRow } from "./suppliers-csv.ts";
export {
  registerListMatcher, requireSupplierScreening, screenSuppliers, unregisterListMatcher, SupplierScreenSchema, DEFAULT_HOPS, MAX_HOPS,
  type FindingReason, type ListEntryMatch, type ListMatcher, type ListQuery, type PathStep, type SupplierFinding, type SupplierReport, type SupplierScreenOptions,
} from "./suppliers.ts";
export { supplierReportCsv } from "./suppliers-report.ts";
export { layoutGraph, type GraphLayout, type PlacedNode } from "./ownership-layout.ts";
