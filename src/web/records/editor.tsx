// The record editor: one row per value, each with its source, its sensitivity and (for names) its
// language, checked on the server and shown back with each problem beside its field. Buttons that
// add a row, find a source or a record to point at, or add a property re-show the form with what
// was typed: nothing needs a script. An edit names the revision it started from; when the record
// has moved on, the editor shows both versions instead of saving (see ConflictPage).
import { parseEdtf } from "../../core/index.ts";
import { SENSITIVITIES, findSchema, type EntityView, type RecordCaption, type Sensitivity, type StatementView } from "../../records/index.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import type { FormData } from "../middleware/body.ts";
import { field, fields } from "../middleware/body.ts";
import type { FormProblem } from "../render.tsx";
import { dateSpan, editedProperties, propertyLabel, propertyType, schemaLabel, scriptOf, valueLabel, vocabularyOf, type VocabularyIndex } from "./labels.ts";
import { NewRecordLinks, ReasonField, Written, type Lookup } from "./parts.tsx";
import { BackToRecord } from "./entity-page.tsx";

/** One value in the editor: an existing statement (with its id) or a new value. */
export interface EditorRow {
  n: number;
  property: string;
  statement: string | null;
  value: string;
  source: string;
  sensitivity: Sensitivity;
  lang: string;
  confidence: string;
  remove: boolean;
  /** A secret value, not shown: it can be kept or removed, not read or changed here. */
  sealed: boolean;
}

export interface EditorState {
  schema: string;
  rows: EditorRow[];
  /** Properties shown, in order; each gets its existing rows and one empty row. */
  properties: string[];
  reason: string;
  restricted: boolean;
  revision: number | null;
  find: string;
}

export interface EditorView {
  mode: "create" | "edit";
  state: EditorState;
  entity?: EntityView | undefined;
  mayRestrict: boolean;
  /** Sources offered in each row's source list. */
  sources: RecordCaption[];
  /** Records offered for each property that points at a record. */
  targets: Record<string, RecordCaption[]>;
  lookup: Lookup;
  problem?: FormProblem | undefined;
  /** Problems by form field (v-3, src-3…), translated. */
  errors: Record<string, string>;
  notice?: string | null;
}

const MAX_ROWS = 400;
const NAME_TYPES = new Set(["name"]);
const LANGUAGE_PROPERTIES = new Set(["name", "alias", "weakAlias", "previousName", "firstName", "lastName", "full", "bodyText", "description", "summary", "notes"]);

export function offersLanguage(schema: string, property: string): boolean {
  return LANGUAGE_PROPERTIES.has(property) || NAME_TYPES.has(propertyType(schema, property) ?? "");
}

/** The properties of a schema a person may write here: real, stored properties (not the reverse ends of relationships). */
export function writableProperty(schema: string, property: string): boolean {
  const p = findSchema(schema)?.getProperties().get(property);
  return p !== undefined && !p.stub && !p.hidden;
}

/** Every writable property of a schema, for the "add a property" list. */
export function writableProperties(schema: string): string[] {
  const found = findSchema(schema);
  if (!found) return [];
  return [...found.getProperties().values()].filter((p) => !p.stub && !p.hidden).map((p) => p.name);
}

function rowOf(n: number, s: StatementView): EditorRow {
  return {
    n,
    property: s.property,
    statement: s.id,
    value: s.value ?? "",
    source: s.source ?? "",
    sensitivity: s.sensitivity,
    lang: s.lang ?? "",
    confidence: s.confidence === null ? "" : String(s.confidence),
    remove: false,
    sealed: s.value === null,
  };
}

function emptyRow(n: number, property: string, source = ""): EditorRow {
  return { n, property, statement: null, value: "", source, sensitivity: "internal", lang: "", confidence: "", remove: false, sealed: false };
}

