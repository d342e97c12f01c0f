import { writeFile } from "node:fs/promises";
import { sql } from "kysely";
import type { Writable } from "node:stream";
import { clearFailures, recordFailure, secondsUntilAllowed } from "../accounts/throttle.ts";
import { recordAudit } from "../audit/index.ts";
import { Conflict, Invalid, NotFound, Sealed, TooManyRequests } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import {
  AgeError,
  formatX25519IdentityFile,
  formatX25519Recipient,
  generateX25519Identity,
  parseX25519Recipient,
  rewrapHeader,
  sealIdentity,
  sealIdentityShares,
  ShareError,
  toX25519Recipient,
  unsealWithPassphrase,
  unsealWithShares,
  type KeyHolder,
  type X25519Identity,
  type X25519Recipient,
} from "../vault/index.ts";
import { isVaultSealed, moveSecretValuesToVault, vaultRecipient as currentRecipient } from "../keys/index.ts";
import { BlobStore } from "./blob-store.ts";
import { auditActor, authorizeCaller, ledgerActor, orgOf, type Caller } from "./caller.ts";

/** How the organisation's identity is sealed at rest: one passphrase, or k of n holders' shares. */
export type SealPlan = { passphrase: string } | { threshold: number; holders: KeyHolder[] };
export type UnsealInput = { passphrase: string } | { shares: { holder: string; passphrase: string }[] };

export interface KeyOptions {
  /** log2 of scrypt's work factor for the sealed files; default 18 (as `age -p`). Tests use less. */
  logN?: number;
}

export interface VaultStatus {
  hasKeys: boolean;
  sealed: boolean;
  mode: "passphrase" | "shares" | null;
  threshold: number | null;
  holders: string[];
  recipient: string | null;
  generation: number | null;
  createdAt: Date | null;
  rotatedAt: Date | null;
  /** The last time the identity left Vigil for offline custody (command or page). */
  lastExport: { at: Date; by: string | null } | null;
  /** Secret record values still sealed with the application key, waiting to move onto the vault key. */
  appKeySecrets: number;
  /** The latest key events from the audit trail, newest first: unseal attempts (failed and throttled too), seals, rotations, exports. */
  recentEvents: { at: Date; action: string; outcome: "ok" | "denied" | "failed"; by: string | null }[];
}

/** Key events shown on the vault page. */
const KEY_ACTIONS = ["vault.init", "vault.unseal", "vault.seal", "vault.rotate", "vault.export", "vault.secrets.move"];

const MIN_PASSPHRASE = 12;

function checkPlan(plan: SealPlan): void {
  if ("passphrase" in plan) {
    if (plan.passphrase.length < MIN_PASSPHRASE) throw new Invalid("some fields are not valid", { passphrase: `at least ${MIN_PASSPHRASE} characters` });
    return;
  }
  const fields: Record<string, string> = {};
  const n = plan.holders.length;
  if (n < 2 || n > 20) fields.holders = "between 2 and 20 key-holders";
  if (!Number.isInteger(plan.threshold) || plan.threshold < 2 || plan.threshold > n) fields.threshold = "between 2 and the number of key-holders";
  if (new Set(plan.holders.map((h) => h.name)).size !== n) fields.holders = "each key-holder needs a distinct name";
  for (const h of plan.holders) {
    if (!/^[^\s].{0,99}$/u.test(h.name)) fields.holders = "each key-holder needs a name of at most 100 characters";
    if (h.passphrase.length < MIN_PASSPHRASE) fields[`passphrase.${h.name}`] = `at least ${MIN_PASSPHRASE} characters`;
  }
  if (Object.keys(fields).length) throw new Invalid("some fields are not valid", fields);
}

async function sealWith(identity: X25519Identity, plan: SealPlan, options: KeyOptions) {
  if ("passphrase" in plan) {
    return { mode: "passphrase" as const, sealed_identity: await sealIdentity(identity, plan.passphrase, options), threshold: null, shares: [] };
  }
  const shares = await sealIdentityShares(identity, plan.threshold, plan.holders, options);
  return { mode: "shares" as const, sealed_identity: null, threshold: plan.threshold, shares };
}

/** The organisation's current recipient, usable while sealed; null when no keys were made. */
export { currentRecipient };

