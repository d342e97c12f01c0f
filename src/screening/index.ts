// Screening: the names index kept beside the records, matching queries against the records a
// caller may see (yente-compatible), and bulk screening of CSV files.
export { refreshNameKeys, reindexNames } from "./name-index.ts";
export { type CandidateProvider, type CandidateScope } from "./candidates.ts";
export { DEFAULT_LIST, matchQueries, requireMatching, type MatchResponse, type QueryMatches, type ScoredRecord } from "./match.ts";
export { ALGORITHMS, EntityExampleSchema, MatchBodySchema, MAX_LIMIT, MAX_QUERIES } from "./input.ts";
export { MATCHABLE_SCHEMATA } from "./entity-names.ts";
export { MAX_SCREEN_ROWS, reportCsv, screenCsv, type ScreeningReport, type ScreenOptions } from "./screen.ts";
