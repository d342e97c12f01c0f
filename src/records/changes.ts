// Listeners told, inside the writing transaction, which records a change touched. Tables derived
// from the records (the monitor's detention rows) stay in step without src/records knowing them:
// a capability registers its listener at start (src/listeners.ts), and every place records change
// (create, update, archive and restore, merge and its undoing, bulk archive, import) calls
// `recordsChanged` beside its own search and names refresh. A listener that throws rolls the
// change back: a derived table is never left behind the records.
import type { Tx } from "../context.ts";

export type RecordsChangedListener = (tx: Tx, ids: readonly string[]) => Promise<void>;

const listeners = new Map<string, RecordsChangedListener>();

/** Registers (or replaces, so registering twice is harmless) the listener under `name`. */
export function onRecordsChanged(name: string, listener: RecordsChangedListener): void {
  listeners.set(name, listener);
}

/** Tells every listener that the records `ids` changed (their statements, archive state, access or merge). */
export async function recordsChanged(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  for (const listener of listeners.values()) await listener(tx, ids);
}