/** The editor as it opens on a record: its statements, then the usual properties it has no value for. */
export function stateOfEntity(entity: EntityView): EditorState {
  const rows = entity.statements.map((s, i) => rowOf(i, s));
  const properties = [...new Set([...editedProperties(entity.schema), ...rows.map((r) => r.property)])].filter((p) => writableProperty(entity.schema, p));
  return withEmptyRows({ schema: entity.schema, rows, properties, reason: "", restricted: entity.restricted, revision: entity.revision, find: "" });
}

export function stateOfNew(schema: string): EditorState {
  return withEmptyRows({ schema, rows: [], properties: editedProperties(schema).filter((p) => writableProperty(schema, p)), reason: "", restricted: false, revision: null, find: "" });
}

/** Makes sure every property shown has one empty row to add a value in. */
function withEmptyRows(state: EditorState): EditorState {
  let next = Math.max(-1, ...state.rows.map((r) => r.n)) + 1;
  const rows = [...state.rows];
  for (const property of state.properties) {
    if (!rows.some((r) => r.property === property && r.statement === null && r.value === "")) rows.push(emptyRow(next++, property));
  }
  return { ...state, rows };
}

const ROW_NUMBER = /^\d{1,4}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The editor as it came back: every row, as typed, for the schema given (properties it does not have are dropped). */
export function stateOfForm(schema: string, form: FormData): EditorState {
  const numbers = [...new Set(fields(form, "row").filter((n) => ROW_NUMBER.test(n)).map(Number))].slice(0, MAX_ROWS);
  const rows: EditorRow[] = [];
  for (const n of numbers) {
    const property = field(form, `p-${n}`);
    if (!writableProperty(schema, property)) continue;
    const statement = field(form, `s-${n}`).toLowerCase();
    const sensitivity = field(form, `sens-${n}`);
    rows.push({
      n,
      property,
      statement: UUID.test(statement) ? statement : null,
      value: field(form, `v-${n}`),
      source: field(form, `src-${n}`).toLowerCase(),
      sensitivity: (SENSITIVITIES as readonly string[]).includes(sensitivity) ? (sensitivity as Sensitivity) : "internal",
      lang: field(form, `lang-${n}`).trim(),
      confidence: field(form, `conf-${n}`),
      remove: field(form, `rm-${n}`) === "1",
      sealed: field(form, `sealed-${n}`) === "1",
    });
  }
  const properties = [...new Set([...fields(form, "property").filter((p) => writableProperty(schema, p)), ...rows.map((r) => r.property)])];
  const revision = Number(field(form, "revision"));
  return {
    schema,
    rows,
    properties,
    reason: field(form, "reason"),
    restricted: field(form, "restricted") === "1",
    revision: Number.isInteger(revision) && revision > 0 ? revision : null,
    find: field(form, "find").trim().slice(0, 200),
  };
}

/** A button other than "save" was pressed: show the form again with one more row, or another property. */
export function extendState(state: EditorState, act: string, form: FormData): EditorState {
  if (act.startsWith("more:")) {
    const property = act.slice(5);
    if (!state.properties.includes(property)) return state;
    const n = Math.max(-1, ...state.rows.map((r) => r.n)) + 1;
    return { ...state, rows: [...state.rows, emptyRow(n, property)] };
  }
  if (act === "add-property") {
    const property = field(form, "new-property");
    if (!writableProperty(state.schema, property) || state.properties.includes(property)) return state;
    return withEmptyRows({ ...state, properties: [...state.properties, property] });
  }
  return withEmptyRows(state);
}

function valueOf(row: EditorRow) {
  const value = row.value.normalize("NFC").trim();
  const lang = row.lang || undefined;
  const script = lang ? (scriptOf(value, lang) ?? undefined) : undefined;
  const confidence = row.confidence === "" ? undefined : Number(row.confidence);
  return {
    value: row.value,
    ...(row.source ? { source: row.source } : {}),
    ...(lang ? { lang } : {}),
    ...(script ? { script } : {}),
    ...(confidence !== undefined && Number.isFinite(confidence) ? { confidence } : {}),
    sensitivity: row.sensitivity,
  };
}

