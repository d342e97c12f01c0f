// Full-text search over the records a caller may see, merged with the names engine's matches;
// the documents it reads are kept by src/records through refreshSearchDocuments.
export { documentInserts, documentOf, refreshSearchDocuments, reindexSearch, writeDocuments, type DocumentRow, type DocumentStatement } from "./documents.ts";
export { searchRecords, requireSearching, MATCH_CAP, type SearchResult, type SearchHit, type SearchFacets, type FacetValue, type NameMatch } from "./search.ts";
export { SearchParamsSchema, MAX_PAGE_SIZE, MAX_RANKED, type SearchParams } from "./input.ts";
export { MAX_QUERY_CHARS } from "./query.ts";
export { snippetHtml, type Snippet, type SnippetPart } from "./snippet.ts";
