import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import {
  AgeError,
  armor,
  decryptBytes,
  decryptStream,
  encryptBytes,
  encryptStream,
  generateX25519Identity,
  rewrapHeader,
  toX25519Recipient,
  type Identity,
} from "../../src/vault/index.ts";
import { encodeHeader, parseHeader } from "../../src/vault/header.ts";
import { CHUNK_SIZE, SEALED_CHUNK_SIZE } from "../../src/vault/payload.ts";

const alice = generateX25519Identity();
const bob = generateX25519Identity();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function* pieces(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function encrypt(data: Buffer, pieceSize = CHUNK_SIZE, parallel = false) {
  const out: Buffer[] = [];
  const result = await encryptStream([toX25519Recipient(alice)], pieces(data, pieceSize), (c) => void out.push(c), { parallel });
  return { file: Buffer.concat(out), result };
}

function rejectsWith(code: string) {
  return (e: unknown) => e instanceof AgeError && e.code === code;
}

for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 1_000_003]) {
  test(`round-trips ${size} bytes and reports both hashes and sizes`, async () => {
    const data = randomBytes(size);
    const { file, result } = await encrypt(data);
    assert.equal(result.plaintextSha256, sha256(data));
    assert.equal(result.ciphertextSha256, sha256(file));
    assert.equal(result.plaintextSize, size);
    assert.equal(result.ciphertextSize, file.length);
    const chunks = Math.max(1, Math.ceil(size / CHUNK_SIZE));
    assert.equal(file.length, parseHeader(file).length + 16 + size + 16 * chunks);
    assert.deepEqual(await decryptBytes([alice], file), data);
  });
}

test("cuts input into exact 64 KiB chunks whatever size the pieces arrive in", async () => {
  const data = randomBytes(3 * CHUNK_SIZE + 17);
  const reference = await encrypt(data, 7919);
  assert.deepEqual(await decryptBytes([alice], reference.file), data);
  for (const pieceSize of [1, 1000, CHUNK_SIZE + 1, 5 * CHUNK_SIZE]) {
    const { file, result } = await encrypt(data.subarray(0, pieceSize === 1 ? 70_000 : data.length), pieceSize);
    assert.equal(result.plaintextSize, pieceSize === 1 ? 70_000 : data.length);
    assert.deepEqual(await decryptBytes([alice], file), data.subarray(0, result.plaintextSize));
  }
});

test("hashes the same on worker threads as inline", async () => {
  const data = randomBytes(5 * CHUNK_SIZE + 3);
  const inline = await encrypt(data, 12345, false);
  const parallel = await encrypt(data, 12345, true);
  assert.equal(parallel.result.plaintextSha256, inline.result.plaintextSha256);
  assert.equal(parallel.result.ciphertextSha256, sha256(parallel.file));
  const out: Buffer[] = [];
  const back = await decryptStream([alice], pieces(parallel.file, 4096), (c) => void out.push(c), { parallel: true });
  assert.deepEqual(Buffer.concat(out), data);
  assert.equal(back.plaintextSha256, sha256(data));
  assert.equal(back.ciphertextSha256, parallel.result.ciphertextSha256);
});

test("encrypts to several recipients, each of which can decrypt", async () => {
  const file = await encryptBytes([toX25519Recipient(alice), toX25519Recipient(bob)], Buffer.from("{\"a\":1}"));
  assert.equal((await decryptBytes([bob], file)).toString(), "{\"a\":1}");
  assert.equal((await decryptBytes([alice], file)).toString(), "{\"a\":1}");
});

test("refuses to mix a passphrase with other recipients", async () => {
  await assert.rejects(encryptBytes([{ kind: "scrypt", passphrase: "x", logN: 2 }, toX25519Recipient(bob)], Buffer.alloc(1)), RangeError);
});

test("round-trips a passphrase file and rejects the wrong passphrase", async () => {
  const file = await encryptBytes([{ kind: "scrypt", passphrase: "correct horse", logN: 10 }], Buffer.from("secret"));
  assert.equal((await decryptBytes([{ kind: "scrypt", passphrase: "correct horse" }], file)).toString(), "secret");
  await assert.rejects(decryptBytes([{ kind: "scrypt", passphrase: "wrong" }], file), rejectsWith("no_identity"));
  await assert.rejects(decryptBytes([alice], file), rejectsWith("no_identity"));
});

