/**
 * Why an age operation failed. Callers branch on `code`, never on the message.
 *
 * - `malformed`: the bytes are not a well-formed age file (or key, or share); C2SP age "header failure".
 * - `unsupported`: well-formed but outside what we accept: another format version, an armored file
 *   where binary is required, or an scrypt work factor above our cap.
 * - `no_identity`: the header parsed, but none of our identities unwraps any stanza ("no match").
 * - `bad_mac`: the file key was unwrapped but the header MAC does not verify ("HMAC failure").
 * - `truncated`: the input ends before the end of the header or the final STREAM chunk.
 * - `corrupt`: a payload chunk fails authentication, or bytes follow the final chunk ("payload failure").
 */
export type AgeErrorCode = "malformed" | "unsupported" | "no_identity" | "bad_mac" | "truncated" | "corrupt";

export class AgeError extends Error {
  readonly code: AgeErrorCode;

  constructor(code: AgeErrorCode, message: string) {
    super(message);
    this.name = "AgeError";
    this.code = code;
  }
}
