import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The custody ledger records a salted commitment to a blob's plaintext, never the plaintext hash
 * itself: a bare SHA-256 would let anyone holding a copy of a file (a leaked photo, say) confirm
 * that the organisation holds it. The salt stays inside the encrypted metadata.
 *
 * commitment = SHA-256(label || salt || plaintext SHA-256); all three have fixed lengths, so the
 * concatenation is unambiguous.
 */
export const COMMITMENT_LABEL = "vigil/evidence-commitment/v1";

export interface PlaintextCommitment {
  /** 32 random bytes, hex. */
  salt: string;
  /** hex. */
  commitment: string;
}

function digestHex(plaintextSha256: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(plaintextSha256)) throw new RangeError("plaintext SHA-256 must be 64 lowercase hex digits");
  return Buffer.from(plaintextSha256, "hex");
}

function commit(salt: Buffer, plaintextSha256: string): Buffer {
  return createHash("sha256").update(COMMITMENT_LABEL).update(salt).update(digestHex(plaintextSha256)).digest();
}

export function commitToPlaintext(plaintextSha256: string, salt: Buffer = randomBytes(32)): PlaintextCommitment {
  if (salt.length !== 32) throw new RangeError("commitment salt must be 32 bytes");
  return { salt: salt.toString("hex"), commitment: commit(salt, plaintextSha256).toString("hex") };
}

export function verifyCommitment(commitment: PlaintextCommitment, plaintextSha256: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(commitment.salt) || !/^[0-9a-f]{64}$/.test(commitment.commitment)) return false;
  const expected = commit(Buffer.from(commitment.salt, "hex"), plaintextSha256);
  return timingSafeEqual(expected, Buffer.from(commitment.commitment, "hex"));
}
