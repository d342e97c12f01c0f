import { createHmac, timingSafeEqual } from "node:crypto";
import { encodeBase32 } from "./base32.ts";

/** RFC 6238 time-based one-time passwords: HMAC-SHA-1, 30-second steps, 6 digits (what every app supports). */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** RFC 4226 §5.3 HOTP: dynamic truncation of the HMAC of the counter. */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS, algorithm = "sha1"): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, "0");
}

export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

export function totp(secret: Uint8Array, at: Date, digits = TOTP_DIGITS, algorithm = "sha1"): string {
  return hotp(secret, totpStep(at), digits, algorithm);
}

/**
 * Checks a code against the current step and one step either side (clock drift), refusing any step
 * at or before `lastUsedStep`, so that a code seen over someone's shoulder cannot be replayed.
 * Returns the matched step, to be stored as the new `lastUsedStep`, or null.
 */
export function verifyTotp(secret: Uint8Array, code: string, at: Date, lastUsedStep: number | null): number | null {
  const clean = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(clean)) return null;
  const now = totpStep(at);
  for (const step of [now - 1, now, now + 1]) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const expected = Buffer.from(hotp(secret, step));
    if (timingSafeEqual(expected, Buffer.from(clean))) return step;
  }
  return null;
}

/** The otpauth:// URI that authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(secret: Uint8Array, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({
    secret: encodeBase32(secret),
    issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
