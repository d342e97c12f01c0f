import { randomBytes } from "node:crypto";
import { Bech32Error, decodeBech32, encodeBech32 } from "./bech32.ts";

// Shamir secret sharing over GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1, byte by
// byte: each secret byte is the constant term of its own random polynomial of degree k − 1, and
// share i holds every polynomial evaluated at x = i (1..255; x = 0 would be the secret itself).

export class ShareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShareError";
  }
}

export interface Share {
  /** Which split this share belongs to: shares of different splits must never be combined. */
  setId: Buffer;
  threshold: number;
  index: number;
  value: Buffer;
}

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  // 3 generates the multiplicative group of this field; doubling EXP saves a modulo in mul.
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    EXP[i + 255] = x;
    LOG[x] = i;
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0);
    x &= 0xff;
  }
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : (EXP[(LOG[a] as number) + (LOG[b] as number)] as number);
}

function div(a: number, b: number): number {
  if (b === 0) throw new RangeError("GF(256) division by zero");
  return a === 0 ? 0 : (EXP[(LOG[a] as number) + 255 - (LOG[b] as number)] as number);
}

export function splitSecret(secret: Uint8Array, threshold: number, shares: number): Share[] {
  if (!Number.isInteger(threshold) || !Number.isInteger(shares)) throw new ShareError("k and n must be integers");
  if (threshold < 1) throw new ShareError("threshold k must be at least 1");
  if (threshold > shares) throw new ShareError("threshold k cannot exceed the number of shares n");
  if (shares > 255) throw new ShareError("at most 255 shares over GF(256)");
  if (secret.length === 0) throw new ShareError("cannot split an empty secret");
  const setId = randomBytes(4);
  const coefficients = randomBytes(secret.length * (threshold - 1));
  const out: Share[] = [];
  for (let x = 1; x <= shares; x++) {
    const value = Buffer.alloc(secret.length);
    for (let b = 0; b < secret.length; b++) {
      // Horner's rule from the highest coefficient down to the secret byte.
      let y = 0;
      for (let c = threshold - 2; c >= 0; c--) y = mul(y, x) ^ (coefficients[b * (threshold - 1) + c] as number);
      value[b] = mul(y, x) ^ (secret[b] as number);
    }
    out.push({ setId, threshold, index: x, value });
  }
  return out;
}

export function combineShares(shares: Share[]): Buffer {
  const first = shares[0];
  if (!first) throw new ShareError("no shares given");
  const seen = new Set<number>();
  for (const s of shares) {
    if (!s.setId.equals(first.setId)) throw new ShareError("shares come from different splits");
    if (s.threshold !== first.threshold) throw new ShareError("shares disagree on the threshold");
    if (s.value.length !== first.value.length) throw new ShareError("shares have different lengths");
    if (s.index < 1 || s.index > 255) throw new ShareError(`share index ${s.index} is out of range`);
    if (seen.has(s.index)) throw new ShareError(`share ${s.index} was given twice`);
    seen.add(s.index);
  }
  if (shares.length < first.threshold) {
    throw new ShareError(`${first.threshold} shares are needed, ${shares.length} given`);
  }
  const used = shares.slice(0, first.threshold);
  const secret = Buffer.alloc(first.value.length);
  // Lagrange interpolation at x = 0; in characteristic 2, subtraction is XOR.
  for (const si of used) {
    let basis = 1;
    for (const sj of used) {
      if (sj.index !== si.index) basis = mul(basis, div(sj.index, sj.index ^ si.index));
    }
    for (let b = 0; b < secret.length; b++) secret[b] = (secret[b] as number) ^ mul(si.value[b] as number, basis);
  }
  return secret;
}

// Shares travel as text that people may type: Bech32 under "vigil-share-" catches any mistype of up
// to four characters (BIP-173). Payload: version, threshold, index, set id (4 bytes), value.
const SHARE_HRP = "VIGIL-SHARE-";
const SHARE_VERSION = 1;

export function encodeShare(share: Share): string {
  const head = Buffer.from([SHARE_VERSION, share.threshold, share.index]);
  return encodeBech32(SHARE_HRP, Buffer.concat([head, share.setId, share.value]));
}

export function decodeShare(text: string): Share {
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = decodeBech32(text.replace(/\s+/g, ""));
  } catch (err) {
    if (err instanceof Bech32Error) {
      throw new ShareError(err.code === "checksum" ? "share checksum does not match: it was mistyped or altered" : `share: ${err.message}`);
    }
    throw err;
  }
  const data = Buffer.from(decoded.data);
  if (decoded.hrp !== SHARE_HRP.toLowerCase()) throw new ShareError("not a Vigil key share");
  if (data[0] !== SHARE_VERSION) throw new ShareError("unknown share version");
  if (data.length < 8) throw new ShareError("share is too short");
  const threshold = data[1] as number;
  const index = data[2] as number;
  if (threshold < 1 || index < 1) throw new ShareError("share has an invalid threshold or index");
  return { threshold, index, setId: data.subarray(3, 7), value: data.subarray(7) };
}