/** Where each value went in the input, so the service's problems (properties.date.1) find their row again. */
type Positions = Map<string, number[]>;

function position(positions: Positions, property: string, n: number): void {
  (positions.get(property) ?? positions.set(property, []).get(property)!).push(n);
}

export function createInput(state: EditorState): { input: { schema: string; properties: Record<string, unknown[]>; restricted: boolean; reason?: string }; positions: Positions } {
  const properties: Record<string, unknown[]> = {};
  const positions: Positions = new Map();
  for (const row of state.rows) {
    if (row.value.trim() === "" || row.sealed) continue;
    (properties[row.property] ??= []).push(valueOf(row));
    position(positions, row.property, row.n);
  }
  const reason = state.reason.trim();
  return { input: { schema: state.schema, properties, restricted: state.restricted, ...(reason ? { reason } : {}) }, positions };
}

function unchanged(row: EditorRow, s: StatementView): boolean {
  return row.value === (s.value ?? "") && row.source === (s.source ?? "") && row.sensitivity === s.sensitivity && row.lang === (s.lang ?? "");
}

/**
 * The update a submitted editor asks for, against the record as it stands: values left as they
 * were are kept by their statement id, changed ones are written anew (the old one is withdrawn),
 * removed ones are withdrawn, secret ones by id (they are never withdrawn by omission).
 */
export function updateInput(state: EditorState, entity: EntityView, mayRestrict: boolean) {
  const live = new Map(entity.statements.map((s) => [s.id, s]));
  const properties: Record<string, unknown[]> = {};
  const positions: Positions = new Map();
  const retract: string[] = [];
  const touched = new Set<string>();
  for (const row of state.rows) {
    const current = row.statement ? live.get(row.statement) : undefined;
    if (current && row.sealed) {
      if (row.remove) retract.push(current.id);
      continue;
    }
    if (current && current.property === row.property && !row.remove && unchanged(row, current)) {
      (properties[row.property] ??= []).push({ statement: current.id });
      position(positions, row.property, row.n);
      continue;
    }
    if (current) touched.add(row.property);
    if (row.remove || row.value.trim() === "") continue;
    touched.add(row.property);
    (properties[row.property] ??= []).push(valueOf(row));
    position(positions, row.property, row.n);
  }
  // A property nobody touched is left out: its values stay exactly as they are.
  for (const property of Object.keys(properties)) if (!touched.has(property)) delete properties[property];
  for (const property of touched) properties[property] ??= [];
  return {
    input: {
      revision: entity.revision,
      reason: state.reason,
      properties,
      ...(retract.length ? { retract } : {}),
      ...(mayRestrict && state.restricted !== entity.restricted ? { restricted: state.restricted } : {}),
    },
    positions,
  };
}

