// Time-ordered ids (UUID version 7, RFC 9562) for the many rows one import writes. Random ids
// (version 4) scatter a large import's rows over every page of each index they enter (statements'
// primary key and entity index, the entities, revisions, search documents and names index): once
// those indexes outgrow the database's buffers, every row costs page reads and writes. Ids that
// grow through the import append to the right-hand edge of each index instead.
//
// Layout: 48 bits of milliseconds (the import's time), the version, a 26-bit counter (method 1 of
// RFC 9562 §6.2, starting at a random value, moving the time on a millisecond when it overflows),
// the variant, and 48 random bits. Ids of one generator strictly increase; two imports started in
// the same millisecond differ in the counter's random start and in the random bits.
import { randomBytes, randomFillSync, randomInt } from "node:crypto";

const COUNTER_BITS = 26;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_IDS = 4096;

/** A function returning a new time-ordered id each call, starting at `time` (and at `counter`, for tests). */
export function orderedIds(time: Date, start: { counter?: number } = {}): () => string {
  let ms = Math.max(0, Math.floor(time.getTime()));
  let counter = start.counter ?? randomInt(0, COUNTER_LIMIT / 2);
  const pool = randomBytes(6 * POOL_IDS);
  let used = 0;
  return () => {
    if (counter >= COUNTER_LIMIT) {
      ms++;
      counter = 0;
    }
    const c = counter++;
    if (used === POOL_IDS) {
      randomFillSync(pool);
      used = 0;
    }
    const r = used++ * 6;
    const high = Math.floor(ms / 2 ** 16);
    const low = ms % 2 ** 16;
    return (
      HEX[(high >>> 24) & 0xff]! + HEX[(high >>> 16) & 0xff]! + HEX[(high >>> 8) & 0xff]! + HEX[high & 0xff]! + "-" +
      HEX[(low >>> 8) & 0xff]! + HEX[low & 0xff]! + "-" +
      HEX[0x70 | ((c >>> 22) & 0x0f)]! + HEX[(c >>> 14) & 0xff]! + "-" +
      HEX[0x80 | ((c >>> 8) & 0x3f)]! + HEX[c & 0xff]! + "-" +
      HEX[pool[r]!]! + HEX[pool[r + 1]!]! + HEX[pool[r + 2]!]! + HEX[pool[r + 3]!]! + HEX[pool[r + 4]!]! + HEX[pool[r + 5]!]!
    );
  };
}
