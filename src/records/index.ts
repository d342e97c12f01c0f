export {
  createEntity, getEntity, updateEntity, setArchived, entityHistory, listEntities, grantAccess, viewEntities,
  type LazyInput, type EntityView, type StatementView, type RevisionView, type HistoryView, type EntityPage,
} from "./entities.ts";
export { EntityCreateSchema, EntityUpdateSchema, ArchiveSchema, EntityListSchema, HistoryQuerySchema, StatementInputSchema, SENSITIVITIES, type Sensitivity } from "./input.ts";
export { model, findSchema, isCreatableSchema, checkValue } from "./model.ts";
