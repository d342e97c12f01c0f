import { createHash } from "node:crypto";

/** A SHA-256 hash in the Merkle tree: a leaf hash, an interior node hash, or a root. */
export type Hash = Uint8Array;

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 6962 §2.1: MTH({d0}) = SHA-256(0x00 || d0). The prefix keeps leaves and nodes apart (second-preimage defence). */
export function hashLeaf(data: Uint8Array): Hash {
  return createHash("sha256").update(LEAF_PREFIX).update(data).digest();
}

/** RFC 6962 §2.1: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
export function hashChildren(left: Hash, right: Hash): Hash {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

/** RFC 6962 §2.1: the hash of an empty list is the hash of an empty string. */
export function emptyTreeHash(): Hash {
  return createHash("sha256").digest();
}

export function hashesEqual(a: Hash, b: Hash): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function isHash(value: unknown): value is Hash {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

export function encodeHash(hash: Hash): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("base64");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict RFC 4648 §4 base64 (padding required, no whitespace): Buffer.from(…, "base64") alone
 * silently skips bad characters, and a proof hash that decodes "mostly" must not be accepted.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}

export function decodeHash(text: string): Hash | undefined {
  const bytes = decodeBase64(text);
  return bytes && bytes.length === HASH_SIZE ? bytes : undefined;
}
