import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { AgeError } from "./errors.ts";
import type { Stanza } from "./header.ts";
import { openFileKey, sealFileKey } from "./x25519.ts";

/** A passphrase; as a recipient it encrypts, as an identity it decrypts. */
export interface ScryptPassphrase {
  kind: "scrypt";
  passphrase: string;
  /** log2 of the scrypt work factor. Encryption: default 18 (age's own). Decryption: the cap, default 22. */
  logN?: number;
}

const SCRYPT_LABEL = "age-encryption.org/v1/scrypt";
/** age's default for `age -p`: about a second of work, 256 MiB. */
export const DEFAULT_SCRYPT_LOG_N = 18;
/**
 * The highest work factor we agree to compute when decrypting. C2SP age says the identity
 * SHOULD cap it; 22 matches age (whose CCTV vector at 23 must fail), and costs 4 GiB and a few
 * seconds. A hostile file asking for 2^40 fails at once.
 */
export const MAX_SCRYPT_LOG_N = 22;
const WORK_FACTOR = /^[1-9][0-9]*$/;

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  // Node refuses scrypt beyond 32 MiB of memory unless told otherwise; scrypt uses 128·N·r bytes.
  const options: ScryptOptions = { N, r: 8, p: 1, maxmem: 128 * N * 8 + (32 << 20) };
  return new Promise((resolve, reject) => {
    scryptCallback(Buffer.from(passphrase, "utf8"), Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]), 32, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function wrapScrypt(recipient: ScryptPassphrase, fileKey: Uint8Array): Promise<Stanza> {
  const logN = recipient.logN ?? DEFAULT_SCRYPT_LOG_N;
  if (!Number.isInteger(logN) || logN < 1 || logN > 40) throw new RangeError("scrypt logN must be an integer in 1..40");
  const salt = randomBytes(16);
  const key = await deriveKey(recipient.passphrase, salt, logN);
  return { type: "scrypt", args: [encodeBase64(salt), String(logN)], body: sealFileKey(key, fileKey) };
}

/** Returns the file key, or null if the passphrase is wrong. */
export async function unwrapScrypt(identity: ScryptPassphrase, stanza: Stanza): Promise<Buffer | null> {
  // C2SP age "scrypt recipient stanza": exactly three arguments, a canonical 16-byte salt, a decimal
  // work factor without leading zeroes, a 32-byte body.
  if (stanza.args.length !== 2) throw new AgeError("malformed", "scrypt stanza: wrong number of arguments");
  const salt = decodeBase64(stanza.args[0] as string, "scrypt salt");
  if (salt.length !== 16) throw new AgeError("malformed", "scrypt stanza: salt is not 16 bytes");
  const factor = stanza.args[1] as string;
  if (!WORK_FACTOR.test(factor)) throw new AgeError("malformed", "scrypt stanza: bad work factor");
  if (stanza.body.length !== 32) throw new AgeError("malformed", "scrypt stanza: body is not 32 bytes");
  const logN = Number(factor);
  const cap = identity.logN ?? MAX_SCRYPT_LOG_N;
  if (logN > cap) throw new AgeError("unsupported", `scrypt work factor 2^${factor} is above our limit of 2^${cap}`);
  return openFileKey(await deriveKey(identity.passphrase, salt, logN), stanza.body);
}
