import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { decodeBase64 } from "./hash.ts";
import { LedgerError } from "./errors.ts";

/**
 * C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys. Notes carry any number of
 * signatures, so a checkpoint signed by Vigil can later gather partner cosignatures.
 */

/** Signature type identifier for Ed25519 (signed-note §"Signature types"). */
const ED25519_TYPE = 0x01;
const SIGNER_KEY_PREFIX = "PRIVATE+KEY+";
/** Go's note.Open stops at 100; the spec requires at least 16 (signed-note §Format). */
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = "\u2014 ";

// DER wrappers that turn raw Ed25519 keys (RFC 8032) into the PKCS#8 and SPKI forms Node's crypto takes.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/** A signature line: name, key ID and the signature bytes after the key ID, as base64 of both. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly base64: string;
}

export interface OpenedNote {
  readonly text: string;
  /** Signatures by known keys, each verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys we do not know: ignored for trust, kept so they can be passed on. */
  readonly unknown: readonly NoteSignature[];
}

/** signed-note §Format: non-empty, no Unicode space, no plus. */
function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/\p{Cs}/u.test(name);
}

/** signed-note §Ed25519: key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash("sha256").update(name, "utf8").update(Buffer.from([0x0a, ED25519_TYPE])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, "0");
}

function malformedKey(reason: string): never {
  throw new LedgerError("malformed-key", reason);
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length);
}

/** Verifier key text `<name>+<key ID hex>+<base64(0x01 || public key)>`, as Go's note.NewVerifier reads it. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) malformedKey(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) malformedKey("an Ed25519 public key is 32 bytes");
  const data = Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString("base64");
  return `${name}+${keyIdHex(ed25519KeyId(name, publicKey))}+${data}`;
}

/** A new Ed25519 key: the signer key text (secret) and its verifier key text (public). */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) malformedKey(`invalid key name ${JSON.stringify(name)}`);
  const { privateKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_ED25519_PREFIX.length);
  const publicKey = rawPublicKey(privateKey);
  const keyData = Buffer.concat([Buffer.from([ED25519_TYPE]), seed]).toString("base64");
  return {
    signerKey: `${SIGNER_KEY_PREFIX}${name}+${keyIdHex(ed25519KeyId(name, publicKey))}+${keyData}`,
    verifierKey: formatVerifierKey(name, publicKey),
  };
}

/** Splits `<name>+<hex id>+<base64 key data>` and checks each part; the name may not contain '+'. */
function splitKey(text: string): { name: string; keyId: number; keyData: Uint8Array } {
  // The name holds no '+' and the ID is hex, so the first two '+' split it; base64 may hold more.
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 0 || second < 0) malformedKey("a key is <name>+<key ID>+<key data>");
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const b64 = text.slice(second + 1);
  if (!isValidKeyName(name)) malformedKey(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(idHex)) malformedKey("the key ID is 8 lowercase hex digits");
  const keyData = decodeBase64(b64);
  if (!keyData || keyData.length !== 33 || keyData[0] !== ED25519_TYPE) malformedKey("the key data is not a base64 Ed25519 key");
  return { name, keyId: Number.parseInt(idHex, 16), keyData: keyData.subarray(1) };
}

export function parseVerifierKey(text: string): NoteVerifier {
  const { name, keyId, keyData } = splitKey(text.trim());
  if (ed25519KeyId(name, keyData) !== keyId) malformedKey("the key ID does not match the key");
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, keyData]), format: "der", type: "spki" });
  return {
    name,
    keyId,
    verify: (message, signature) => signature.length === 64 && verify(null, message, publicKey, signature),
  };
}

export function parseSignerKey(text: string): NoteSigner & { readonly verifierKey: string } {
  const trimmed = text.trim();
  if (!trimmed.startsWith(SIGNER_KEY_PREFIX)) malformedKey("a signer key starts with PRIVATE+KEY+");
  const { name, keyId, keyData } = splitKey(trimmed.slice(SIGNER_KEY_PREFIX.length));
  const privateKey = privateKeyFromSeed(keyData);
  const publicKey = rawPublicKey(privateKey);
  if (ed25519KeyId(name, publicKey) !== keyId) malformedKey("the key ID does not match the key");
  return {
    name,
    keyId,
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => sign(null, message, privateKey),
  };
}

