import { hash, verify } from "@node-rs/argon2";
import { Invalid } from "../core/index.ts";

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Algorithm 2 is Argon2id in
// @node-rs/argon2's `Algorithm`, a const enum that cannot be imported as a value.
const ARGON2_OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN = 12;
// Hashing is deliberately slow: an unbounded password would be a cheap denial of service.
export const PASSWORD_MAX = 256;

const COMMON = new Set([
  "password1234", "123456789012", "qwertyuiopas", "passwordpassword", "iloveyou1234", "letmein12345",
  "administrator", "changeme1234", "welcome12345", "vigilvigilvigil", "000000000000", "111111111111",
  "abcdefghijkl", "qwerty123456", "password123!", "p@ssw0rd1234",
]);

/** Refuses a password that is short, overlong, common, or built from the person's own name or address. */
export function checkPasswordStrength(password: string, person: { email?: string; name?: string } = {}): void {
  const fail = (message: string) => {
    throw new Invalid(message, { password: message });
  };
  if (password.length < PASSWORD_MIN) fail(`password must have at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) fail(`password must have at most ${PASSWORD_MAX} characters`);
  const folded = password.toLowerCase();
  if (COMMON.has(folded) || new Set(folded).size < 4) fail("password is too easy to guess");
  const local = person.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && folded.includes(local)) fail("password must not contain your email address");
  const name = person.name?.toLowerCase().replace(/\s+/g, "");
  if (name && name.length >= 4 && folded.replace(/\s+/g, "").includes(name)) fail("password must not contain your name");
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;
/** Spends the same time as a real check, so the response time does not tell whether an account exists. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hash("vigil-timing-equaliser", ARGON2_OPTIONS);
  await verifyPassword(await dummy, password.slice(0, PASSWORD_MAX));
}
