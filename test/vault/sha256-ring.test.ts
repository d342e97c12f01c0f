import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createSha256 } from "../../src/vault/sha256-worker.ts";

/** Feeds the same bytes to a worker-backed hash, in uneven pieces, through both ways in; returns both digests. */
async function feedUnevenly(data: Buffer, sizes: number[]): Promise<string> {
  const hash = createSha256(true);
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - at);
    if (i % 3 === 2 && n <= hash.bytes.length / 2) {
      // In place: write into the ring's memory, then publish.
      if (hash.room() < n) await hash.waitForRoom(n);
      let written = 0;
      while (written < n) {
        const offset = hash.position % hash.bytes.length;
        const part = Math.min(n - written, hash.bytes.length - offset);
        data.copy(hash.bytes, offset, at + written, at + written + part);
        hash.publish(part);
        written += part;
      }
    } else {
      const wait = hash.update(data.subarray(at, at + n));
      if (wait) await wait;
    }
    at += n;
  }
  return (await hash.digest()).toString("hex");
}

test("a hashing worker's ring gives the SHA-256 of what went in, across wrap-arounds, waits and pieces larger than the ring", async () => {
  const data = randomBytes(23 * 1024 * 1024 + 12345);
  const expected = createHash("sha256").update(data).digest("hex");
  assert.equal(await feedUnevenly(data, [65552, 1, 4099, 9 * 1024 * 1024, 333_333, 65536]), expected);
  // Again on the same pooled worker: its ring and counters start afresh.
  assert.equal(await feedUnevenly(data, [1 << 20, 17]), expected);
  assert.equal(await feedUnevenly(Buffer.alloc(0), [1]), createHash("sha256").digest("hex"));
});