/** The unsealed identity, or Sealed. */
export function requireIdentity(services: Services, orgId: string): X25519Identity {
  const identity = services.keyring.identity(orgId);
  if (!identity) throw new Sealed();
  return identity;
}

export async function vaultStatus(services: Services, origin: Origin, caller: Caller): Promise<VaultStatus> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.unseal", { kind: "vault", orgId }, { type: "vault", id: orgId });
  const row = await services.db.selectFrom("vault_keyrings").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  const holders = row?.mode === "shares" ? (await services.db.selectFrom("vault_key_shares").select("holder").where("org_id", "=", orgId).orderBy("holder").execute()).map((r) => r.holder) : [];
  const events = await services.db
    .selectFrom("audit_events as a")
    .leftJoin("users as u", "u.id", "a.actor_id")
    .select(["a.at", "a.action", "a.outcome", "a.actor_label", "u.name"])
    .where("a.org_id", "=", orgId)
    .where("a.action", "in", KEY_ACTIONS)
    .orderBy("a.id", "desc")
    .limit(20)
    .execute();
  const lastExport = await services.db
    .selectFrom("audit_events as a")
    .leftJoin("users as u", "u.id", "a.actor_id")
    .select(["a.at", "a.actor_label", "u.name"])
    .where("a.org_id", "=", orgId)
    .where("a.action", "=", "vault.export")
    .where("a.outcome", "=", "ok")
    .orderBy("a.id", "desc")
    .executeTakeFirst();
  // An application-key value starts with its version byte 0x01, an age file with "age-".
  const waiting = await services.db
    .selectFrom("statements")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("org_id", "=", orgId)
    .where("sensitivity", "=", "secret")
    .where("value_sealed", "is not", null)
    .where(sql<boolean>`get_byte(value_sealed, 0) = 1`)
    .executeTakeFirstOrThrow();
  return {
    hasKeys: row !== undefined,
    sealed: services.keyring.isSealed(orgId),
    mode: row?.mode ?? null,
    threshold: row?.threshold ?? null,
    holders,
    recipient: row?.recipient ?? null,
    generation: row?.generation ?? null,
    createdAt: row?.created_at ?? null,
    rotatedAt: row?.rotated_at ?? null,
    lastExport: lastExport ? { at: lastExport.at, by: lastExport.name ?? lastExport.actor_label } : null,
    appKeySecrets: Number(waiting.n),
    recentEvents: events.map((e) => ({ at: e.at, action: e.action, outcome: e.outcome, by: e.name ?? e.actor_label })),
  };
}

/** Makes the organisation's age identity and stores it sealed. Vigil stays sealed until someone unseals it. */
export async function initVaultKeys(services: Services, origin: Origin, caller: Caller, plan: SealPlan, options: KeyOptions = {}): Promise<{ recipient: string }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.manage", { kind: "vault", orgId }, { type: "vault", id: orgId });
  checkPlan(plan);
  if (await currentRecipient(services.db, orgId)) throw new Conflict("this organisation already has keys: rotate them instead");
  const identity = generateX25519Identity();
  const recipient = formatX25519Recipient(toX25519Recipient(identity));
  const sealed = await sealWith(identity, plan, options);
  identity.secretKey.fill(0);
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("vault_keyrings").values({ org_id: orgId, recipient, mode: sealed.mode, sealed_identity: sealed.sealed_identity, threshold: sealed.threshold }).execute();
    if (sealed.shares.length) await tx.insertInto("vault_key_shares").values(sealed.shares.map((s) => ({ org_id: orgId, holder: s.holder, sealed: s.sealed }))).execute();
    // Secret values written before the keys existed were sealed with the application key: they move now.
    const movedValues = await moveSecretValuesToVault(tx, services, orgId);
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.init", targetType: "vault", targetId: orgId, details: { mode: sealed.mode, threshold: sealed.threshold, holders: sealed.shares.length || null, recipient, movedValues } });
  });
  return { recipient };
}

function throttleKeysFor(orgId: string, origin: Origin): string[] {
  return [`unseal:${orgId}`, ...(origin.ip ? [`unseal-address:${origin.ip}`] : [])];
}

/**
 * Unseals the organisation's identity into this process's memory. Attempts are throttled like
 * sign-in (per organisation and per address) and every one is audited; a success is also a
 * custody-ledger event.
 */
