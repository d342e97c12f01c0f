// Listeners told, inside the writing transaction, which records a change touched. Tables derived
// from the records (the monitor's detention rows) stay in step without src/records knowing them:
// a capability registers its listener at start (src/listeners.ts), and every place records change
// (create, update, archive and restore, merge and its undoing, bulk archive, import) calls
// `recordsChanged` beside its own search and names refresh. A listener that throws rolls the
// change back: a derived table is never left behind the records.
import type { Tx } from "../context.ts";

/**
 * What a listener may know of a change beyond the ids. `created` is given only when every changed
 * record was created in this transaction and no other record can point at it yet (a CSV import's
 * batch: its ids are made by Vigil, so no row of the file can name them): each record's schema and
 * the records its values point at, as written. A listener can then work out what it derives from
 * them without reading back what was just written, and knows that no existing record refers to them.
 */
export interface RecordsChange {
  created?: readonly CreatedRecord[];
}

export interface CreatedRecord {
  id: string;
  schema: string;
  /** The values that point at another record, by property. */
  refs: readonly { property: string; ref: string }[];
}

export type RecordsChangedListener = (tx: Tx, ids: readonly string[], change: RecordsChange) => Promise<void>;

const listeners = new Map<string, RecordsChangedListener>();

/** Registers (or replaces, so registering twice is harmless) the listener under `name`. */
export function onRecordsChanged(name: string, listener: RecordsChangedListener): void {
  listeners.set(name, listener);
}

/** Tells every listener that the records `ids` changed (their statements, archive state, access or merge). */
export async function recordsChanged(tx: Tx, ids: readonly string[], change: RecordsChange = {}): Promise<void> {
  if (ids.length === 0) return;
  for (const listener of listeners.values()) await listener(tx, ids, change);
}