/** The service's problems, by path, moved onto the fields of the rows they are about. */
export function fieldErrors(errors: Record<string, string>, positions: Positions, state: EditorState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = /^properties\.([A-Za-z0-9]+)(?:\.(\d+)(\.source)?)?$/.exec(path);
    if (m) {
      const [, property, index, source] = m as unknown as [string, string, string | undefined, string | undefined];
      const n = index !== undefined ? positions.get(property)?.[Number(index)] : (positions.get(property)?.[0] ?? state.rows.find((r) => r.property === property)?.n);
      if (n !== undefined) {
        out[`${source ? "src" : "v"}-${n}`] = message;
        continue;
      }
    }
    if (/^retract\.\d+$/.test(path)) continue;
    out[path === "schema" || path === "reason" || path === "revision" ? path : "_"] = message;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The form

function Options({ items, chosen, none }: { items: RecordCaption[]; chosen: string; none: string }) {
  const seen = new Set<string>();
  return (
    <>
      <option value="">{none}</option>
      {items
        .filter((c) => !seen.has(c.id) && seen.add(c.id))
        .map((c) => (
          <option value={c.id} selected={c.id === chosen} lang={c.lang ?? undefined} dir="auto">
            {c.caption ?? c.id}
          </option>
        ))}
    </>
  );
}

function RowFields({ page, view, row }: { page: PageContext; view: EditorView; row: EditorRow }) {
  const { t, locale } = page;
  const { schema } = view.state;
  const id = (name: string) => `f-${name}-${row.n}`;
  const error = (name: string) => view.errors[`${name}-${row.n}`];
  const type = propertyType(schema, row.property);
  const vocabulary = vocabularyOf(schema, row.property);
  const label = propertyLabel(t, schema, row.property);
  const valueError = error("v");
  const describe = (...ids: (string | false | null | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;
  const hidden = (
    <>
      <input type="hidden" name="row" value={String(row.n)} />
      <input type="hidden" name={`p-${row.n}`} value={row.property} />
      {row.statement ? <input type="hidden" name={`s-${row.n}`} value={row.statement} /> : null}
      {row.confidence ? <input type="hidden" name={`conf-${row.n}`} value={row.confidence} /> : null}
    </>
  );
  if (row.sealed) {
    return (
      <div class="value-row">
        {hidden}
        <input type="hidden" name={`sealed-${row.n}`} value="1" />
        <p>{t("records.editor.sealed")}</p>
        <div class="field checkbox">
          <input type="checkbox" id={id("rm")} name={`rm-${row.n}`} value="1" checked={row.remove} />
          <label for={id("rm")}>{t("records.editor.remove", { property: label })}</label>
        </div>
      </div>
    );
  }
  const typed = row.value.trim();
  const date = type === "date" && typed ? parseEdtf(typed) : null;
  const span = date?.ok ? dateSpan(locale, date.value.earliest, date.value.latest) : null;
  let control;
  if (type === "entity") {
    const range = findSchema(schema)?.getProperties().get(row.property)?.getRange().name ?? "";
    const current = row.value && view.lookup.captions.get(row.value) ? [view.lookup.captions.get(row.value)!] : [];
    control = (
      <select id={id("v")} name={`v-${row.n}`} aria-invalid={valueError ? "true" : undefined} aria-describedby={describe(valueError && `${id("v")}-error`, `${id("v")}-hint`)}>
        <Options items={[...current, ...(view.targets[row.property] ?? [])]} chosen={row.value} none={t("records.editor.noRecord", { kind: schemaLabel(t, range) })} />
      </select>
    );
  } else if (vocabulary) {
    const terms = [...(view.lookup.vocabularies.get(vocabulary)?.values() ?? [])];
    const known = terms.some((term) => term.code === row.value);
    control = (
      <select id={id("v")} name={`v-${row.n}`} aria-invalid={valueError ? "true" : undefined} aria-describedby={valueError ? `${id("v")}-error` : undefined}>
        <option value="">{t("records.editor.noValue")}</option>
        {!known && row.value ? <option value={row.value} selected>{row.value}</option> : null}
        {terms
          .filter((term) => !term.retired || term.code === row.value)
          .map((term) => (
            <option value={term.code} selected={term.code === row.value}>
              {valueLabel(t, locale, view.lookup.vocabularies, schema, row.property, term.code)}
            </option>
          ))}
      </select>
    );
  } else if (type === "text") {
    control = (
      <textarea id={id("v")} name={`v-${row.n}`} rows={5} dir="auto" lang={row.lang || undefined} aria-invalid={valueError ? "true" : undefined} aria-describedby={valueError ? `${id("v")}-error` : undefined}>
        {row.value}
      </textarea>
    );
  } else {
    control = (
      <input
        id={id("v")}
        name={`v-${row.n}`}
        type="text"
        value={row.value}
        dir={type === "date" || type === "number" || type === "url" ? "ltr" : "auto"}
        lang={row.lang || undefined}
        maxlength={type === "date" ? 64 : undefined}
        aria-invalid={valueError ? "true" : undefined}
        aria-describedby={describe(type === "date" && `${id("v")}-hint`, span && `${id("v")}-means`, valueError && `${id("v")}-error`)}
      />
    );
  }
  return (
    <div class={valueError || error("src") ? "value-row has-error" : "value-row"}>
      {hidden}
      <div class={valueError ? "field has-error" : "field"}>
        <label for={id("v")}>{row.statement ? t("records.editor.value") : t("records.editor.newValue")}</label>
        {type === "date" ? (
          <p class="hint" id={`${id("v")}-hint`}>
            {t("records.editor.dateHint")}
          </p>
        ) : null}
        {type === "entity" ? (
          <p class="hint" id={`${id("v")}-hint`}>
            {t("records.editor.findHint")}
          </p>
        ) : null}
        {valueError ? (
          <p class="field-error" id={`${id("v")}-error`}>
            {valueError}
          </p>
        ) : null}
        {control}
        {span ? (
          <p class="hint means" id={`${id("v")}-means`}>
            {t("records.dateMeans", { span })}
          </p>
        ) : null}
      </div>
      <div class={error("src") ? "field has-error" : "field"}>
        <label for={id("src")}>{t("records.editor.source")}</label>
        {error("src") ? (
          <p class="field-error" id={`${id("src")}-error`}>
            {error("src")}
          </p>
        ) : null}
        <select id={id("src")} name={`src-${row.n}`} aria-invalid={error("src") ? "true" : undefined} aria-describedby={error("src") ? `${id("src")}-error` : undefined}>
          <Options items={[...(row.source && view.lookup.captions.get(row.source) ? [view.lookup.captions.get(row.source)!] : []), ...view.sources]} chosen={row.source} none={t("records.editor.noSource")} />
        </select>
      </div>
      <div class="field">
        <label for={id("sens")}>{t("records.editor.sensitivity")}</label>
        <select id={id("sens")} name={`sens-${row.n}`}>
          {SENSITIVITIES.map((s) => (
            <option value={s} selected={s === row.sensitivity}>
              {t(`records.sensitivityLevel.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {offersLanguage(schema, row.property) ? (
        <div class={error("lang") ? "field has-error" : "field"}>
          <label for={id("lang")}>{t("records.editor.lang")}</label>
          <p class="hint" id={`${id("lang")}-hint`}>
            {t("records.editor.langHint")}
          </p>
          <input id={id("lang")} name={`lang-${row.n}`} type="text" value={row.lang} dir="ltr" maxlength={35} class="short" aria-describedby={`${id("lang")}-hint`} />
        </div>
      ) : null}
      {row.statement ? (
        <div class="field checkbox">
          <input type="checkbox" id={id("rm")} name={`rm-${row.n}`} value="1" checked={row.remove} />
          <label for={id("rm")}>{t("records.editor.remove", { property: label })}</label>
        </div>
      ) : null}
    </div>
  );
}

export function EditorForm({ page, view, action }: { page: PageContext; view: EditorView; action: string }) {
  const { t } = page;
  const { state } = view;
  const addable = writableProperties(state.schema).filter((p) => !state.properties.includes(p));
  const summaryErrors = Object.fromEntries(
    Object.entries(view.errors).map(([key, message]) => {
      const m = /^(v|src|lang)-(\d+)$/.exec(key);
      if (!m) return [key === "reason" ? "edit-reason" : key, message];
      const row = state.rows.find((r) => r.n === Number(m[2]));
      return [`${m[1]}-${m[2]}`, row ? `${propertyLabel(t, state.schema, row.property)}: ${message}` : message];
    }),
  );
  return (
    <form method="post" action={action} class="editor" novalidate>
      <Csrf page={page} />
      <ErrorSummary page={page} message={view.problem?.message} errors={summaryErrors} />
      <input type="hidden" name="schema" value={state.schema} />
      {state.revision !== null ? <input type="hidden" name="revision" value={String(state.revision)} /> : null}
      {state.properties.map((p) => (
        <input type="hidden" name="property" value={p} />
      ))}
      <p>
        <button type="submit" name="act" value="save">
          {t("records.editor.save")}
        </button>
      </p>
      <div class="field find">
        <label for="f-find">{t("records.editor.find")}</label>
        <p class="hint" id="f-find-hint">
          {t("records.editor.findIntro")}
        </p>
        <input id="f-find" name="find" type="search" value={state.find} dir="auto" maxlength={200} aria-describedby="f-find-hint" />
        <button type="submit" name="act" value="find" class="small">
          {t("records.editor.findButton")}
        </button>
      </div>
      {state.properties.map((property) => (
        <fieldset class="property" id={`prop-${property}`}>
          <legend>{propertyLabel(t, state.schema, property)}</legend>
          {state.rows
            .filter((r) => r.property === property)
            .map((row) => (
              <RowFields page={page} view={view} row={row} />
            ))}
          <button type="submit" name="act" value={`more:${property}`} class="small">
            {t("records.editor.more", { property: propertyLabel(t, state.schema, property) })}
          </button>
        </fieldset>
      ))}
      {addable.length > 0 ? (
        <div class="field">
          <label for="f-new-property">{t("records.editor.addProperty")}</label>
          <select id="f-new-property" name="new-property">
            {addable.map((p) => (
              <option value={p}>{propertyLabel(t, state.schema, p)}</option>
            ))}
          </select>{" "}
          <button type="submit" name="act" value="add-property" class="small">
            {t("records.editor.addPropertyButton")}
          </button>
        </div>
      ) : null}
      {view.mayRestrict ? (
        <div class="field checkbox">
          <input type="checkbox" id="f-restricted" name="restricted" value="1" checked={state.restricted} aria-describedby="f-restricted-hint" />
          <label for="f-restricted">{t("records.editor.restricted")}</label>
          <p class="hint" id="f-restricted-hint">
            {t("records.editor.restrictedHint")}
          </p>
        </div>
      ) : null}
      {view.mode === "edit" ? (
        <ReasonField page={page} id="f-edit-reason" value={state.reason} error={view.errors.reason} />
      ) : (
        <div class="field">
          <label for="f-edit-reason">{t("records.editor.createReason")}</label>
          <input id="f-edit-reason" name="reason" type="text" value={state.reason} maxlength={2000} dir="auto" />
        </div>
      )}
      <button type="submit" name="act" value="save">
        {t("records.editor.save")}
      </button>
    </form>
  );
}

export function EditorPage(page: PageContext, view: EditorView, action: string) {
  const { t } = page;
  return (
    <>
      {view.entity ? (
        <BackToRecord page={page} entity={view.entity} />
      ) : null}
      <h1>{view.mode === "create" ? t("records.editor.createTitle", { kind: schemaLabel(t, view.state.schema) }) : t("records.editor.editTitle", { kind: schemaLabel(t, view.state.schema) })}</h1>
      {view.notice ? (
        <p class="notice" role="status">
          {view.notice}
        </p>
      ) : null}
      <EditorForm page={page} view={view} action={action} />
    </>
  );
}

/** The page asking which kind of record to add. */
export function ChooseSchemaPage(page: PageContext, schemata: readonly string[]) {
  const { t } = page;
  return (
    <>
      <h1>{t("records.editor.chooseTitle")}</h1>
      <NewRecordLinks page={page} schemata={schemata} />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Two people at once

export interface ConflictView {
  entity: EntityView;
  /** What the person submitted, read against the revision they started from. */
  yours: EditorState;
  base: EntityView;
  /** The editor again, at the current revision, with the person's changes applied to it. */
  editor: EditorView;
  vocabularies: VocabularyIndex;
}

/**
 * The person's changes (against the revision they opened) carried over to the record as it now
 * stands: values they changed or removed are withdrawn if still there, values they added or
 * changed are added as new rows. Everything someone else did stays; nothing is saved until they
 * look and press save.
 */
export function carryOver(yours: EditorState, base: EntityView, current: EntityView): EditorState {
  const before = new Map(base.statements.map((s) => [s.id, s]));
  const next = stateOfEntity(current);
  const removed = new Set<string>();
  const added: EditorRow[] = [];
  for (const row of yours.rows) {
    const was = row.statement ? before.get(row.statement) : undefined;
    if (was && !row.remove && (row.sealed || unchanged(row, was))) continue;
    if (was) removed.add(was.id);
    if (!row.remove && !row.sealed && row.value.trim() !== "") added.push(row);
  }
  let n = Math.max(-1, ...next.rows.map((r) => r.n)) + 1;
  const rows = next.rows
    .filter((r) => !(r.statement === null && r.value === ""))
    .map((r) => (r.statement && removed.has(r.statement) ? { ...r, remove: true } : r));
  for (const row of added) rows.push({ ...row, n: n++, statement: null, remove: false });
  const properties = [...new Set([...next.properties, ...added.map((r) => r.property)])];
  return withEmptyRows({ ...next, rows, properties, reason: yours.reason, restricted: yours.restricted, find: "" });
}

function VersionList({ page, schema, rows, vocabularies, lookup }: { page: PageContext; schema: string; rows: { property: string; value: string | null; lang: string | null; source: string | null }[]; vocabularies: VocabularyIndex; lookup: Lookup }) {
  const { t } = page;
  const properties = [...new Set(rows.map((r) => r.property))];
  return (
    <dl class="statements">
      {properties.map((p) => (
        <>
          <dt>{propertyLabel(t, schema, p)}</dt>
          <dd>
            <ul class="values">
              {rows
                .filter((r) => r.property === p)
                .map((r) => (
                  <li>
                    {r.value === null ? t("records.sealed") : propertyType(schema, p) === "entity" ? (lookup.captions.get(r.value)?.caption ?? r.value) : <Written value={valueLabel(t, page.locale, vocabularies, schema, p, r.value)} lang={r.lang} />}
                    {r.source ? <span class="hint"> — {lookup.captions.get(r.source)?.caption ?? t("records.notShown")}</span> : null}
                  </li>
                ))}
            </ul>
          </dd>
        </>
      ))}
    </dl>
  );
}

export function ConflictPage(page: PageContext, view: ConflictView, action: string) {
  const { t } = page;
  const yours = view.yours.rows.filter((r) => !r.remove && (r.sealed || r.value.trim() !== "")).map((r) => ({ property: r.property, value: r.sealed ? null : r.value, lang: r.lang || null, source: r.source || null }));
  const theirs = view.entity.statements.map((s) => ({ property: s.property, value: s.value, lang: s.lang, source: s.source }));
  return (
    <>
      <BackToRecord page={page} entity={view.entity} />
      <h1>{t("records.conflict.title")}</h1>
      <div class="error-summary" role="alert" tabindex={-1}>
        <h2>{t("records.conflict.nothingSaved")}</h2>
        <p>{t("records.conflict.explain", { yours: view.base.revision, current: view.entity.revision })}</p>
        <p>
          <a href={`/records/${view.entity.id}/history?from=${view.base.revision}&to=${view.entity.revision}`}>{t("records.conflict.whatChanged")}</a>
        </p>
      </div>
      <div class="versions">
        <section aria-labelledby="yours-title">
          <h2 id="yours-title">{t("records.conflict.yours")}</h2>
          <VersionList page={page} schema={view.entity.schema} rows={yours} vocabularies={view.vocabularies} lookup={view.editor.lookup} />
        </section>
        <section aria-labelledby="current-title">
          <h2 id="current-title">{t("records.conflict.current", { n: view.entity.revision })}</h2>
          <VersionList page={page} schema={view.entity.schema} rows={theirs} vocabularies={view.vocabularies} lookup={view.editor.lookup} />
        </section>
      </div>
      <h2>{t("records.conflict.again")}</h2>
      <p class="hint">{t("records.conflict.againHint")}</p>
      <EditorForm page={page} view={view.editor} action={action} />
    </>
  );
}
