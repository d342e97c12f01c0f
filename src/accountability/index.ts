// Accountability: officials and the posts they held, the hierarchy of units, responsibility maps,
// referral dossiers. The one door other folders import from.
export { officialCareer, recordPost, loadOfficial, PostCreateSchema, type Career, type CareerEntry, type PostCreate } from "./positions.ts";
export { getUnit, setParentUnit, ParentUnitSchema, UNIT_SCHEMATA, MAX_UNIT_DEPTH, type UnitView, type UnitNode, type PlaceUnder } from "./units.ts";
export {
  responsibilityMap, reviewLink, documentedResponsibility, ReviewSchema, ANSWERABLE_ROLES,
  type ResponsibilityMap, type ResponsibilityLink, type ReviewView, type DocumentedResponsibility, type LinkBasis, type LinkKind, type Decision,
} from "./responsibility.ts";
export { VIOLATION_GRAVITY, DETENTION_GRAVITY, gravityOf } from "./responsibility-gravity.ts";
