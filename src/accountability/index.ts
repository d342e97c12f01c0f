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
