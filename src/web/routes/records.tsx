import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  browseRecords, BULK_BATCH, cancelBulkOperation, captionsOf, citingRecords, getBulkOperation, countRecordsBySchema, createEntity, entityHistory, findSchema, getAccessList, getEntity, getEntityAt, getMerge, grantAccess, listTeams,
  mergeEntities, model, revokeAccess, undoMerge, listAssignees, listCapabilities, listRelationships, listTags, listVocabularies,
  recordCapabilities, requireRecordAction, requireRecordCreation, runBulkOperation, schemaAndDescendants, setArchived, startBulkOperation, updateEntity,
  type EntityView, type HistoryView, type MergeView, type RecordCaption, type RecordList, type RevisionView,
} from "../../records/index.ts";
import { Conflict, Invalid, NotFound, Sealed } from "../../core/index.ts";
import { UUID_PARAM } from "../format.ts";
import type { AppEnv } from "../env.ts";
import { field, fields, readForm, type FormData } from "../middleware/body.ts";
import { Redirect, renderPage, safeNext, signedIn, type FormProblem } from "../render.tsx";
import { CREATABLE, propertyType, RECORD_TYPE_SLUGS, RECORD_TYPES, schemaLabel, vocabularyIndex, type RecordType } from "../records/labels.ts";
import {
  carryOver, ChooseSchemaPage, ConflictPage, createInput, EditorPage, extendState, fieldErrors, stateOfEntity, stateOfForm, stateOfNew, updateInput,
  type ConflictView, type EditorState, type EditorView,
} from "../records/editor.tsx";
import { recordProblem } from "../records/messages.ts";
import { HistoryPage, type HistoryPageView } from "../records/history-page.tsx";
import { defaultQuery, MergePage, type MergePageView } from "../records/merge-page.tsx";
import { rangeSchemata, RelatePage, relationshipKinds, type RelatePageView } from "../records/relate-page.tsx";
import { AccessPage, type AccessPageView } from "../records/access-page.tsx";
import { captionOf, EntityPage, referencedOf, type EntityPageView } from "../records/entity-page.tsx";
import type { Lookup } from "../records/parts.tsx";
import { BulkProgressPage, LIST_PARAMS, ListPage, listPath, referencedIds, type ListPageView } from "../records/list-page.tsx";
import { evidencePanelFor } from "./evidence-panel.tsx";
import { detentionsPanelFor } from "../monitor/pages.tsx";
import { sanctionsPanelFor } from "./sanctions.tsx";
import { urgentActionsPanel } from "./urgent.tsx";
import { complicityPanelFor } from "./complicity.tsx";
import { careerPanelFor } from "./officials.tsx";

/**
 * The documentation pages: lists of records with filters and bulk actions, each record's page,
 * its editor, history, merges, relationships and access list. Plain HTML forms, no script needed;
 * src/records checks permission on every record and decides every change.
 */
export const recordPages = new Hono<AppEnv>();

const TYPE = `:type{${RECORD_TYPE_SLUGS.join("|")}}`;

// ---------------------------------------------------------------------------------------------
// Lists

/** The list's parameters from a query string: known ones only, empty ones dropped (a GET form sends every field). */
function listParams(search: URLSearchParams): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key of LIST_PARAMS) {
    const value = search.get(key);
    if (value !== null && value.trim() !== "") params[key] = value.trim();
  }
  return params;
}

interface ListExtras {
  notice?: string | null;
  bulkProblem?: FormProblem;
  ticked?: string[];
}