export async function unsealVault(services: Services, origin: Origin, caller: Caller, input: UnsealInput): Promise<void> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.unseal", { kind: "vault", orgId }, { type: "vault", id: orgId });
  const row = await services.db.selectFrom("vault_keyrings").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  if (!row) throw new NotFound("this organisation has no keys yet");
  const keys = throttleKeysFor(orgId, origin);
  const now = services.now();
  const wait = await secondsUntilAllowed(services.db, keys, now);
  if (wait > 0) {
    await recordAudit(services.db, origin, { orgId, ...auditActor(caller), action: "vault.unseal", outcome: "denied", targetType: "vault", targetId: orgId, details: { reason: "throttled", retryAfter: wait } });
    throw new TooManyRequests(`too many failed attempts: wait ${wait} seconds`, wait);
  }
  let identity: X25519Identity;
  try {
    identity = await openSealed(services, orgId, row, input);
    if (!identity.publicKey.equals(parseX25519Recipient(row.recipient).publicKey)) throw new ShareError("the key does not match the organisation's public key");
  } catch (error) {
    if (!(error instanceof AgeError || error instanceof ShareError || error instanceof Invalid)) throw error;
    await recordFailure(services.db, keys, now);
    await recordAudit(services.db, origin, { orgId, ...auditActor(caller), action: "vault.unseal", outcome: "failed", targetType: "vault", targetId: orgId, details: { mode: row.mode } });
    if (error instanceof Invalid) throw error;
    throw new Invalid("the passphrase or shares do not open the organisation's key", { passphrase: "wrong passphrase or share" });
  }
  await clearFailures(services.db, keys);
  await services.db.transaction().execute(async (tx) => {
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "unsealed", orgId, subject: `vault:${orgId}`, actorPseudonym: ledgerActor(caller), details: { generation: row.generation } });
    // Values an older Vigil (or a row written some other way) left under the application key move onto the vault key.
    const movedValues = await moveSecretValuesToVault(tx, services, orgId);
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.unseal", targetType: "vault", targetId: orgId, details: { mode: row.mode, ledgerIndex, ...(movedValues ? { movedValues } : {}) } });
  });
  services.keyring.unseal(orgId, identity);
}

async function openSealed(
  services: Services,
  orgId: string,
  row: { mode: "passphrase" | "shares"; sealed_identity: string | null; threshold: number | null },
  input: UnsealInput,
): Promise<X25519Identity> {
  if (row.mode === "passphrase") {
    if (!("passphrase" in input) || !input.passphrase) throw new Invalid("some fields are not valid", { passphrase: "required" });
    return unsealWithPassphrase(row.sealed_identity!, input.passphrase);
  }
  if (!("shares" in input)) throw new Invalid("some fields are not valid", { shares: "this organisation's key is split into shares" });
  const presented = input.shares.filter((s) => s.passphrase);
  if (presented.length < row.threshold!) throw new Invalid("some fields are not valid", { shares: `${row.threshold} key-holders must give their passphrases` });
  const stored = await services.db.selectFrom("vault_key_shares").select(["holder", "sealed"]).where("org_id", "=", orgId).execute();
  const byHolder = new Map(stored.map((s) => [s.holder, s.sealed]));
  return unsealWithShares(
    presented.map((p) => {
      const sealed = byHolder.get(p.holder);
      if (!sealed) throw new Invalid("some fields are not valid", { shares: `no key-holder named ${p.holder}` });
      return { sealed, passphrase: p.passphrase };
    }),
  );
}

export async function sealVault(services: Services, origin: Origin, caller: Caller): Promise<void> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.unseal", { kind: "vault", orgId }, { type: "vault", id: orgId });
  services.keyring.seal(orgId);
  await recordAudit(services.db, origin, { orgId, ...auditActor(caller), action: "vault.seal", targetType: "vault", targetId: orgId });
}

/**
 * Makes a new identity, seals it by `plan`, and re-wraps every blob of the organisation (and its
 * encrypted metadata) for it: only each age header is rewritten, the payload bytes are copied as
 * they are. Runs in one transaction holding the keyring row, so an upload encrypted to the old
 * key cannot commit meanwhile. The old identity is forgotten; the new one stays unsealed here.
 */
