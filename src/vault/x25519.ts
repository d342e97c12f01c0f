import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { Bech32Error, decodeBech32, encodeBech32 } from "./bech32.ts";
import { AgeError } from "./errors.ts";
import type { Stanza } from "./header.ts";

/** An organisation's (or a test's) X25519 secret key, with its public half precomputed. */
export interface X25519Identity {
  kind: "x25519";
  secretKey: Buffer;
  publicKey: Buffer;
}

export interface X25519Recipient {
  kind: "x25519";
  publicKey: Buffer;
}

const X25519_LABEL = "age-encryption.org/v1/X25519";
const IDENTITY_HRP = "AGE-SECRET-KEY-";
const RECIPIENT_HRP = "age";
// Node imports raw X25519 keys only through DER: these are the fixed PKCS#8 and SPKI prefixes for
// the X25519 OID (1.3.101.110, RFC 8410), followed by the 32 raw key bytes.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

function privateKeyObject(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: "der", type: "pkcs8" });
}

function publicKeyObject(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: "der", type: "spki" });
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length);
}

export function x25519IdentityFromSecret(secret: Uint8Array): X25519Identity {
  if (secret.length !== 32) throw new AgeError("malformed", "X25519 identity must be 32 bytes");
  const secretKey = Buffer.from(secret);
  return { kind: "x25519", secretKey, publicKey: rawPublicKey(createPublicKey(privateKeyObject(secretKey))) };
}

export function generateX25519Identity(): X25519Identity {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const secretKey = privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_PREFIX.length);
  return { kind: "x25519", secretKey: Buffer.from(secretKey), publicKey: rawPublicKey(publicKey) };
}

export function toX25519Recipient(identity: X25519Identity): X25519Recipient {
  return { kind: "x25519", publicKey: identity.publicKey };
}

/** `AGE-SECRET-KEY-1…`, uppercase as age-keygen writes it. */
export function formatX25519Identity(identity: X25519Identity): string {
  return encodeBech32(IDENTITY_HRP, identity.secretKey);
}

/** `age1…`. */
export function formatX25519Recipient(recipient: X25519Recipient): string {
  return encodeBech32(RECIPIENT_HRP, recipient.publicKey);
}

function decodeKey(text: string, hrp: string, what: string): Uint8Array {
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = decodeBech32(text.trim());
  } catch (err) {
    if (err instanceof Bech32Error) throw new AgeError("malformed", `${what}: ${err.message}`);
    throw err;
  }
  if (decoded.hrp !== hrp.toLowerCase()) throw new AgeError("malformed", `${what}: expected the "${hrp}" prefix`);
  if (decoded.data.length !== 32) throw new AgeError("malformed", `${what}: not 32 bytes`);
  return decoded.data;
}

export function parseX25519Identity(text: string): X25519Identity {
  return x25519IdentityFromSecret(decodeKey(text, IDENTITY_HRP, "age identity"));
}

export function parseX25519Recipient(text: string): X25519Recipient {
  return { kind: "x25519", publicKey: Buffer.from(decodeKey(text, RECIPIENT_HRP, "age recipient")) };
}

/**
 * Reads an identity file as age-keygen writes it: `#` comments, blank lines, one key per line.
 */
export function parseX25519IdentityFile(text: string): X25519Identity[] {
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map(parseX25519Identity);
  if (keys.length === 0) throw new AgeError("malformed", "identity file holds no AGE-SECRET-KEY line");
  return keys;
}

/** The file with its comment lines, as age-keygen writes it, so `age -d -i` reads it unchanged. */
export function formatX25519IdentityFile(identity: X25519Identity, created = new Date()): string {
  return (
    `# created: ${created.toISOString().replace(/\.\d{3}Z$/, "Z")}\n` +
    `# public key: ${formatX25519Recipient(toX25519Recipient(identity))}\n` +
    `${formatX25519Identity(identity)}\n`
  );
}

// C2SP age "X25519 recipient stanza": ChaCha20-Poly1305 with an all-zero nonce, safe because every
// wrap key is used once (fresh ephemeral share per stanza).
export function sealFileKey(key: Uint8Array, fileKey: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, Buffer.alloc(12), { authTagLength: 16 });
  return Buffer.concat([c.update(fileKey), c.final(), c.getAuthTag()]);
}

/** Returns the file key, or null when the body does not authenticate under this key. */
export function openFileKey(key: Uint8Array, body: Buffer): Buffer | null {
  const d = createDecipheriv("chacha20-poly1305", key, Buffer.alloc(12), { authTagLength: 16 });
  d.setAuthTag(body.subarray(16));
  const out = d.update(body.subarray(0, 16));
  try {
    return Buffer.concat([out, d.final()]);
  } catch {
    return null;
  }
}

function wrapKey(shared: Buffer, share: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", shared, Buffer.concat([share, recipient]), X25519_LABEL, 32));
}

export function wrapX25519(recipient: X25519Recipient, fileKey: Uint8Array): Stanza {
  const ephemeral = generateKeyPairSync("x25519");
  const share = rawPublicKey(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyObject(recipient.publicKey) });
  return { type: "X25519", args: [encodeBase64(share)], body: sealFileKey(wrapKey(shared, share, recipient.publicKey), fileKey) };
}

/** Checks an `X25519` stanza's shape; the spec makes a malformed one fatal, not skippable. */
export function checkX25519Stanza(stanza: Stanza): Buffer {
  // C2SP age: reject a stanza with other than two arguments, a share that is not canonical
  // base64 of 32 bytes, or a body that is not exactly 32 bytes (partitioning oracles).
  if (stanza.args.length !== 1) throw new AgeError("malformed", "X25519 stanza: wrong number of arguments");
  const share = decodeBase64(stanza.args[0] as string, "X25519 share");
  if (share.length !== 32) throw new AgeError("malformed", "X25519 stanza: share is not 32 bytes");
  if (stanza.body.length !== 32) throw new AgeError("malformed", "X25519 stanza: body is not 32 bytes");
  return share;
}

export function unwrapX25519(identity: X25519Identity, stanza: Stanza): Buffer | null {
  const share = checkX25519Stanza(stanza);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: privateKeyObject(identity.secretKey), publicKey: publicKeyObject(share) });
  } catch {
    // OpenSSL refuses to derive an all-zero secret (a low-order share).
    throw new AgeError("malformed", "X25519 stanza: low-order share");
  }
  // C2SP age: "If the shared secret is all 0x00 bytes, the identity implementation MUST abort."
  if (shared.every((b) => b === 0)) throw new AgeError("malformed", "X25519 stanza: low-order share");
  return openFileKey(wrapKey(shared, share, identity.publicKey), stanza.body);
}