test("reads ASCII-armored files", async () => {
  const file = await encryptBytes([toX25519Recipient(alice)], Buffer.from("armored"));
  assert.equal((await decryptBytes([alice], Buffer.from("\n  " + armor(file).replace(/\n/g, "\r\n") + "  \n"))).toString(), "armored");
  const broken = armor(file).replace(/\n([A-Za-z0-9+/]{4})/, "\n$1 ");
  await assert.rejects(decryptBytes([alice], Buffer.from(broken)), rejectsWith("malformed"));
});

test("refuses a zero-byte file and garbage", async () => {
  await assert.rejects(decryptBytes([alice], Buffer.alloc(0)), rejectsWith("truncated"));
  await assert.rejects(decryptBytes([alice], randomBytes(1000)), rejectsWith("malformed"));
  await assert.rejects(decryptBytes([alice], Buffer.from("age-encryption.org/v1\n")), rejectsWith("truncated"));
});

test("refuses another format version", async () => {
  const file = await encryptBytes([toX25519Recipient(alice)], Buffer.from("x"));
  const v2 = Buffer.concat([Buffer.from("age-encryption.org/v2"), file.subarray("age-encryption.org/v1".length)]);
  await assert.rejects(decryptBytes([alice], v2), rejectsWith("unsupported"));
});

test("fails on a file cut inside a chunk, at a chunk boundary, or inside the header", async () => {
  const { file } = await encrypt(randomBytes(3 * CHUNK_SIZE));
  const payloadStart = parseHeader(file).length + 16;
  await assert.rejects(decryptBytes([alice], file.subarray(0, payloadStart + SEALED_CHUNK_SIZE + 1000)), rejectsWith("corrupt"));
  await assert.rejects(decryptBytes([alice], file.subarray(0, payloadStart + 2 * SEALED_CHUNK_SIZE)), rejectsWith("truncated"));
  await assert.rejects(decryptBytes([alice], file.subarray(0, payloadStart)), rejectsWith("truncated"));
  await assert.rejects(decryptBytes([alice], file.subarray(0, payloadStart - 5)), rejectsWith("truncated"));
  await assert.rejects(decryptBytes([alice], file.subarray(0, 40)), rejectsWith("truncated"));
});

test("fails on a flipped payload byte, a flipped header byte and trailing data", async () => {
  const { file } = await encrypt(randomBytes(2 * CHUNK_SIZE + 5));
  const headerLength = parseHeader(file).length;
  const payloadFlip = Buffer.from(file);
  payloadFlip[headerLength + 16 + 100] = (payloadFlip[headerLength + 16 + 100] as number) ^ 1;
  await assert.rejects(decryptBytes([alice], payloadFlip), rejectsWith("corrupt"));
  const nonceFlip = Buffer.from(file);
  nonceFlip[headerLength] = (nonceFlip[headerLength] as number) ^ 1;
  await assert.rejects(decryptBytes([alice], nonceFlip), rejectsWith("corrupt"));
  // The MAC line's base64 is the last thing in the header: flip a bit in a stanza argument instead,
  // keeping it valid base64, so the MAC is what catches it.
  const header = file.subarray(0, headerLength).toString("latin1");
  const at = header.indexOf("-> X25519 ") + 12;
  const headerFlip = Buffer.from(file);
  headerFlip[at] = header[at] === "A" ? 0x42 : 0x41;
  await assert.rejects(decryptBytes([alice], headerFlip), (e: unknown) => e instanceof AgeError && ["bad_mac", "no_identity"].includes(e.code));
  const macFlip = Buffer.from(file);
  const macAt = header.indexOf("--- ") + 6;
  macFlip[macAt] = header[macAt] === "A" ? 0x42 : 0x41;
  await assert.rejects(decryptBytes([alice], macFlip), rejectsWith("bad_mac"));
  await assert.rejects(decryptBytes([alice], Buffer.concat([file, Buffer.from("x")])), rejectsWith("corrupt"));
});