async function showList(c: Context<AppEnv>, type: RecordType | null, search: URLSearchParams, extras: ListExtras = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const params = listParams(search);
  const scope = type ? (RECORD_TYPES[type].schemata as readonly string[]) : undefined;
  let list: RecordList | null = null;
  let problem: FormProblem | undefined;
  try {
    list = await browseRecords(services, origin, actor, params, scope);
  } catch (error) {
    problem = recordProblem(c, error);
  }
  const may = listCapabilities(actor);
  const vocabularies = await listVocabularies(services, origin, actor);
  const vocab = vocabularyIndex(vocabularies);
  const places = type === null || type === "incidents" || type === "events" ? (await browseRecords(services, origin, actor, { sort: "name", limit: 200 }, ["Address"])).records : [];
  const captions = await captionsOf(services, actor, [...referencedIds(list?.records ?? []), ...places.map((p) => p.id)]);
  const view: ListPageView = {
    type,
    params,
    list,
    problem,
    notice: extras.notice ?? null,
    bulkProblem: extras.bulkProblem,
    ticked: extras.ticked,
    counts: await countRecordsBySchema(services, origin, actor),
    lookup: { vocabularies: vocab, captions },
    terms: {
      violations: vocabularies.find((v) => v.name === "violation-types")!.terms.filter((term) => !term.retired),
      roles: vocabularies.find((v) => v.name === "involvement-roles")!.terms.filter((term) => !term.retired),
    },
    places: places.map((p) => ({ id: p.id, caption: captions.get(p.id)?.caption ?? p.id, lang: captions.get(p.id)?.lang ?? null, script: captions.get(p.id)?.script ?? null })),
    tags: await listTags(services, origin, actor),
    assignees: may.tag ? await listAssignees(services, origin, actor) : [],
    may,
    wholeList: bulkFilterOf(type, params) !== null,
    exportHref: exportHrefOf(type, params),
  };
  const title = c.var.t(type ? `records.types.${type}` : "records.types.all");
  return renderPage(c, title, (page) => ListPage(page, view), problem?.status ?? status);
}

const DONE_BULK = new Set(["tag", "untag", "assign", "unassign", "archive"]);

function listNotice(c: Context<AppEnv>, search: URLSearchParams): string | null {
  const action = search.get("bulk");
  const changed = Number(search.get("changed") ?? "0");
  if (!action || !DONE_BULK.has(action) || !Number.isInteger(changed)) return null;
  return c.var.t(`records.bulk.done.${action}`, { n: new Intl.NumberFormat(c.var.locale).format(changed) });
}

recordPages.get("/records", (c) => {
  const search = new URL(c.req.url).searchParams;
  return showList(c, null, search, { notice: listNotice(c, search) });
});

recordPages.get(`/records/${TYPE}`, (c) => {
  const search = new URL(c.req.url).searchParams;
  return showList(c, c.req.param("type") as RecordType, search, { notice: listNotice(c, search) });
});

/** The list a bulk form came from: its type and query, from the form's `back` field (a local path only). */
function listOf(back: string): { type: RecordType | null; search: URLSearchParams; path: string } {
  const url = new URL(safeNext(back), "http://vigil.invalid");
  const slug = /^\/records(?:\/([a-z]+))?$/.exec(url.pathname)?.[1];
  const type = slug && (RECORD_TYPE_SLUGS as string[]).includes(slug) ? (slug as RecordType) : null;
  // Forget an earlier run's notice: the new one replaces it.
  for (const key of ["bulk", "changed"]) url.searchParams.delete(key);
  return { type, search: url.searchParams, path: `${listPath(type)}${url.searchParams.size ? `?${url.searchParams.toString()}` : ""}` };
}

/** The one schema (with its descendants) each list is, for a bulk operation's filter; lists of several kinds have none. */
const LIST_SCHEMA: Partial<Record<RecordType, string>> = { people: "Person", organisations: "Organization", incidents: "Incident", places: "Address", sources: "Source" };
/** The list filters a bulk operation keeps as its selection (it re-reads them batch by batch). */
const BULK_FILTERS = new Set(["schema", "tag", "assignee", "archived", "sort", "cursor", "limit"]);

/** A list as a bulk operation's filter, when every filter it has is one the operation can keep; otherwise null. */
function bulkFilterOf(type: RecordType | null, params: Record<string, string>): Record<string, string> | null {
  if (type !== null && !LIST_SCHEMA[type]) return null;
  if (Object.keys(params).some((k) => !BULK_FILTERS.has(k))) return null;
  const schema = params.schema ?? (type ? LIST_SCHEMA[type] : undefined);
  return {
    ...(schema ? { schema } : {}),
    ...(params.tag ? { tag: params.tag } : {}),
    ...(params.assignee ? { assignee: params.assignee } : {}),
    ...(params.archived ? { archived: params.archived } : {}),
  };
}

