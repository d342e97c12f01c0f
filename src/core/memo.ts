// A bounded memo for pure functions (the names engine's, the search analyser's). Bulk screening meets the same names and the same
// token pairs again and again (common given names; every candidate in a block shares a token with
// the query), so remembering recent answers saves most of the work. Bounded so a long-running
// server holds at most `capacity` entries: when full, the oldest half is dropped.

export class Memo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: (key: string) => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (this.entries.size >= this.capacity) {
      // Map iterates in insertion order: the first keys are the oldest.
      let drop = this.capacity >> 1;
      for (const old of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(old);
      }
    }
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