test("fails with no_identity for the wrong key", async () => {
  const { file } = await encrypt(Buffer.from("for alice"));
  await assert.rejects(decryptBytes([bob], file), rejectsWith("no_identity"));
  await assert.rejects(decryptBytes([], file), rejectsWith("no_identity"));
});

test("skips a stanza of unknown type, and fails with no_identity when it is the only one", async () => {
  const fileKey = randomBytes(16);
  const unknown = { type: "example.org/enigma", args: ["a", "b"], body: randomBytes(70) };
  const only = Buffer.concat([encodeHeader([unknown], fileKey), randomBytes(16 + 32)]);
  await assert.rejects(decryptBytes([alice], only), rejectsWith("no_identity"));
  const file = await encryptBytes([toX25519Recipient(alice)], Buffer.from("still readable"));
  const h = parseHeader(file);
  const withUnknown = Buffer.concat([encodeHeader([unknown, ...h.stanzas], Buffer.alloc(16)), file.subarray(h.length)]);
  // Same stanzas, but the MAC was made with the wrong key: decryption must reach the MAC check.
  await assert.rejects(decryptBytes([alice], withUnknown), rejectsWith("bad_mac"));
});

test("refuses an scrypt work factor of 2^40 at once, without computing it", async () => {
  const fileKey = randomBytes(16);
  const stanza = { type: "scrypt", args: [randomBytes(16).toString("base64").replace(/=+$/, ""), "40"], body: randomBytes(32) };
  const file = Buffer.concat([encodeHeader([stanza], fileKey), randomBytes(48)]);
  // "unsupported" comes from our cap; had scrypt been attempted, Node would fail with a memory error instead.
  await assert.rejects(decryptBytes([{ kind: "scrypt", passphrase: "p" }], file), rejectsWith("unsupported"));
});

test("rewraps a file for new recipients, leaving the payload byte-identical", async () => {
  const data = randomBytes(2 * CHUNK_SIZE + 9);
  const { file } = await encrypt(data);
  const out: Buffer[] = [];
  const rewrapped = await rewrapHeader([alice], [toX25519Recipient(bob)], pieces(file, 10_000), (c) => void out.push(c));
  const next = Buffer.concat(out);
  assert.equal(rewrapped.ciphertextSha256, sha256(next));
  assert.equal(rewrapped.ciphertextSize, next.length);
  assert.deepEqual(next.subarray(parseHeader(next).length), file.subarray(parseHeader(file).length));
  assert.deepEqual(await decryptBytes([bob], next), data);
  await assert.rejects(decryptBytes([alice], next), rejectsWith("no_identity"));
  await assert.rejects(rewrapHeader([bob], [toX25519Recipient(alice)], [file], () => undefined), rejectsWith("no_identity"));
});

test("encrypts to a Node Writable and waits until it is flushed", async () => {
  const { PassThrough } = await import("node:stream");
  const sink = new PassThrough({ highWaterMark: 1024 });
  const collected: Buffer[] = [];
  sink.on("data", (c: Buffer) => collected.push(c));
  const data = randomBytes(300_000);
  const result = await encryptStream([toX25519Recipient(alice)], [data], sink);
  assert.equal(result.ciphertextSha256, sha256(Buffer.concat(collected)));
  const identities: Identity[] = [alice];
  assert.deepEqual(await decryptBytes(identities, Buffer.concat(collected)), data);
});

test("encrypts into a stream that keeps what it is given unread: the hashing ring is never reused under it", async () => {
  // A PassThrough calls back as soon as a chunk is queued on its readable side and keeps that very
  // buffer until someone reads it. 16 MiB is four times the ciphertext hash's ring, so a view of
  // the ring handed to it would be overwritten before it is read.
  const identity = generateX25519Identity();
  const plaintext = randomBytes(16 << 20);
  const sink = new PassThrough({ highWaterMark: 64 << 20 });
  const encrypted = await encryptStream([toX25519Recipient(identity)], [plaintext], sink);
  const parts: Buffer[] = [];
  for await (const part of sink) parts.push(part as Buffer);
  const file = Buffer.concat(parts);
  assert.equal(createHash("sha256").update(file).digest("hex"), encrypted.ciphertextSha256);
  assert.ok((await decryptBytes([identity], file)).equals(plaintext));
});
