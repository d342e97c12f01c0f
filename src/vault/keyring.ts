import { armor } from "./armor.ts";
import { decryptBytes, encryptBytes } from "./age.ts";
import { AgeError } from "./errors.ts";
import { DEFAULT_SCRYPT_LOG_N } from "./scrypt.ts";
import { combineShares, decodeShare, encodeShare, ShareError, splitSecret } from "./shamir.ts";
import {
  formatX25519IdentityFile,
  formatX25519Recipient,
  parseX25519IdentityFile,
  parseX25519Recipient,
  toX25519Recipient,
  x25519IdentityFromSecret,
  type X25519Identity,
} from "./x25519.ts";

// The organisation's identity at rest. Pure functions: where the sealed texts live, and how
// unseal attempts are counted and throttled, belong to the caller.

export interface SealOptions {
  /** log2 of the scrypt work factor; default 18, as `age -p`. Tests use less. */
  logN?: number;
}

export interface KeyHolder {
  name: string;
  passphrase: string;
}

export interface SealedShare {
  holder: string;
  /** An armored age file, encrypted to the holder's passphrase, holding one share. */
  sealed: string;
}

/**
 * Seals the identity under a passphrase as an armored age (scrypt) file whose content is an
 * age-keygen identity file, so an administrator can recover it with `age -d` alone.
 */
export async function sealIdentity(identity: X25519Identity, passphrase: string, options: SealOptions = {}): Promise<string> {
  const logN = options.logN ?? DEFAULT_SCRYPT_LOG_N;
  const file = Buffer.from(formatX25519IdentityFile(identity), "utf8");
  return armor(await encryptBytes([{ kind: "scrypt", passphrase, logN }], file));
}

export async function unsealWithPassphrase(sealed: string, passphrase: string): Promise<X25519Identity> {
  const file = await decryptBytes([{ kind: "scrypt", passphrase }], Buffer.from(sealed, "latin1"));
  const [identity] = parseX25519IdentityFile(file.toString("utf8"));
  return identity as X25519Identity;
}

/**
 * Splits the identity into one Shamir share per holder, any `threshold` of which recover it, and
 * seals each under its holder's own passphrase. Each share also names the organisation's public
 * key, so a recombination from the wrong shares is caught.
 */
export async function sealIdentityShares(
  identity: X25519Identity,
  threshold: number,
  holders: KeyHolder[],
  options: SealOptions = {},
): Promise<SealedShare[]> {
  const names = new Set(holders.map((h) => h.name));
  if (names.size !== holders.length) throw new ShareError("each key-holder needs a distinct name");
  const shares = splitSecret(identity.secretKey, threshold, holders.length);
  const recipient = formatX25519Recipient(toX25519Recipient(identity));
  const logN = options.logN ?? DEFAULT_SCRYPT_LOG_N;
  const sealed: SealedShare[] = [];
  for (const [i, holder] of holders.entries()) {
    const share = shares[i];
    if (!share) throw new ShareError("missing share");
    const text =
      `# Vigil key share ${share.index} of ${holders.length} for ${holder.name.replace(/\s+/g, " ")}; any ${threshold} recover the key\n` +
      `# public key: ${recipient}\n` +
      `${encodeShare(share)}\n`;
    const file = await encryptBytes([{ kind: "scrypt", passphrase: holder.passphrase, logN }], Buffer.from(text, "utf8"));
    sealed.push({ holder: holder.name, sealed: armor(file) });
  }
  return sealed;
}

/** Opens each presented share with its holder's passphrase and recombines the identity. */
export async function unsealWithShares(presented: { sealed: string; passphrase: string }[]): Promise<X25519Identity> {
  const shares = [];
  let recipient: string | null = null;
  // One at a time: each scrypt may take 256 MiB.
  for (const p of presented) {
    const text = (await decryptBytes([{ kind: "scrypt", passphrase: p.passphrase }], Buffer.from(p.sealed, "latin1"))).toString("utf8");
    const key = /^# public key: (\S+)$/m.exec(text)?.[1];
    const line = text.split("\n").find((l) => l.startsWith("VIGIL-SHARE-"));
    if (!key || !line) throw new AgeError("malformed", "sealed share does not hold a Vigil key share");
    if (recipient !== null && key !== recipient) throw new ShareError("shares belong to different organisation keys");
    recipient = key;
    shares.push(decodeShare(line));
  }
  const identity = x25519IdentityFromSecret(combineShares(shares));
  if (recipient === null || !identity.publicKey.equals(parseX25519Recipient(recipient).publicKey)) {
    throw new ShareError("the recombined key does not match the organisation's public key");
  }
  return identity;
}
