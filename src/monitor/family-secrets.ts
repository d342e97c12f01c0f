import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Origin, Services, Tx } from "../context.ts";
import { decryptBytes, encryptBytes } from "../vault/index.ts";
import { Conflict, Sealed } from "../core/index.ts";
import { vaultRecipient } from "../keys/index.ts";

/**
 * The secrets a family holds and what Vigil keeps of them. A one-time code is typed by hand (read
 * over a phone, copied from paper), so it is short and unambiguous: 20 characters of Crockford's
 * base32 (100 bits) in groups of four. The family link's secret is 256 bits in base64url. Both are
 * stored only as SHA-256 hashes: with that much entropy no offline guessing is possible, and a
 * seized database gives no way to reach a family's page.
 */

// Crockford's base32: no I, L, O or U, so what is read aloud is what is typed.
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH = 20;

export function newFamilyCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CROCKFORD[bytes[i]! & 31];
  return code.match(/.{4}/g)!.join("-");
}

/** The code as typed, in its canonical form: case, spaces and hyphens ignored, O read as 0, I and L as 1. */
export function normaliseFamilyCode(typed: string): string | null {
  const plain = typed.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (plain.length !== CODE_LENGTH || [...plain].some((ch) => !CROCKFORD.includes(ch))) return null;
  return plain;
}

export function hashFamilyCode(canonical: string): string {
  return createHash("sha256").update(`vigil/family-code/v1:${canonical}`, "utf8").digest("hex");
}

export const FAMILY_LINK_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newFamilyLinkSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function hashFamilyLink(secret: string): string {
  return createHash("sha256").update(`vigil/family-link/v1:${secret}`, "utf8").digest("hex");
}

export function familyPagePath(secret: string): string {
  return `/family/c/${secret}`;
}

/** A short reference for speaking of a case: never a name. */
export function newCaseReference(): string {
  const bytes = randomBytes(6);
  let ref = "";
  for (let i = 0; i < 6; i++) ref += CROCKFORD[bytes[i]! & 31];
  return `F-${ref}`;
}

/**
 * The origin written to the audit trail for what a family does: without their address or browser.
 * A seized trail must not place a family member at an address at a time.
 */
export function familyOrigin(origin: Origin): Origin {
  return { requestId: origin.requestId, ip: null, userAgent: null };
}

/**
 * The throttle key for a family page caller's address: keyed with the application key, so that the
 * throttle table (kept a day) holds no address either.
 */
export function familyThrottleKeys(services: Pick<Services, "appKey">, ip: string | null): string[] {
  const tag = createHmac("sha256", services.appKey).update(`vigil/family-throttle/v1:${ip ?? "unknown"}`).digest("hex").slice(0, 32);
  return [`family:${tag}`];
}

/** Seals a value (JSON) to the organisation's vault recipient; refuses when it has no keys yet. */
export async function sealForOrganisation(tx: Tx, orgId: string, value: unknown): Promise<Buffer> {
  const key = await vaultRecipient(tx, orgId);
  if (!key) throw new Conflict("the organisation has no vault keys yet: an administrator must make them before families can be given access");
  return encryptBytes([key.recipient], Buffer.from(JSON.stringify(value), "utf8"));
}

/** Opens a sealed value; Sealed when the organisation's identity is not unsealed in this process. */
export async function openForOrganisation<T>(services: Services, orgId: string, sealed: Uint8Array): Promise<T> {
  const identity = services.keyring.identity(orgId);
  if (!identity) throw new Sealed();
  return JSON.parse((await decryptBytes([identity], Buffer.from(sealed))).toString("utf8")) as T;
}

/** Family access needs the organisation's vault keys: what families write is sealed to them. */
export async function vaultRequired(db: Tx, orgId: string): Promise<void> {
  if (!(await vaultRecipient(db, orgId))) throw new Conflict("the organisation has no vault keys yet: an administrator must make them before families can be given access");
}
