// Detainee monitoring: the one door to src/monitor.

// The silence dashboard and its facility map.
export { listSilence, facilitySilence, requireSilenceReading, type SilenceItem, type SilencePage, type FacilitySilence, type FacilitySilenceMap } from "./silence.ts";
export { DEFAULT_SILENCE_DAYS, URGENCIES, urgencyOf, silenceParams, SilenceQuerySchema, FacilitySilenceQuerySchema, MAX_SILENCE_PAGE, type Urgency, type SilenceFilter, type SilenceQuery } from "./silence-input.ts";