/** The exports page, filled in with a list's filters, when an export keeps them all (it takes "me", not another member). */
function exportHrefOf(type: RecordType | null, params: Record<string, string>): string | null {
  const filter = bulkFilterOf(type, params);
  if (!filter || (filter.assignee !== undefined && filter.assignee !== "me")) return null;
  const query = new URLSearchParams(filter).toString();
  return query ? `/exports?${query}` : "/exports";
}

recordPages.post("/records/bulk", async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const form = await readForm(c);
  const from = listOf(field(form, "back"));
  const ids = fields(form, "ids");
  const optional = (name: string) => (field(form, name).trim() === "" ? undefined : field(form, name).trim());
  const action = field(form, "action");
  const whole = field(form, "scope") === "all" ? bulkFilterOf(from.type, listParams(from.search)) : null;
  try {
    const selection = whole ? { filter: whole } : { ids };
    const started = await startBulkOperation(services, origin, actor, () => ({ action, ...selection, tag: optional("tag"), user: optional("user"), reason: optional("reason") }));
    // Up to a batch, done before answering; more is a background job, followed on its own page.
    if (started.total > BULK_BATCH) throw new Redirect(`/records/bulk/${started.id}`);
    const done = await runBulkOperation(services, origin, started.id);
    const sep = from.path.includes("?") ? "&" : "?";
    throw new Redirect(`${from.path}${sep}bulk=${done.action}&changed=${done.changed}`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    const problem = recordProblem(c, error);
    return showList(c, from.type, from.search, { bulkProblem: problem, ticked: ids }, problem.status);
  }
});

recordPages.get(`/records/bulk/:id{${UUID_PARAM}}`, async (c) => {
  const { actor } = signedIn(c);
  const operation = await getBulkOperation(c.var.services, c.var.origin, actor, c.req.param("id"));
  return renderPage(c, c.var.t("records.bulk.progressTitle"), (page) => BulkProgressPage(page, operation));
});

recordPages.post(`/records/bulk/:id{${UUID_PARAM}}/cancel`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const id = c.req.param("id");
  await readForm(c);
  try {
    await cancelBulkOperation(services, origin, actor, id);
  } catch (error) {
    const problem = recordProblem(c, error);
    // A refusal is shown beside where the operation stands; an operation the caller may not follow is not found.
    const operation = await getBulkOperation(services, origin, actor, id);
    return renderPage(c, c.var.t("records.bulk.progressTitle"), (page) => BulkProgressPage(page, operation, problem), problem.status);
  }
  throw new Redirect(`/records/bulk/${id}`);
});

// ---------------------------------------------------------------------------------------------
// A record's page

const ID = `:id{${UUID_PARAM}}`;

const RECORD_DONE = new Set(["created", "saved", "unchanged", "archived", "restored", "merged", "unmerged", "related"]);

async function lookupFor(c: Context<AppEnv>, ids: readonly string[]): Promise<Lookup> {
  const { actor } = signedIn(c);
  const vocabularies = vocabularyIndex(await listVocabularies(c.var.services, c.var.origin, actor));
  return { vocabularies, captions: await captionsOf(c.var.services, actor, ids) };
}

/** The merges a record took part in that are not undone: read from its revisions, which name them. */
async function openMerges(c: Context<AppEnv>, revisions: readonly RevisionView[]): Promise<MergeView[]> {
  const { actor } = signedIn(c);
  const ids = [...new Set(revisions.filter((r) => r.kind === "merge" && typeof r.summary.merge === "string" && (r.summary.mergedFrom || r.summary.mergedInto)).map((r) => r.summary.merge as string))];
  const merges: MergeView[] = [];
  for (const id of ids.slice(0, 20)) {
    try {
      const merge = await getMerge(c.var.services, c.var.origin, actor, id);
      if (!merge.undone) merges.push(merge);
    } catch (error) {
      // A merge with a record the reader may no longer see is not offered.
      if (!(error instanceof NotFound)) throw error;
    }
  }
  return merges;
}

interface EntityExtras {
  notice?: string | null;
  problem?: FormProblem;
  failedForm?: EntityPageView["failedForm"];
}

