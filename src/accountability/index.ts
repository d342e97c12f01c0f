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
export { ownershipGraph, ownersUpTo, GraphQuerySchema, MAX_GRAPH_DEPTH, MAX_GRAPH_NODES, type GraphLink, type GraphNode, type LinkKind as OwnershipLinkKind, type OwnershipGraph, type OwnerPath } from "./ownership.ts";
export { countryCode } from "./countries.ts";
export { decodeSupplierFile, parseSupplierFile, MAX_SUPPLIER_ROWS, type SupplierColumns, type SupplierFile, type SupplierRow } from "./suppliers-csv.ts";
export {
  registerListMatcher, requireSupplierScreening, screenSuppliers, unregisterListMatcher, SupplierScreenSchema, DEFAULT_HOPS, MAX_HOPS,
  type FindingReason, type ListMatcherHit, type ListMatcher, type ListQuery, type PathStep, type SupplierFinding, type SupplierReport, type SupplierScreenOptions,
} from "./suppliers.ts";
export { supplierReportCsv } from "./suppliers-report.ts";
export { layoutGraph, type GraphLayout, type PlacedNode } from "./ownership-layout.ts";
// Accountability: sanctions and watch lists, matching officials and companies against them, and
// the gap table. (Posts, responsibility, complicity, dossiers and litigation join this door.)
export {
  ENTRY_SCHEMATA, LIST_FORMATS, ListMappingSchema, MAPPING_PRESETS, listReader, sdnDate,
  type EntrySchema, type ListEntry, type ListFormat, type ListMapping, type ListReader, type ReadOutcome,
} from "./lists-formats.ts";
export {
  ENTRY_PAGE, EntryQuerySchema, JURISDICTIONS, LIST_KINDS, entryHistory, exportListFtm, getSanctionsList, listEntries, listSanctionsLists,
  type EntryHistory, type EntryView, type Jurisdiction, type ListKind, type ListSummary, type ListVersion, type ListView,
} from "./lists.ts";
export {
  LIST_BATCH, LIST_IMPORT_JOB, ListImportSchema, MAX_REPORTED_ERRORS, authorizeListImport, checkListImport, getListImport, importListFile, listImportFields, listImportJob, startListImport,
  type IncomingListFile, type ListImportOptions,
} from "./lists-import.ts";
export {
  CANDIDATE_THRESHOLD, DecisionSchema, MATCH_PAGE, MATCH_STATUSES, MatchQuerySchema, SCREENED_SCHEMATA, ScreenRecordsSchema, decideMatch, getMatch, getSanctionsStatus, listMatches,
  matchListEntries, sanctionsStatusOf, screenRecords,
  type BulkMatchOptions, type JurisdictionStatus, type ListEntryMatch, type MatchStatus, type MatchView, type SanctionsStatus, type ScreeningOutcome,
} from "./sanctions-match.ts";
export { GAP_PAGE, GapQuerySchema, MAX_GAP_OFFICIALS, gapCsv, gapSentence, gapTable, gapTableAll, type GapQuery, type GapRow, type GapTable } from "./gap.ts";
// Accountability: officials and the posts they held, the hierarchy of units, responsibility maps,
// referral dossiers. The one door other folders import from.
export { officialCareer, recordPost, loadOfficial, listOfficials, recordChoices, PostCreateSchema, type Career, type CareerEntry, type PostCreate, type OfficialSummary } from "./positions.ts";
export { getUnit, setParentUnit, ParentUnitSchema, UNIT_SCHEMATA, MAX_UNIT_DEPTH, type UnitView, type UnitNode, type PlaceUnder } from "./units.ts";
export {
  responsibilityMap, reviewLink, documentedResponsibility, ReviewSchema, ANSWERABLE_ROLES,
  type ResponsibilityMap, type ResponsibilityLink, type ReviewView, type DocumentedResponsibility, type LinkBasis, type LinkKind, type Decision,
} from "./responsibility.ts";
export { VIOLATION_GRAVITY, DETENTION_GRAVITY, gravityOf } from "./responsibility-gravity.ts";
export {
  createDossier, getDossier, listDossiers, updateDossier, trackDossier, loadDossier,
  DossierCreateSchema, DossierUpdateSchema, DossierEventSchema, DossierListSchema, DossierFieldsSchema, DossierFieldsInputSchema, DOSSIER_STATUSES, DOSSIER_OUTCOMES,
  type DossierView, type DossierSummary, type DossierEventView, type DossierFields, type DossierStatus, type DossierOutcome,
} from "./dossiers.ts";
export { composeDossier, type DossierDocument } from "./dossier-content.ts";
export { dossierBlocks, dossierHtml, dossierOdtParts, escapeXml, type Block as DossierBlock } from "./dossier-render.ts";
export { prepareDossierExport, startDossierPackage, dossierPdf, dossierOdt, dossierFileName, type DossierFormat, type PreparedDossier } from "./dossier-export.ts";
