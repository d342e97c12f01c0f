import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { appendCustodyEvents, DbHashReader, ensureLog, ledgerSize, signCheckpointNow, verifyLedger, type CustodyEventInput } from "../../src/custody/index.ts";
import { logSigner } from "../../src/custody/log.ts";
import { encodeLeaf, hashLeaf, newCustodyEvent, signCheckpoint, storedHashesForAppend, storedHashIndex } from "../../src/ledger/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addOrganisation, setUpOrganisation } from "../helpers/fixtures.ts";

// More than one page of verifyLedger (16,384 leaves), so every check also runs across a page boundary.
const FIRST = 10_000;
const SIZE = 17_000;

function events(orgId: string, from: number, to: number): CustodyEventInput[] {
  return Array.from({ length: to - from }, (_, i) => ({ kind: "viewed", orgId, subject: `ev-${from + i}`, actorPseudonym: "pseud:ab12", details: { n: from + i } }));
}

for (const target of databaseTargets()) {
  describe(`custody ledger verification on ${target.name}`, () => {
    let services: TestServices;
    let orgId = "";
    let otherOrgId = "";
    before(async () => {
      services = await openTestServices(target);
      orgId = (await setUpOrganisation(services)).orgId;
      otherOrgId = (await addOrganisation(services, "elsewhere")).orgId;
      await appendCustodyEvents(services.db, services, events(orgId, 0, FIRST));
      await signCheckpointNow(services, orgId);
      await appendCustodyEvents(services.db, services, events(orgId, FIRST, SIZE));
      await signCheckpointNow(services, orgId);
    });
    after(async () => {
      await services.close();
    });

    async function replace(table: "ledger_leaves" | "ledger_hashes", idx: number, change: (bytes: Buffer) => Buffer, check: () => Promise<void>): Promise<void> {
      const column = table === "ledger_leaves" ? "data" : "hash";
      const { rows } = await sql<{ value: Uint8Array }>`SELECT ${sql.ref(column)} AS value FROM ${sql.table(table)} WHERE org_id = ${orgId} AND idx = ${idx}`.execute(services.db);
      const original = Buffer.from(rows[0]!.value);
      await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${change(original)} WHERE org_id = ${orgId} AND idx = ${idx}`.execute(services.db);
      try {
        await check();
      } finally {
        await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${original} WHERE org_id = ${orgId} AND idx = ${idx}`.execute(services.db);
      }
    }

    it("verifies a log of two pages and the checkpoint signed in between", async () => {
      const result = await verifyLedger(services, orgId);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.ok && result.checkpoint.size, SIZE);
      assert.equal(result.ok && result.checkedCheckpoints, 2);
    });

    it("names a changed leaf in the second page", async () => {
      await replace("ledger_leaves", 16_500, (leaf) => Buffer.from(leaf.toString("utf8").replace("ev-16500", "ev-16501")), async () => {
        assert.deepEqual(await verifyLedger(services, orgId), { ok: false, problem: "leaf-mismatch", leafIndex: 16_500 });
      });
      assert.equal((await verifyLedger(services, orgId)).ok, true, "restored");
    });

    it("names a changed stored interior hash by the leaf that completes it", async () => {
      // The level-2 node 4,200 covers leaves 16,800–16,803 and is completed by leaf 16,803.
      await replace("ledger_hashes", storedHashIndex(2, 4_200), () => Buffer.alloc(32), async () => {
        assert.deepEqual(await verifyLedger(services, orgId), { ok: false, problem: "stored-hash-mismatch", leafIndex: 16_803, level: 2 });
      });
    });

    it("names a stored hash that was deleted rather than blaming the leaves after it", async () => {
      const missing = storedHashIndex(0, 16_600);
      const { rows } = await sql<{ hash: Uint8Array }>`SELECT hash FROM ledger_hashes WHERE org_id = ${orgId} AND idx = ${missing}`.execute(services.db);
      await sql`DELETE FROM ledger_hashes WHERE org_id = ${orgId} AND idx = ${missing}`.execute(services.db);
      try {
        await assert.rejects(verifyLedger(services, orgId), new RegExp(`stored hash ${missing} is missing`));
      } finally {
        await services.db.insertInto("ledger_hashes").values({ org_id: orgId, idx: missing, hash: Buffer.from(rows[0]!.hash) }).execute();
      }
      assert.equal((await verifyLedger(services, orgId)).ok, true, "restored");
    });

    it("reports a fork when a stored checkpoint signed by the log's key gives another root", async () => {
      const signer = await logSigner(services, orgId);
      const { origin } = await ensureLog(services, orgId);
      const forgedRoot = hashLeaf(Buffer.from("another history"));
      const note = signCheckpoint({ origin, size: 12_345, rootHash: forgedRoot }, [signer]);
      await services.db.insertInto("ledger_checkpoints").values({ org_id: orgId, size: 12_345, root_hash: Buffer.from(forgedRoot), note }).execute();
      try {
        const result = await verifyLedger(services, orgId);
        assert.equal(!result.ok && result.problem, "fork");
        assert.equal(!result.ok && result.problem === "fork" && result.size, 12_345);
      } finally {
        await services.db.deleteFrom("ledger_checkpoints").where("org_id", "=", orgId).where("size", "=", 12_345).execute();
      }
      assert.equal((await verifyLedger(services, orgId)).ok, true);
    });

    it("reports a leaf that is hashed into the log but names another organisation in details.org", async () => {
      const size = await ledgerSize(services.db, orgId);
      const leaf = encodeLeaf(newCustodyEvent({ kind: "viewed", subject: "ev-moved", actor: "pseud:ab12", details: { org: otherOrgId } }));
      const written = await storedHashesForAppend(size, [hashLeaf(leaf)], new DbHashReader(services.db, orgId));
      await services.db.insertInto("ledger_leaves").values({ org_id: orgId, idx: size, data: Buffer.from(leaf) }).execute();
      await services.db
        .insertInto("ledger_hashes")
        .values(written.hashes.map((hash, i) => ({ org_id: orgId, idx: written.firstIndex + i, hash: Buffer.from(hash) })))
        .execute();
      await signCheckpointNow(services, orgId);
      assert.deepEqual(await verifyLedger(services, orgId), { ok: false, problem: "foreign-leaf", leafIndex: size, org: otherOrgId });
    });

    it("reports a truncation when the last leaves and their stored hashes are deleted", async () => {
      const size = await ledgerSize(services.db, orgId);
      await sql`DELETE FROM ledger_leaves WHERE org_id = ${orgId} AND idx >= ${size - 100}`.execute(services.db);
      await sql`DELETE FROM ledger_hashes WHERE org_id = ${orgId} AND idx >= ${storedHashIndex(0, size - 100)}`.execute(services.db);
      assert.deepEqual(await verifyLedger(services, orgId), { ok: false, problem: "truncated", expectedSize: size, actualSize: size - 100 });
    });
  });
}
