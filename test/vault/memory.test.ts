import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { decryptStream, encryptStream, generateX25519Identity, toX25519Recipient } from "../../src/vault/index.ts";

/** `total` bytes generated on the fly from a 1 MiB random block, never held at once. */
async function* generated(total: number): AsyncGenerator<Buffer> {
  const block = randomBytes(1 << 20);
  for (let sent = 0; sent < total; sent += block.length) {
    // A fresh buffer per piece: the encryptor may hold on to views of the input until sealed.
    const piece = Buffer.from(block);
    piece.writeUInt32BE(sent >>> 20, 0);
    yield piece;
  }
}

async function roundTrip(total: number) {
  const identity = generateX25519Identity();
  const pipe = new PassThrough({ highWaterMark: 1 << 20 });
  const expected = createHash("sha256");
  async function* tee() {
    for await (const piece of generated(total)) {
      expected.update(piece);
      yield piece;
    }
  }
  let plainBytes = 0;
  const [enc, dec] = await Promise.all([
    encryptStream([toX25519Recipient(identity)], tee(), pipe),
    decryptStream([identity], pipe, (chunk) => {
      plainBytes += chunk.length;
    }),
  ]);
  assert.equal(plainBytes, total);
  assert.equal(enc.plaintextSha256, expected.digest("hex"));
  assert.equal(dec.plaintextSha256, enc.plaintextSha256);
  assert.equal(dec.ciphertextSha256, enc.ciphertextSha256);
}

test("streams 256 MiB through encrypt and decrypt with bounded memory", async () => {
  // Warm up first: the pooled hashing workers (a V8 isolate each) are a fixed cost paid once per
  // process, not memory that grows with the file, which is what this test is about.
  await roundTrip(1 << 20);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    await roundTrip(256 * 1024 * 1024);
  } finally {
    clearInterval(sample);
  }
  const growth = peak - baseline;
  assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
});
