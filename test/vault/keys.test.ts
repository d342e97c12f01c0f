import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  combineShares,
  commitToPlaintext,
  decodeShare,
  encodeShare,
  generateX25519Identity,
  sealIdentity,
  sealIdentityShares,
  ShareError,
  splitSecret,
  unsealWithPassphrase,
  unsealWithShares,
  verifyCommitment,
} from "../../src/vault/index.ts";

const FAST = { logN: 10 };

test("commits to a plaintext hash with a salt, and verifies only that hash", () => {
  const hash = createHash("sha256").update("evidence").digest("hex");
  const c = commitToPlaintext(hash);
  assert.equal(c.salt.length, 64);
  assert.ok(verifyCommitment(c, hash));
  assert.ok(!verifyCommitment(c, createHash("sha256").update("other").digest("hex")));
  assert.notEqual(commitToPlaintext(hash).commitment, c.commitment, "a fresh salt gives a fresh commitment");
  const fixed = commitToPlaintext(hash, Buffer.alloc(32, 7));
  const manual = createHash("sha256").update("vigil/evidence-commitment/v1").update(Buffer.alloc(32, 7)).update(Buffer.from(hash, "hex")).digest("hex");
  assert.equal(fixed.commitment, manual);
  assert.ok(!verifyCommitment({ ...c, salt: "zz" }, hash));
});

test("recovers a secret from any k of n shares", () => {
  const secret = randomBytes(32);
  const shares = splitSecret(secret, 3, 5);
  for (const pick of [[0, 1, 2], [4, 2, 0], [1, 3, 4], [0, 1, 2, 3, 4]]) {
    assert.deepEqual(combineShares(pick.map((i) => shares[i]!)), secret);
  }
  assert.notDeepEqual(combineShares(shares.slice(0, 2).concat({ ...shares[2]!, threshold: 2 }).slice(0, 2).map((s) => ({ ...s, threshold: 2 }))), secret);
  assert.deepEqual(combineShares(splitSecret(secret, 1, 1)), secret);
});

test("refuses bad share sets", () => {
  const secret = randomBytes(16);
  const shares = splitSecret(secret, 2, 3);
  assert.throws(() => combineShares([shares[0]!, shares[0]!]), ShareError);
  assert.throws(() => combineShares([shares[0]!]), /2 shares are needed/);
  assert.throws(() => combineShares([shares[0]!, { ...shares[1]!, value: shares[1]!.value.subarray(1) }]), /different lengths/);
  assert.throws(() => combineShares([shares[0]!, splitSecret(secret, 2, 3)[1]!]), /different splits/);
  assert.throws(() => splitSecret(secret, 4, 3), /cannot exceed/);
  assert.throws(() => splitSecret(secret, 2, 256), /at most 255/);
  assert.throws(() => splitSecret(secret, 0, 3), ShareError);
});

test("encodes shares as text whose checksum catches a typo", () => {
  const [share] = splitSecret(randomBytes(32), 2, 3);
  const text = encodeShare(share!);
  assert.match(text, /^VIGIL-SHARE-1[0-9A-Z]+$/);
  assert.deepEqual(decodeShare(text.toLowerCase()), share);
  const i = 20;
  const typo = text.slice(0, i) + (text[i] === "Q" ? "P" : "Q") + text.slice(i + 1);
  assert.throws(() => decodeShare(typo), /checksum/);
});

test("seals an identity under a passphrase and unseals it", async () => {
  const identity = generateX25519Identity();
  const sealed = await sealIdentity(identity, "long passphrase", FAST);
  assert.match(sealed, /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
  assert.deepEqual((await unsealWithPassphrase(sealed, "long passphrase")).secretKey, identity.secretKey);
  await assert.rejects(unsealWithPassphrase(sealed, "wrong"), { code: "no_identity" });
});

test("seals an identity as k-of-n shares under each holder's passphrase", async () => {
  const identity = generateX25519Identity();
  const holders = ["Amina", "Bilal", "Chen", "Dilnur"].map((name) => ({ name, passphrase: `${name} secret` }));
  const sealed = await sealIdentityShares(identity, 3, holders, FAST);
  assert.deepEqual(sealed.map((s) => s.holder), ["Amina", "Bilal", "Chen", "Dilnur"]);
  const present = (i: number) => ({ sealed: sealed[i]!.sealed, passphrase: holders[i]!.passphrase });
  assert.deepEqual((await unsealWithShares([present(3), present(0), present(2)])).secretKey, identity.secretKey);
  await assert.rejects(unsealWithShares([present(0), present(1)]), /3 shares are needed/);
  await assert.rejects(unsealWithShares([{ ...present(0), passphrase: "Bilal secret" }, present(1), present(2)]), { code: "no_identity" });
  const other = await sealIdentityShares(generateX25519Identity(), 3, holders, FAST);
  await assert.rejects(unsealWithShares([present(0), present(1), { sealed: other[2]!.sealed, passphrase: "Chen secret" }]), ShareError);
});
