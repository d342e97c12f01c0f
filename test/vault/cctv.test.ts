import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { AgeError, decryptStream, parseX25519Identity, type Identity } from "../../src/vault/index.ts";

// C2SP CCTV age vectors, rebuilt byte for byte (see test/fixtures/age/README.md).
const DIR = new URL("../fixtures/age/", import.meta.url);

// The testkit's outcomes, mapped to our error codes.
const EXPECTED_CODES: Record<string, string[]> = {
  "no match": ["no_identity"],
  "HMAC failure": ["bad_mac"],
  "header failure": ["malformed", "unsupported"],
  "payload failure": ["corrupt", "truncated"],
};

function parseVector(bytes: Buffer) {
  const split = bytes.indexOf("\n\n");
  const fields = bytes.subarray(0, split).toString("utf8").split("\n").map((l) => l.split(": ") as [string, string]);
  const identities: Identity[] = [];
  for (const [k, v] of fields) {
    if (k === "identity") identities.push(parseX25519Identity(v));
    if (k === "passphrase") identities.push({ kind: "scrypt", passphrase: v });
  }
  const get = (key: string) => fields.find(([k]) => k === key)?.[1];
  return { expect: get("expect") as string, payload: get("payload"), identities, file: bytes.subarray(split + 2) };
}

for (const name of readdirSync(DIR).filter((n) => n !== "README.md")) {
  const vector = parseVector(readFileSync(new URL(name, DIR)));
  test(`CCTV ${name}: ${vector.expect}`, async () => {
    const out: Buffer[] = [];
    const run = decryptStream(vector.identities, [vector.file], (c) => void out.push(c), { parallel: false });
    if (vector.expect === "success") {
      const result = await run;
      assert.equal(createHash("sha256").update(Buffer.concat(out)).digest("hex"), vector.payload);
      assert.equal(result.plaintextSha256, vector.payload);
    } else {
      const codes = EXPECTED_CODES[vector.expect];
      assert.ok(codes, `unknown expectation ${vector.expect}`);
      await assert.rejects(run, (e: unknown) => e instanceof AgeError && codes.includes(e.code));
    }
  });
}