export async function rotateVaultKeys(
  services: Services,
  origin: Origin,
  caller: Caller,
  plan: SealPlan,
  options: KeyOptions & { store?: BlobStore } = {},
): Promise<{ recipient: string; rewrapped: number }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.manage", { kind: "vault", orgId }, { type: "vault", id: orgId });
  checkPlan(plan);
  const old = requireIdentity(services, orgId);
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);
  const next = generateX25519Identity();
  const nextRecipient = toX25519Recipient(next);
  const recipient = formatX25519Recipient(nextRecipient);
  const sealed = await sealWith(next, plan, options);
  const written: string[] = [];
  const replaced: string[] = [];
  try {
    const rewrapped = await services.db.transaction().execute(async (tx) => {
      const ring = await tx.selectFrom("vault_keyrings").select(["generation"]).where("org_id", "=", orgId).forUpdate().executeTakeFirst();
      if (!ring) throw new NotFound("this organisation has no keys yet");
      const rows = await tx.selectFrom("evidence").select(["id", "ciphertext_sha256", "metadata_enc"]).where("org_id", "=", orgId).orderBy("received_at").execute();
      for (const row of rows) {
        const result = await store.put((sink: Writable) => rewrapHeader([old], [nextRecipient], store.read(row.ciphertext_sha256), sink));
        written.push(result.ciphertextSha256);
        const parts: Buffer[] = [];
        await rewrapHeader([old], [nextRecipient], [row.metadata_enc], (c) => void parts.push(c));
        await tx
          .updateTable("evidence")
          .set({ ciphertext_sha256: result.ciphertextSha256, ciphertext_size: result.ciphertextSize, metadata_enc: Buffer.concat(parts) })
          .where("id", "=", row.id)
          .execute();
        await appendCustodyEvent(tx, services, {
          kind: "key_rotated",
          orgId,
          subject: row.id,
          actorPseudonym: ledgerActor(caller),
          details: { from: row.ciphertext_sha256, to: result.ciphertextSha256, generation: ring.generation + 1 },
        });
        replaced.push(row.ciphertext_sha256);
      }
      const secretValues = await rewrapSecretValues(tx, orgId, old, nextRecipient);
      // What families wrote and were told (src/monitor/family*.ts) is sealed to the same key.
      await rewrapFamilyValues(tx, orgId, old, nextRecipient);
      if (secretValues > 0) {
        await appendCustodyEvent(tx, services, { kind: "key_rotated", orgId, subject: `vault:${orgId}`, actorPseudonym: ledgerActor(caller), details: { rewrappedValues: secretValues, generation: ring.generation + 1 } });
      }
      await tx
        .updateTable("vault_keyrings")
        .set({ recipient, mode: sealed.mode, sealed_identity: sealed.sealed_identity, threshold: sealed.threshold, generation: ring.generation + 1, rotated_at: services.now() })
        .where("org_id", "=", orgId)
        .execute();
      await tx.deleteFrom("vault_key_shares").where("org_id", "=", orgId).execute();
      if (sealed.shares.length) await tx.insertInto("vault_key_shares").values(sealed.shares.map((s) => ({ org_id: orgId, holder: s.holder, sealed: s.sealed }))).execute();
      await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.rotate", targetType: "vault", targetId: orgId, details: { recipient, rewrapped: rows.length, rewrappedValues: secretValues, generation: ring.generation + 1 } });
      return rows.length;
    });
    // Committed: the old files are no longer named by any row.
    for (const sha of replaced) await store.remove(sha);
    services.keyring.unseal(orgId, next);
    return { recipient, rewrapped };
  } catch (error) {
    for (const sha of written) await store.remove(sha);
    throw error;
  }
}

/** Re-wraps the header of every secret value sealed to the vault for the new recipient, in the caller's transaction. */
async function rewrapSecretValues(tx: Tx, orgId: string, old: X25519Identity, next: X25519Recipient): Promise<number> {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    let page = tx.selectFrom("statements").select(["id", "value_sealed"]).where("org_id", "=", orgId).where("sensitivity", "=", "secret").where("value_sealed", "is not", null);
    if (after) page = page.where("id", ">", after);
    const rows = await page.orderBy("id").limit(500).execute();
    if (rows.length === 0) return count;
    for (const row of rows) {
      if (!isVaultSealed(row.value_sealed!)) continue;
      const parts: Buffer[] = [];
      await rewrapHeader([old], [next], [row.value_sealed!], (c) => void parts.push(c));
      await tx.updateTable("statements").set({ value_sealed: Buffer.concat(parts) }).where("id", "=", row.id).execute();
      count++;
    }
    after = rows[rows.length - 1]!.id;
  }
}