async function showEntity(c: Context<AppEnv>, id: string, extras: EntityExtras = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  let revealed = c.req.method === "GET" && c.req.query("reveal") === "secrets";
  let sealedNotice: string | null = null;
  const entity = await getEntity(services, origin, actor, id, { revealSecrets: revealed }).catch((error: unknown) => {
    // Secret values need the vault unsealed: show them as sealed, and say why, rather than fail.
    if (!(revealed && error instanceof Sealed)) throw error;
    revealed = false;
    sealedNotice = c.var.t("records.revealSealed");
    return getEntity(services, origin, actor, id);
  });
  const may = await recordCapabilities(services, origin, actor, id);
  const relationships = await listRelationships(services, origin, actor, id, { archived: "include" });
  const { revisions } = await entityHistory(services, origin, actor, id, { from: Math.max(entity.revision - 1, 0), to: entity.revision });
  const merges = await openMerges(c, revisions);
  const lookup = await lookupFor(c, referencedOf(entity, relationships, merges));
  // A merged record's values moved to the record it was merged into: it is called by the name it had before.
  for (const merge of merges) {
    if (lookup.captions.get(merge.merged)?.caption || merge.mergedRevision < 2) continue;
    const before = await getEntityAt(services, origin, actor, merge.merged, merge.mergedRevision - 1);
    const caption = captionOf(before);
    if (caption?.value) lookup.captions.set(merge.merged, { id: before.id, schema: before.schema, caption: caption.value, lang: caption.lang, script: caption.script, archived: true, restricted: before.restricted });
  }
  const assigneeName = entity.assignee && may.edit ? ((await listAssignees(services, origin, actor)).find((a) => a.id === entity.assignee)?.name ?? null) : null;
  const citedBy = entity.schema === "Source" ? await citingRecords(services, origin, actor, entity.id) : undefined;
  const evidence = await evidencePanelFor(c, entity.id);
  const detentions = (await detentionsPanelFor(c, entity)) ?? undefined;
  const urgentActions = entity.schema === "Detention" ? await urgentActionsPanel(c, entity.id) : undefined;
  const complicity = (await complicityPanelFor(c, entity)) ?? undefined;
  const sanctions = (await sanctionsPanelFor(c, entity)) ?? undefined;
  const career = await careerPanelFor(c, entity);
  const view: EntityPageView = { urgentActions, complicity, ...(sanctions ? { sanctions } : {}), ...(career ? { career } : {}), entity, may, relationships, revisions, merges, lookup, revealed, assigneeName, citedBy, evidence, ...(detentions ? { detentions } : {}), canRelate: relationshipKinds(entity.schema).length > 0, notice: extras.notice ?? sealedNotice, problem: extras.problem, failedForm: extras.failedForm };
  const title = captionOf(entity)?.value ?? c.var.t("records.unnamed", { kind: schemaLabel(c.var.t, entity.schema) });
  return renderPage(c, title.slice(0, 120), (page) => EntityPage(page, view), status);
}

recordPages.get(`/records/${ID}`, (c) => {
  const done = c.req.query("done");
  return showEntity(c, c.req.param("id"), { notice: done && RECORD_DONE.has(done) ? c.var.t(`records.done.${done}`) : null });
});