/**
 * Signs `text` (which must end in a newline) with each signer, after any signatures it already
 * carries; an existing signature by the same key is replaced (as Go's note.Sign does). Adding a
 * partner's cosignature to a Vigil checkpoint is `signNote(opened.text, [partner], [...opened.verified, ...opened.unknown])`.
 */
export function signNote(text: string, signers: readonly NoteSigner[], existing: readonly NoteSignature[] = []): string {
  if (!text.endsWith("\n")) throw new LedgerError("malformed-note", "note text must end with a newline");
  checkNoteCharacters(text);
  const message = Buffer.from(text, "utf8");
  const fresh = signers.map((signer): NoteSignature => {
    if (!isValidKeyName(signer.name)) throw new LedgerError("malformed-key", `invalid key name ${JSON.stringify(signer.name)}`);
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(signer.keyId);
    return { name: signer.name, keyId: signer.keyId, base64: Buffer.concat([keyId, signer.sign(message)]).toString("base64") };
  });
  const replaced = (s: NoteSignature): boolean => fresh.some((f) => f.name === s.name && f.keyId === s.keyId);
  const lines = [...existing.filter((s) => !replaced(s)), ...fresh].map((s) => `${SIGNATURE_PREFIX}${s.name} ${s.base64}\n`);
  return `${text}\n${lines.join("")}`;
}

/** signed-note §Format: valid UTF-8 (a JS string from a fatal decoder) with no control character but newline. */
function checkNoteCharacters(text: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || /\p{Cs}/u.test(text)) {
    throw new LedgerError("malformed-note", "a note contains no control character other than newline");
  }
}

/**
 * Opens a signed note: parses every signature line, verifies those by known keys, ignores the
 * rest (signed-note §Signatures). Throws if the note is malformed, if any signature by a known
 * key fails, or if no known key signed it.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const malformed = (reason: string): never => {
    throw new LedgerError("malformed-note", reason);
  };
  let message: string;
  try {
    message = typeof note === "string" ? note : new TextDecoder("utf-8", { fatal: true }).decode(note);
  } catch {
    return malformed("a note is valid UTF-8");
  }
  checkNoteCharacters(message);
  // The text is separated from the signatures by the last empty line (signed-note §Format).
  const split = message.lastIndexOf("\n\n");
  if (split < 0) malformed("a note ends with a blank line then signature lines");
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith("\n")) malformed("signature lines end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) malformed(`more than ${MAX_SIGNATURES} signatures`);

  const body = Buffer.from(text, "utf8");
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) malformed("a signature line starts with an em dash and a space");
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(" ");
    const name = space < 0 ? "" : rest.slice(0, space);
    const b64 = space < 0 ? "" : rest.slice(space + 1);
    const bytes = decodeBase64(b64);
    if (!isValidKeyName(name) || !bytes || bytes.length < 5) malformed("a signature line is — <name> <base64(key ID || signature)>");
    const signatureBytes = bytes as Uint8Array;
    const keyId = Buffer.from(signatureBytes).readUInt32BE(0);
    const signature: NoteSignature = { name, keyId, base64: b64 };
    // A key is the pair (name, key ID); sharing only one of them makes it a different, unknown key.
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (!verifier) {
      if (!unknown.some((u) => u.name === name && u.base64 === b64)) unknown.push(signature);
      continue;
    }
    if (!verifier.verify(body, signatureBytes.subarray(4))) {
      throw new LedgerError("invalid-signature", `the signature by ${name} (${keyIdHex(keyId)}) does not verify`);
    }
    if (!verified.some((s) => s.name === name && s.keyId === keyId)) verified.push(signature);
  }
  if (verified.length === 0) throw new LedgerError("unverified-note", "no signature by a known key");
  return { text, verified, unknown };
}
