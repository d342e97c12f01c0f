// Detainee monitoring: detentions and their course (status changes, proofs of life, treatment
// reports) as records, the facility registry, and the projection monitor_detentions that alert
// rules and the silence dashboard read.
export {
  recordDetention, addStatusChange, addProofOfLife, addTreatmentReport, getDetention, personDetentions, detentionViews,
  type DetentionView, type TimelineEntry, type TimelineKind,
} from "./detentions.ts";
export { listFacilities, getFacility, isFacility, type FacilitySummary, type FacilityView } from "./facilities.ts";
export { DetentionCreateSchema, StatusCreateSchema, ProofOfLifeCreateSchema, TreatmentReportCreateSchema, FacilityListSchema } from "./input.ts";
export { refreshDetentions, refreshDetentionsAfterChange, rebuildDetentions } from "./projection.ts";
export { summariseDetention, ENDING_STATUSES, RELEASE_STATUSES, FACILITY_PLACE_TYPES, type DetentionSummary } from "./summary.ts";

// The silence dashboard and its facility map.
export { listSilence, facilitySilence, requireSilenceReading, type SilenceItem, type SilencePage, type FacilitySilence, type FacilitySilenceMap } from "./silence.ts";
export { DEFAULT_SILENCE_DAYS, URGENCIES, urgencyOf, silenceParams, SilenceQuerySchema, FacilitySilenceQuerySchema, MAX_SILENCE_PAGE, type Urgency, type SilenceFilter, type SilenceQuery } from "./silence-input.ts";
