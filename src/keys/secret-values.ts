import { openSecret, Sealed, sealSecret } from "../core/index.ts";
import type { Services, Tx } from "../context.ts";
import { decryptBytes, encryptBytes, parseX25519Recipient, type X25519Recipient } from "../vault/index.ts";

/**
 * The `secret` values of records (source identities, contact details) at rest. Each is an age
 * file encrypted to the organisation's vault recipient: writing needs only the public key, so it
 * works while the vault is sealed; reading needs the unsealed identity. An organisation that has
 * not made its keys yet has its values sealed with the application key (AES-256-GCM bound to the
 * statement), and they move onto the vault key when the keys are made (`moveSecretValuesToVault`).
 */

// C2SP age: every binary age file begins with this version line; an application-key value
// begins with its version byte 0x01, so the two can never be confused.
const AGE_VERSION_LINE = Buffer.from("age-encryption.org/v1\n", "latin1");

export function isVaultSealed(sealed: Uint8Array): boolean {
  return sealed.length >= AGE_VERSION_LINE.length && Buffer.from(sealed.buffer, sealed.byteOffset, AGE_VERSION_LINE.length).equals(AGE_VERSION_LINE);
}

function appKeyContext(statementId: string): string {
  return `statement:${statementId}`;
}

/** Seals a value with the application key, bound to its statement: the fallback before an organisation has keys. */
export function sealWithAppKey(services: Pick<Services, "appKey">, statementId: string, value: string): Buffer {
  return sealSecret(services.appKey, Buffer.from(value, "utf8"), appKeyContext(statementId));
}

/** Opens a value sealed with the application key (not one sealed to the vault). */
export function openWithAppKey(services: Pick<Services, "appKey">, statementId: string, sealed: Uint8Array): string {
  return openSecret(services.appKey, Buffer.from(sealed), appKeyContext(statementId)).toString("utf8");
}

/** The organisation's current vault recipient (public key), usable while sealed; null when no keys were made. */
export async function vaultRecipient(db: Tx, orgId: string): Promise<{ recipient: X25519Recipient; text: string } | null> {
  const row = await db.selectFrom("vault_keyrings").select("recipient").where("org_id", "=", orgId).executeTakeFirst();
  return row ? { recipient: parseX25519Recipient(row.recipient), text: row.recipient } : null;
}

/** Encrypts values to the organisation's vault recipient; null when it has no keys yet. */
export async function sealToVault(db: Tx, orgId: string, values: readonly string[]): Promise<Buffer[] | null> {
  const key = await vaultRecipient(db, orgId);
  if (!key) return null;
  const sealed: Buffer[] = [];
  for (const value of values) sealed.push(await encryptBytes([key.recipient], Buffer.from(value, "utf8")));
  return sealed;
}

/**
 * Opens stored secret values, all or none: a vault-sealed one needs the organisation's identity
 * unsealed in this process, and throws Sealed (before anything is read) when it is not.
 */
export async function openSecretValues(services: Services, orgId: string, rows: readonly { id: string; value_sealed: Uint8Array | null }[]): Promise<Map<string, string>> {
  const identity = services.keyring.identity(orgId);
  if (!identity && rows.some((r) => r.value_sealed && isVaultSealed(r.value_sealed))) throw new Sealed();
  const values = new Map<string, string>();
  for (const row of rows) {
    if (!row.value_sealed) continue;
    const sealed = Buffer.from(row.value_sealed);
    values.set(row.id, isVaultSealed(sealed) ? (await decryptBytes([identity!], sealed)).toString("utf8") : openWithAppKey(services, row.id, sealed));
  }
  return values;
}

/**
 * Re-encrypts the organisation's values still sealed with the application key to its vault
 * recipient, in the caller's transaction, a page at a time. Needs only the public key, so it runs
 * while sealed. Returns how many moved.
 */
export async function moveSecretValuesToVault(tx: Tx, services: Services, orgId: string): Promise<number> {
  const key = await vaultRecipient(tx, orgId);
  if (!key) return 0;
  let moved = 0;
  let after: string | null = null;
  for (;;) {
    let page = tx
      .selectFrom("statements")
      .select(["id", "value_sealed"])
      .where("org_id", "=", orgId)
      .where("sensitivity", "=", "secret")
      .where("value_sealed", "is not", null);
    if (after) page = page.where("id", ">", after);
    const rows = await page.orderBy("id").limit(500).execute();
    if (rows.length === 0) return moved;
    for (const row of rows) {
      const sealed = Buffer.from(row.value_sealed!);
      if (isVaultSealed(sealed)) continue;
      const value = openSecret(services.appKey, sealed, appKeyContext(row.id));
      await tx.updateTable("statements").set({ value_sealed: await encryptBytes([key.recipient], value) }).where("id", "=", row.id).execute();
      value.fill(0);
      moved++;
    }
    after = rows[rows.length - 1]!.id;
  }
}
