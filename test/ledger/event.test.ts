import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeLeaf, encodeLeaf, LedgerError, newCustodyEvent, type CustodyEvent } from "../../src/ledger/index.ts";

const code = (expected: string) => (e: unknown) => e instanceof LedgerError && e.code === expected;

const base: CustodyEvent = {
  kind: "viewed",
  subject: "evidence:0192f1c4-7f3e-7a1b-9c2d-1e2f3a4b5c6d",
  actor: "pseud:7f3a9c",
  time: "2025-01-31T12:00:00.000Z",
  nonce: "AAECAwQFBgcICQoLDA0ODw==",
  details: { reason: "review", z: 1, a: [true, null] },
};

test("encodes an event as its canonical JSON, keys sorted", () => {
  const text = Buffer.from(encodeLeaf(base)).toString("utf8");
  assert.equal(
    text,
    '{"actor":"pseud:7f3a9c","details":{"a":[true,null],"reason":"review","z":1},"kind":"viewed",' +
      '"nonce":"AAECAwQFBgcICQoLDA0ODw==","subject":"evidence:0192f1c4-7f3e-7a1b-9c2d-1e2f3a4b5c6d","time":"2025-01-31T12:00:00.000Z"}',
  );
  assert.deepEqual(decodeLeaf(encodeLeaf(base)), base);
});

test("gives each new event a fresh random nonce of 16 bytes", () => {
  const a = newCustodyEvent({ kind: "received", subject: "evidence:1", actor: "pseud:a" });
  const b = newCustodyEvent({ kind: "received", subject: "evidence:1", actor: "pseud:a", time: new Date(a.time) });
  assert.notEqual(a.nonce, b.nonce);
  assert.equal(Buffer.from(a.nonce, "base64").length, 16);
  assert.notDeepEqual(encodeLeaf(a), encodeLeaf(b));
});

test("refuses a leaf over 65,535 bytes", () => {
  const fits = { ...base, details: { blob: "x".repeat(65_535 - 400) } };
  assert.ok(encodeLeaf(fits).length <= 65_535);
  const oversize = { ...base, details: { blob: "x".repeat(65_536) } };
  assert.throws(() => encodeLeaf(oversize), code("leaf-too-large"));
});

test("refuses events that would leak names or break the format", () => {
  const bad: Partial<CustodyEvent>[] = [
    { kind: "deleted" as CustodyEvent["kind"] },
    { actor: "Ilham Tohti" }, // a name, not a pseudonymous id
    { actor: "" },
    { subject: "evidence 1" },
    { time: "2025-01-31 12:00:00" },
    { time: "2025-01-31T12:00:00+08:00" },
    { nonce: "AAECAwQFBgcICQoLDA0O" }, // 15 bytes
    { nonce: "not base64!" },
    { details: [] as unknown as CustodyEvent["details"] },
  ];
  for (const change of bad) assert.throws(() => encodeLeaf({ ...base, ...change }), code("invalid-event"), JSON.stringify(change));
  assert.throws(() => encodeLeaf({ ...base, details: { n: Number.NaN } }), code("non-canonical-json"));
});

test("refuses leaf bytes that are not the canonical encoding of an event", () => {
  const canonical = Buffer.from(encodeLeaf(base)).toString("utf8");
  assert.throws(() => decodeLeaf(Buffer.from(canonical.replace('{"actor"', '{ "actor"'))), code("invalid-event"));
  assert.throws(() => decodeLeaf(Buffer.from(canonical.replace('"actor"', '"extra":1,"actor"'))), code("invalid-event"));
  assert.throws(() => decodeLeaf(Buffer.from([0xff])), code("invalid-event"));
});
