// Screening: the names index kept beside the records, matching queries against the records a
// caller may see (yente-compatible), bulk screening of CSV files, named lists to screen against,
// and probable duplicates among the records.
export {
  refreshNameKeys, refreshNameKeysOf, reindexNames, indexEntries, inKeyOrder, newNameIndex, newNameIndexInserts, type IndexEntries, type MatchStatement, type NewIndexedRecord, type NewNameIndex,
} from "./name-index.ts";
export { CANDIDATE_BUDGET, candidateBudget, sqlCandidates, type CandidateProvider, type CandidateScope } from "./candidates.ts";
export { DEFAULT_LIST, matchPrepared, matchQueries, prepareQuery, requireMatching, type MatchResponse, type PreparedQuery, type QueryEntity, type QueryMatches, type ScoredRecord } from "./match.ts";
export { ALGORITHMS, EntityExampleSchema, MatchBodySchema, MAX_LIMIT, MAX_QUERIES } from "./input.ts";
export { answersQuery, MATCHABLE_SCHEMATA } from "./entity-names.ts";
export { MAX_SCREEN_ROWS, reportCsv, screenCsv, screenPrepared, type ScreeningReport, type ScreenOptions } from "./screen.ts";
export {
  addListMembers, createList, getList, listLists, removeListMembers, setListArchived, LIST_NAME, LIST_PAGE, ListArchiveSchema, ListCreateSchema, ListMembersSchema, ListRemoveSchema, MAX_LIST_IDS,
  type ListMember, type ListSummary, type ListView,
} from "./lists.ts";
export {
  acceptDuplicate, findDuplicates, rejectDuplicate, AcceptDuplicateSchema, DuplicatesQuerySchema, RejectDuplicateSchema, DUPLICATE_PAGE,
  type DuplicatePage, type DuplicatePair, type DuplicateSide,
} from "./duplicates.ts";