function revisionOf(form: FormData): number | undefined {
  const n = Number(field(form, "revision"));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

for (const [path, archived] of [["archive", true], ["restore", false]] as const) {
  recordPages.post(`/records/${ID}/${path}`, async (c) => {
    const { actor } = signedIn(c);
    const id = c.req.param("id");
    try {
      await setArchived(c.var.services, c.var.origin, actor, id, archived, async () => {
        const form = await readForm(c);
        return { reason: field(form, "reason"), revision: revisionOf(form) };
      });
    } catch (error) {
      const problem = recordProblem(c, error);
      return showEntity(c, id, { problem, failedForm: path }, problem.status);
    }
    throw new Redirect(`/records/${id}?done=${archived ? "archived" : "restored"}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Adding and editing

async function editorView(c: Context<AppEnv>, mode: EditorView["mode"], state: EditorState, extra: { entity?: EntityView; mayRestrict: boolean; problem?: FormProblem; errors?: Record<string, string> }): Promise<EditorView> {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const browse = (filter: Record<string, unknown>, scope: readonly string[]) => browseRecords(services, origin, actor, filter, scope).then((l) => l.records.map((r) => r.id));
  const sourceIds = await browse({ sort: "updated", limit: 50 }, ["Source"]);
  if (state.find) sourceIds.unshift(...(await browse({ q: state.find, limit: 30 }, ["Source"])));
  const targetIds: Record<string, string[]> = {};
  for (const property of state.properties) {
    if (propertyType(state.schema, property) !== "entity") continue;
    const range = findSchema(state.schema)!.getProperties().get(property)!.getRange().name;
    const scope = schemaAndDescendants(range);
    targetIds[property] = [...(state.find ? await browse({ q: state.find, limit: 30 }, scope) : []), ...(await browse({ sort: "name", limit: 100 }, scope))].filter((id) => id !== extra.entity?.id);
  }
  const rowIds = state.rows.flatMap((r) => [r.source, propertyType(state.schema, r.property) === "entity" ? r.value : ""]).filter(Boolean);
  const lookup = await lookupFor(c, [...sourceIds, ...Object.values(targetIds).flat(), ...rowIds]);
  const captions = (ids: readonly string[]) => ids.map((id) => lookup.captions.get(id)).filter((x): x is RecordCaption => x !== undefined);
  return {
    mode,
    state,
    entity: extra.entity,
    mayRestrict: extra.mayRestrict,
    sources: captions(sourceIds),
    targets: Object.fromEntries(Object.entries(targetIds).map(([p, ids]) => [p, captions(ids)])),
    lookup,
    problem: extra.problem,
    errors: extra.errors ?? {},
    notice: state.find ? c.var.t("records.editor.found") : null,
  };
}

recordPages.get("/records/new", async (c) => {
  const { actor } = signedIn(c);
  await requireRecordCreation(c.var.services, c.var.origin, actor);
  const schema = c.req.query("schema") ?? "";
  if (!CREATABLE.includes(schema)) return renderPage(c, c.var.t("records.editor.chooseTitle"), (page) => ChooseSchemaPage(page, CREATABLE));
  const view = await editorView(c, "create", stateOfNew(schema), { mayRestrict: true });
  return renderPage(c, c.var.t("records.editor.createTitle", { kind: schemaLabel(c.var.t, schema) }), (page) => EditorPage(page, view, "/records/new"));
});

recordPages.post("/records/new", async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  await requireRecordCreation(services, origin, actor);
  const form = await readForm(c);
  const schema = field(form, "schema");
  if (!CREATABLE.includes(schema)) throw new Invalid("choose a kind of record", { schema: "not a kind of record that can be added here" });
  const act = field(form, "act") || "save";
  let state = stateOfForm(schema, form);
  const title = c.var.t("records.editor.createTitle", { kind: schemaLabel(c.var.t, schema) });
  if (act !== "save") {
    const view = await editorView(c, "create", extendState(state, act, form), { mayRestrict: true });
    return renderPage(c, title, (page) => EditorPage(page, view, "/records/new"));
  }
  const { input, positions } = createInput(state);
  let created: EntityView;
  try {
    created = await createEntity(services, origin, actor, input);
  } catch (error) {
    const problem = recordProblem(c, error);
    state = extendState(state, "", form);
    const errors = fieldErrors(problem.errors, positions, state);
    const view = await editorView(c, "create", state, { mayRestrict: true, problem: { ...problem, errors: {} }, errors });
    return renderPage(c, title, (page) => EditorPage(page, view, "/records/new"), problem.status);
  }
  throw new Redirect(`/records/${created.id}?done=created`);
});

recordPages.get(`/records/${ID}/edit`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const id = c.req.param("id");
  await requireRecordAction(services, origin, actor, id, "record.edit");
  const entity = await getEntity(services, origin, actor, id);
  if (entity.archived) throw new Redirect(`/records/${id}`);
  const may = await recordCapabilities(services, origin, actor, id);
  const view = await editorView(c, "edit", stateOfEntity(entity), { entity, mayRestrict: may.manageAccess });
  return renderPage(c, c.var.t("records.editor.editTitle", { kind: schemaLabel(c.var.t, entity.schema) }), (page) => EditorPage(page, view, `/records/${id}/edit`));
});

/** The record moved on since the editor opened: both versions, and the editor again with this person's changes carried over. Nothing is saved. */
async function showConflict(c: Context<AppEnv>, id: string, yours: EditorState, mayRestrict: boolean) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const current = await getEntity(services, origin, actor, id);
  const base = yours.revision !== null && yours.revision < current.revision ? await getEntityAt(services, origin, actor, id, yours.revision) : current;
  const editor = await editorView(c, "edit", carryOver(yours, base, current), { entity: current, mayRestrict });
  const lookup = await lookupFor(c, [...editor.lookup.captions.keys(), ...yours.rows.flatMap((r) => [r.source, r.value]).filter((v) => /^[0-9a-f-]{36}$/.test(v))]);
  editor.lookup = lookup;
  const view: ConflictView = { entity: current, yours, base, editor, vocabularies: lookup.vocabularies };
  return renderPage(c, c.var.t("records.conflict.title"), (page) => ConflictPage(page, view, `/records/${id}/edit`), 409);
}

const STALE = /^(the record is at revision|the record changed while)/;

recordPages.post(`/records/${ID}/edit`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const id = c.req.param("id");
  await requireRecordAction(services, origin, actor, id, "record.edit");
  const entity = await getEntity(services, origin, actor, id);
  const may = await recordCapabilities(services, origin, actor, id);
  const form = await readForm(c);
  const act = field(form, "act") || "save";
  let state = stateOfForm(entity.schema, form);
  const title = c.var.t("records.editor.editTitle", { kind: schemaLabel(c.var.t, entity.schema) });
  if (act !== "save") {
    const view = await editorView(c, "edit", extendState(state, act, form), { entity, mayRestrict: may.manageAccess });
    return renderPage(c, title, (page) => EditorPage(page, view, `/records/${id}/edit`));
  }
  if (state.revision !== entity.revision) return showConflict(c, id, state, may.manageAccess);
  const { input, positions } = updateInput(state, entity, may.manageAccess);
  let saved: EntityView;
  try {
    saved = await updateEntity(services, origin, actor, id, input);
  } catch (error) {
    if (error instanceof Conflict && STALE.test(error.message)) return showConflict(c, id, state, may.manageAccess);
    const problem = recordProblem(c, error);
    state = extendState(state, "", form);
    const errors = fieldErrors(problem.errors, positions, state);
    const view = await editorView(c, "edit", state, { entity, mayRestrict: may.manageAccess, problem: { ...problem, errors: {} }, errors });
    return renderPage(c, title, (page) => EditorPage(page, view, `/records/${id}/edit`), problem.status);
  }
  throw new Redirect(`/records/${id}?done=${saved.revision === entity.revision ? "unchanged" : "saved"}`);
});

// ---------------------------------------------------------------------------------------------
// History

recordPages.get(`/records/${ID}/history`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const id = c.req.param("id");
  const entity = await getEntity(services, origin, actor, id);
  const number = (name: string) => (c.req.query(name) === undefined || c.req.query(name) === "" ? undefined : c.req.query(name));
  const query = { ...(number("from") !== undefined ? { from: number("from") } : {}), ...(number("to") !== undefined ? { to: number("to") } : {}) };
  let history: HistoryView | null = null;
  let problem: FormProblem | undefined;
  try {
    history = await entityHistory(services, origin, actor, id, query);
  } catch (error) {
    problem = recordProblem(c, error);
  }
  const ids = history ? [...history.diff.added, ...history.diff.removed].flatMap((s) => [s.source, propertyType(entity.schema, s.property) === "entity" ? s.value : null]).filter((v): v is string => v !== null) : [];
  const view: HistoryPageView = {
    entity,
    history,
    lookup: await lookupFor(c, ids),
    problem,
    from: history?.diff.from ?? Math.max(entity.revision - 1, 0),
    to: history?.diff.to ?? entity.revision,
  };
  return renderPage(c, c.var.t("records.history.title"), (page) => HistoryPage(page, view), problem?.status ?? 200);
});

// ---------------------------------------------------------------------------------------------
// Merging

/** Schemata a record may take a duplicate of: its own, and the less specific ones it is (a Person takes a LegalEntity). */
function duplicateSchemata(schema: string): string[] {
  const own = findSchema(schema)!;
  return model.getSchemata().filter((s) => own.isA(s.name) && !s.abstract).map((s) => s.name);
}

async function showMerge(c: Context<AppEnv>, id: string, extra: { duplicate?: string | undefined; problem?: FormProblem; reason?: string } = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  await requireRecordAction(services, origin, actor, id, "record.merge");
  const entity = await getEntity(services, origin, actor, id);
  const duplicateId = extra.duplicate ?? c.req.query("duplicate");
  let duplicate: EntityView | null = null;
  let problem = extra.problem;
  if (duplicateId) {
    try {
      duplicate = await getEntity(services, origin, actor, duplicateId);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      problem ??= recordProblem(c, new Invalid("there is no such record to merge", { duplicate: "no such record" }));
    }
  }
  const q = c.req.query("q") ?? (duplicate ? "" : defaultQuery(entity));
  const candidates = !duplicate && q.trim() ? (await browseRecords(services, origin, actor, { q, limit: 20, sort: "name" }, duplicateSchemata(entity.schema))).records.filter((r) => r.id !== entity.id) : null;
  const view: MergePageView = { entity, q, candidates, duplicate, lookup: await lookupFor(c, referencedIds(candidates ?? [])), problem, reason: extra.reason ?? "" };
  return renderPage(c, c.var.t("records.merge.title"), (page) => MergePage(page, view), problem?.status ?? status);
}

recordPages.get(`/records/${ID}/merge`, (c) => showMerge(c, c.req.param("id")));

recordPages.post(`/records/${ID}/merge`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let form: FormData = {};
  let merge: MergeView;
  try {
    merge = await mergeEntities(c.var.services, c.var.origin, actor, id, async () => {
      form = await readForm(c);
      return { duplicate: field(form, "duplicate"), reason: field(form, "reason"), revision: Number(field(form, "revision")), duplicateRevision: Number(field(form, "duplicateRevision")) };
    });
  } catch (error) {
    const problem = recordProblem(c, error);
    return showMerge(c, id, { duplicate: field(form, "duplicate") || undefined, problem, reason: field(form, "reason") }, problem.status);
  }
  throw new Redirect(`/records/${merge.target}?done=merged#merges`);
});

recordPages.post(`/records/merges/${ID}/undo`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const mergeId = c.req.param("id");
  let form: FormData = {};
  try {
    const merge = await undoMerge(services, origin, actor, mergeId, async () => {
      form = await readForm(c);
      return { reason: field(form, "reason") };
    });
    throw new Redirect(`/records/${merge.target}?done=unmerged`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    const problem = recordProblem(c, error);
    // Shown on the page the form was on, when the reader may see that record.
    const back = /^\/records\/([0-9a-f-]{36})$/.exec(safeNext(field(form, "back")))?.[1];
    if (!back) throw error;
    return showEntity(c, back, { problem, failedForm: "undo" }, problem.status);
  }
});

// ---------------------------------------------------------------------------------------------
// Adding a relationship

async function showRelate(c: Context<AppEnv>, id: string, extra: { kind?: string; q?: string; problem?: FormProblem; values?: Record<string, string> } = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  await requireRecordAction(services, origin, actor, id, "record.edit");
  await requireRecordCreation(services, origin, actor);
  const entity = await getEntity(services, origin, actor, id);
  const kinds = relationshipKinds(entity.schema);
  if (kinds.length === 0) throw new Redirect(`/records/${id}`);
  const wanted = extra.kind ?? c.req.query("kind");
  const kind = kinds.find((k) => k.key === wanted) ?? kinds[0]!;
  const q = (extra.q ?? c.req.query("q") ?? "").trim();
  const candidates = q ? (await browseRecords(services, origin, actor, { q, limit: 20, sort: "name" }, rangeSchemata(kind))).records.filter((r) => r.id !== entity.id) : null;
  const sourceIds = (await browseRecords(services, origin, actor, { sort: "updated", limit: 50 }, ["Source"])).records.map((r) => r.id);
  const lookup = await lookupFor(c, [...sourceIds, ...referencedIds(candidates ?? [])]);
  const roles = (await listVocabularies(services, origin, actor)).find((v) => v.name === "involvement-roles")!.terms.filter((term) => !term.retired);
  const view: RelatePageView = {
    entity,
    kinds,
    kind,
    q,
    candidates,
    sources: sourceIds.map((s) => lookup.captions.get(s)).filter((x): x is RecordCaption => x !== undefined),
    roles,
    lookup,
    problem: extra.problem,
    values: extra.values,
  };
  return renderPage(c, c.var.t("records.relate.title"), (page) => RelatePage(page, view), extra.problem?.status ?? status);
}

recordPages.get(`/records/${ID}/relate`, (c) => showRelate(c, c.req.param("id")));

/** A relationship's own problems, moved from its properties onto the relate form's fields. */
const RELATE_FIELDS: Record<string, string> = { role: "how", relationship: "how", startDate: "startDate", endDate: "endDate" };

recordPages.post(`/records/${ID}/relate`, async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const id = c.req.param("id");
  await requireRecordAction(services, origin, actor, id, "record.edit");
  const entity = await getEntity(services, origin, actor, id);
  const form = await readForm(c);
  const values = Object.fromEntries(["kind", "q", "other", "how", "startDate", "endDate", "source", "sensitivity", "reason"].map((k) => [k, field(form, k).trim()]));
  const kind = relationshipKinds(entity.schema).find((k) => k.key === values.kind);
  if (!kind) throw new Invalid("choose a kind of relationship", { kind: "not a kind of relationship this record can have" });
  const cite = (value: string) => ({ value, sensitivity: values.sensitivity || "internal", ...(values.source ? { source: values.source } : {}) });
  const properties: Record<string, unknown[]> = { [kind.self]: [cite(entity.id)], [kind.other]: values.other ? [cite(values.other)] : [] };
  if (kind.how && values.how) properties[kind.how] = [cite(values.how)];
  for (const date of ["startDate", "endDate"] as const) if (values[date]) properties[date] = [cite(values[date]!)];
  try {
    if (!values.other) throw new Invalid("some fields are not valid", { other: "choose a record" });
    await createEntity(services, origin, actor, { schema: kind.schema, properties, ...(values.reason ? { reason: values.reason } : {}) });
  } catch (error) {
    const problem = recordProblem(c, error);
    const errors: Record<string, string> = {};
    for (const [path, message] of Object.entries(problem.errors)) {
      const m = /^properties\.([A-Za-z]+)(?:\.\d+(\.source)?)?$/.exec(path);
      const name = m ? (m[2] ? "source" : m[1] === kind.other ? "other" : (RELATE_FIELDS[m[1]!] ?? "other")) : path;
      errors[name] ??= message;
    }
    return showRelate(c, id, { kind: kind.key, q: values.q, values, problem: { ...problem, errors } }, problem.status);
  }
  throw new Redirect(`/records/${id}?done=related#relationships`);
});

// ---------------------------------------------------------------------------------------------
// Access lists

const ACCESS_DONE = new Set(["granted", "revoked"]);

async function showAccess(c: Context<AppEnv>, id: string, extra: { notice?: string | null; problem?: FormProblem } = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const access = await getAccessList(services, origin, actor, id);
  const entity = await getEntity(services, origin, actor, id);
  const view: AccessPageView = { entity, access, members: await listAssignees(services, origin, actor), teams: await listTeams(services, origin, actor), notice: extra.notice ?? null, problem: extra.problem };
  return renderPage(c, c.var.t("records.access.title"), (page) => AccessPage(page, view), extra.problem?.status ?? status);
}

recordPages.get(`/records/${ID}/access`, (c) => {
  const done = c.req.query("done");
  return showAccess(c, c.req.param("id"), { notice: done && ACCESS_DONE.has(done) ? c.var.t(`records.access.done.${done}`) : null });
});

function accessInput(form: FormData): { user: string } | { team: string } {
  return field(form, "team") ? { team: field(form, "team") } : { user: field(form, "user") };
}

recordPages.post(`/records/${ID}/access`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await grantAccess(c.var.services, c.var.origin, actor, id, async () => accessInput(await readForm(c)));
  } catch (error) {
    const problem = recordProblem(c, error);
    return showAccess(c, id, { problem }, problem.status);
  }
  throw new Redirect(`/records/${id}/access?done=granted`);
});

recordPages.post(`/records/${ID}/access/revoke`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await revokeAccess(c.var.services, c.var.origin, actor, id, accessInput(await readForm(c)));
  } catch (error) {
    const problem = recordProblem(c, error);
    return showAccess(c, id, { problem }, problem.status);
  }
  throw new Redirect(`/records/${id}/access?done=revoked`);
});
