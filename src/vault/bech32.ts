// Bech32 (BIP-173) as the C2SP age spec uses it: no 90-character length limit, all-lowercase or
// all-uppercase, the checksum always computed over the lowercase form.

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

export type Bech32ErrorCode = "checksum" | "format";

export class Bech32Error extends Error {
  readonly code: Bech32ErrorCode;

  constructor(code: Bech32ErrorCode, message: string) {
    super(message);
    this.name = "Bech32Error";
    this.code = code;
  }
}

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= GENERATORS[i] as number;
    }
  }
  return chk >>> 0;
}

function expandHrp(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/** Regroups bits; `pad` is true when going 8→5 (encoding) and false going 5→8 (BIP-173 rules). */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | (data[i] as number);
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new Bech32Error("format", "bech32: non-zero padding bits");
  }
  return out;
}

/** Encodes bytes under a human-readable part; the case of `hrp` decides the case of the result. */
export function encodeBech32(hrp: string, data: Uint8Array): string {
  const upper = hrp === hrp.toUpperCase() && hrp !== hrp.toLowerCase();
  const lowHrp = hrp.toLowerCase();
  if (lowHrp.length === 0) throw new Bech32Error("format", "bech32: empty human-readable part");
  const words = convertBits(data, 8, 5, true);
  const mod = polymod([...expandHrp(lowHrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  let out = lowHrp + "1";
  for (const w of words) out += CHARSET[w];
  for (let i = 0; i < 6; i++) out += CHARSET[(mod >>> (5 * (5 - i))) & 31];
  return upper ? out.toUpperCase() : out;
}

/** Decodes a Bech32 string; the returned `hrp` is lowercase. */
export function decodeBech32(text: string): { hrp: string; data: Uint8Array } {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
    throw new Bech32Error("format", "bech32: mixed case");
  }
  const s = text.toLowerCase();
  const sep = s.lastIndexOf("1");
  if (sep < 1 || sep + 7 > s.length) throw new Bech32Error("format", "bech32: separator misplaced");
  const hrp = s.slice(0, sep);
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126) throw new Bech32Error("format", "bech32: invalid character in human-readable part");
  }
  const words: number[] = [];
  for (let i = sep + 1; i < s.length; i++) {
    const v = CHARSET.indexOf(s.charAt(i));
    if (v < 0) throw new Bech32Error("format", `bech32: invalid character ${JSON.stringify(s.charAt(i))}`);
    words.push(v);
  }
  if (polymod([...expandHrp(hrp), ...words]) !== 1) throw new Bech32Error("checksum", "bech32: checksum mismatch");
  return { hrp, data: Uint8Array.from(convertBits(words.slice(0, -6), 5, 8, false)) };
}
