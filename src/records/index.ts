// Documentation records: FollowTheMoney entities stored as statements, with vocabularies,
// relationships, merges, tags, assignment, bulk actions and access lists.
export {
  createEntity, inputOf, getEntity, getEntityAt, updateEntity, setArchived, entityHistory, listEntities, viewEntities, applyEntityFilter,
  type LazyInput, type EntityView, type StatementView, type RevisionView, type RevisionKind, type HistoryView, type EntityPage, type EntityFilter,
} from "./entities.ts";
export { onRecordsChanged, recordsChanged, type CreatedRecord, type RecordsChange, type RecordsChangedListener } from "./changes.ts";
export { visibleTo, visibleRecords, visibleIds, loadRecord, requireOnRecord, type LoadedRecord } from "./access.ts";
export { planEntityCreation, writeEntityCreation, type PlannedEntity } from "./entities.ts";
export { EntityCreateSchema, EntityUpdateSchema, ArchiveSchema, EntityListSchema, HistoryQuerySchema, StatementInputSchema, TagSchema, SENSITIVITIES, type Sensitivity } from "./input.ts";
export { model, findSchema, findProperty, isCreatableSchema, checkValue, schemaAndDescendants } from "./model.ts";
export { VIGIL_ADDED_PROPERTIES, VIGIL_SCHEMATA } from "./vigil-schemata.ts";
export {
  addTerm, changeTerm, getVocabulary, listVocabularies, loadVocabularies, termLabel, vocabularyOfProperty, isVocabularyName, TermCreateSchema, TermUpdateSchema,
  type TermView, type VocabularyView, type Vocabularies,
} from "./vocabularies.ts";
export { DEFAULT_TERMS, VOCABULARIES, VOCABULARY_OF_PROPERTY, type VocabularyName, type TermLabels } from "./vocabulary-defaults.ts";
export { listRelationships, RelationshipsQuerySchema, type RelationshipsView, type EdgeView, type LinkView, type RecordSummary } from "./relationships.ts";
export { mergeEntities, undoMerge, getMerge, MergeSchema, UndoMergeSchema, type MergeView } from "./merge.ts";
export { getAccessList, grantAccess, revokeAccess, AccessGrantSchema, type AccessListView } from "./access-lists.ts";
export { listTeams, createTeam, addTeamMember, removeTeamMember, TeamCreateSchema, TeamMemberSchema, type TeamView } from "./teams.ts";
export {
  startBulkOperation, runBulkBatch, runBulkOperation, getBulkOperation, cancelBulkOperation, bulkJob, BulkSchema, BULK_ACTIONS, BULK_BATCH, BULK_JOB, MAX_BULK_IDS,
  type BulkOperationView, type BulkAction,
} from "./bulk.ts";
export { listTags, listAssignees, type TagCount, type Assignee } from "./marks.ts";
export {
  browseRecords, countRecordsBySchema, captionsOf, citingRecords, BrowseSchema, RECORD_SORTS, COUNT_CAP, NAME_PROPERTIES,
  type BrowseFilter, type RecordSort, type ListedRecord, type ListedValue, type RecordList, type RecordCaption,
} from "./listing.ts";
export { listCapabilities, recordCapabilities, requireRecordAction, requireRecordCreation, type RecordCapabilities } from "./capabilities.ts";
export {
  receiveImport, authorizeImport, actorNow, getImport, listImports, setImportMapping, previewImport, checkImport, commitImport, cancelImport, importRejections, allRejections, importJob,
  IMPORT_FORMATS, IMPORT_BATCH, IMPORT_JOB, MappingChoiceSchema, CommitOptionsSchema,
  type ImportView, type ImportState, type ImportFormat, type IncomingImport, type PreviewRow, type RejectionPage,
} from "./import.ts";
export { ImportMappingSchema, listMappings, findMapping, saveMapping, suggestMapping, type ImportMapping, type SavedMapping } from "./import-mapping.ts";
export { ImportTooLarge, importsDirectory, receiveImportFile, readImportText, removeImportFile, type ReceivedFile, type TextEncodingName } from "./import-file.ts";
export { ftmModel, toFtm, fromFtm, type FtmEntity } from "./export-ftm.ts";
export {
  startExport, getExport, listExports, cancelExport, openExportFile, exportJob, expireFilesJob, ExportRequestSchema, EXPORT_FORMATS, EXPORT_JOB, EXPIRE_FILES_JOB,
  type ExportView, type ExportFile, type ExportFormat,
} from "./export.ts";
export { orderedIds } from "./ordered-ids.ts";
