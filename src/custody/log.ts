import { generateNoteKey, parseSignerKey, type NoteSigner, type NoteVerifier, parseVerifierKey } from "../ledger/index.ts";
import { Invalid, NotFound, openSecret, sealSecret } from "../core/index.ts";
import type { Services, Tx } from "../context.ts";
import { toBytes } from "./hash-reader.ts";

/** One organisation's log: its identity and its keys. */
export interface CustodyLog {
  orgId: string;
  origin: string;
  verifierKey: string;
  verifier: NoteVerifier;
  isPublic: boolean;
}

function sealContext(orgId: string): string {
  return `ledger_logs.signer_key_sealed:${orgId}`;
}

/** `<public host>/ledger/<slug>`: unique per installation and organisation, and a valid key name. */
function originFor(services: Services, slug: string): string {
  const host = services.config.publicUrl ? new URL(services.config.publicUrl).host : "vigil.local";
  return `${host}/ledger/${slug}`;
}

/**
 * The organisation's log, created on first use with a new Ed25519 key sealed under the
 * application key. Two processes creating it at once both insert; the first wins and both
 * read its row back.
 */
export async function ensureLog(services: Services, orgId: string, db: Tx = services.db): Promise<CustodyLog> {
  const existing = await readLog(db, orgId);
  if (existing) return existing;
  const org = await db.selectFrom("organisations").select("slug").where("id", "=", orgId).executeTakeFirst();
  if (!org) throw new NotFound("no such organisation");
  const origin = originFor(services, org.slug);
  const key = generateNoteKey(origin);
  await db
    .insertInto("ledger_logs")
    .values({
      org_id: orgId,
      origin,
      signer_key_sealed: sealSecret(services.appKey, Buffer.from(key.signerKey, "utf8"), sealContext(orgId)),
      verifier_key: key.verifierKey,
    })
    .onConflict((oc) => oc.column("org_id").doNothing())
    .execute();
  const created = await readLog(db, orgId);
  if (!created) throw new Error("the ledger log row vanished after insert");
  return created;
}

async function readLog(db: Tx, orgId: string): Promise<CustodyLog | undefined> {
  const row = await db
    .selectFrom("ledger_logs")
    .select(["org_id", "origin", "verifier_key", "public"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { orgId: row.org_id, origin: row.origin, verifierKey: row.verifier_key, verifier: parseVerifierKey(row.verifier_key), isPublic: row.public };
}

/** The log's signer, opened with the application key (so it works while the vault is sealed). */
export async function logSigner(services: Services, orgId: string, db: Tx = services.db): Promise<NoteSigner> {
  const row = await db.selectFrom("ledger_logs").select("signer_key_sealed").where("org_id", "=", orgId).executeTakeFirstOrThrow();
  const text = openSecret(services.appKey, toBytes(row.signer_key_sealed), sealContext(orgId)).toString("utf8");
  return parseSignerKey(text);
}

/** The organisation a log URL names, by slug. */
export async function orgIdForSlug(services: Services, slug: string): Promise<string> {
  const org = await services.db.selectFrom("organisations").select("id").where("slug", "=", slug).executeTakeFirst();
  if (!org) throw new NotFound("no such organisation");
  return org.id;
}

/** The organisation a command names with --org, or the only one there is. */
export async function orgIdForCommand(services: Services, slug: string | undefined): Promise<string> {
  if (slug !== undefined) return orgIdForSlug(services, slug);
  const orgs = await services.db.selectFrom("organisations").select("id").limit(2).execute();
  if (orgs.length === 0) throw new NotFound("no such organisation");
  if (orgs.length > 1) throw new Invalid("there are several organisations: name one with --org", { organisation: "required" });
  return orgs[0]!.id;
}