/** Re-wraps the sealed family reports, decline reasons and updates for the new recipient, in the caller's transaction. */
async function rewrapFamilyValues(tx: Tx, orgId: string, old: X25519Identity, next: X25519Recipient): Promise<void> {
  const rewrap = async (sealed: Buffer): Promise<Buffer> => {
    const parts: Buffer[] = [];
    await rewrapHeader([old], [next], [sealed], (c) => void parts.push(c));
    return Buffer.concat(parts);
  };
  for (const row of await tx.selectFrom("family_reports").select(["id", "content_sealed", "decline_reason_sealed"]).where("org_id", "=", orgId).execute()) {
    await tx
      .updateTable("family_reports")
      .set({ content_sealed: await rewrap(row.content_sealed), decline_reason_sealed: row.decline_reason_sealed ? await rewrap(row.decline_reason_sealed) : null })
      .where("id", "=", row.id)
      .execute();
  }
  for (const row of await tx.selectFrom("family_updates").select(["id", "body_sealed"]).where("org_id", "=", orgId).execute()) {
    await tx.updateTable("family_updates").set({ body_sealed: await rewrap(row.body_sealed) }).where("id", "=", row.id).execute();
  }
}

/**
 * Moves the organisation's secret values still sealed with the application key onto its vault
 * key (`vigil keys migrate-secrets`; also done when keys are made and at every unseal). Needs only
 * the public key. Audited with the count.
 */
export async function moveSecretValues(services: Services, origin: Origin, caller: Caller): Promise<{ moved: number }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.manage", { kind: "vault", orgId }, { type: "vault", id: orgId });
  if (!(await currentRecipient(services.db, orgId))) throw new NotFound("this organisation has no keys yet");
  const moved = await services.db.transaction().execute(async (tx) => {
    const count = await moveSecretValuesToVault(tx, services, orgId);
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.secrets.move", targetType: "vault", targetId: orgId, details: { moved: count } });
    return count;
  });
  return { moved };
}

/**
 * The unsealed identity for offline custody through the page: an age-keygen file encrypted under
 * a passphrase the administrator chooses (armored age, scrypt), so the download is useless without
 * it and `age -d` alone opens it. Audited, and an "exported" custody-ledger event.
 */
export async function exportSealedIdentity(services: Services, origin: Origin, caller: Caller, passphrase: string, options: KeyOptions = {}): Promise<{ recipient: string; file: string }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.manage", { kind: "vault", orgId }, { type: "vault", id: orgId });
  checkPlan({ passphrase });
  const identity = requireIdentity(services, orgId);
  const recipient = formatX25519Recipient(toX25519Recipient(identity));
  const file = await sealIdentity(identity, passphrase, options);
  await services.db.transaction().execute(async (tx) => {
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "exported", orgId, subject: `vault:${orgId}`, actorPseudonym: ledgerActor(caller), details: { what: "identity", sealed: "passphrase" } });
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.export", targetType: "vault", targetId: orgId, details: { recipient, ledgerIndex, sealed: "passphrase" } });
  });
  return { recipient, file };
}

/** Writes the unsealed identity as an age-keygen file (mode 0600, never over an existing file) for offline custody. */
export async function exportVaultIdentity(services: Services, origin: Origin, caller: Caller, path: string): Promise<{ recipient: string }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "vault.manage", { kind: "vault", orgId }, { type: "vault", id: orgId });
  const identity = requireIdentity(services, orgId);
  const recipient = formatX25519Recipient(toX25519Recipient(identity));
  try {
    await writeFile(path, formatX25519IdentityFile(identity), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Conflict(`${path} already exists: choose a new file`);
    throw error;
  }
  await services.db.transaction().execute(async (tx) => {
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "exported", orgId, subject: `vault:${orgId}`, actorPseudonym: ledgerActor(caller), details: { what: "identity" } });
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "vault.export", targetType: "vault", targetId: orgId, details: { recipient, ledgerIndex } });
  });
  return { recipient };
}
