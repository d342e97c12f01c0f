import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendCustodyEvent, appendCustodyEvents, ledgerSize, DbHashReader, type CustodyEventInput } from "../../src/custody/index.ts";
import { decodeLeaf, hashLeaf, MemoryHashStore, merkleRoot, storedHashCount, treeHash } from "../../src/ledger/index.ts";
import { sql } from "kysely";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addOrganisation, setUpOrganisation } from "../helpers/fixtures.ts";

function event(orgId: string, subject: string): CustodyEventInput {
  return { kind: "viewed", orgId, subject, actorPseudonym: "pseud:ab12", details: { size: 3 } };
}

for (const target of databaseTargets()) {
  describe(`custody appends on ${target.name}`, () => {
    let services: TestServices;
    let orgId = "";
    let otherOrgId = "";
    before(async () => {
      services = await openTestServices(target);
      orgId = (await setUpOrganisation(services)).orgId;
      otherOrgId = (await addOrganisation(services, "elsewhere")).orgId;
    });
    after(async () => {
      await services.close();
    });

    it("gives consecutive indices and stores the tree the in-memory engine computes", async () => {
      const first = await appendCustodyEvent(services.db, services, event(orgId, "ev-1"));
      const rest = await services.db.transaction().execute((tx) => appendCustodyEvents(tx, services, [event(orgId, "ev-2"), event(orgId, "ev-3"), event(orgId, "ev-4")]));
      assert.deepEqual([first, ...rest], [0, 1, 2, 3]);
      const rows = await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).orderBy("idx").execute();
      const leaves = rows.map((r) => new Uint8Array(r.data));
      const decoded = decodeLeaf(leaves[2]!);
      assert.equal(decoded.subject, "ev-3");
      assert.equal(decoded.actor, "pseud:ab12");
      assert.equal(decoded.details.org, orgId);
      assert.equal(decoded.time, services.now().toISOString());
      const memory = new MemoryHashStore();
      await memory.appendLeaves(leaves);
      const reader = new DbHashReader(services.db, orgId);
      assert.deepEqual(Buffer.from(await treeHash(4, reader)), Buffer.from(merkleRoot(leaves.map(hashLeaf))));
      const storedCount = await services.db.selectFrom("ledger_hashes").select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", orgId).executeTakeFirstOrThrow();
      assert.equal(Number(storedCount.n), 7, "2n − popcount(n) hashes for n = 4");
      assert.deepEqual((await reader.readHashes([6, 0, 6])).map((h) => Buffer.from(h)), memory.readHashes([6, 0, 6]).map((h) => Buffer.from(h)));
    });

    it("keeps each organisation's log apart, in the order events were given", async () => {
      const indices = await appendCustodyEvents(services.db, services, [event(otherOrgId, "x-1"), event(orgId, "ev-5"), event(otherOrgId, "x-2")]);
      assert.deepEqual(indices, [0, 4, 1]);
      assert.equal(await ledgerSize(services.db, otherOrgId), 2);
    });

    it("leaves no leaf when the caller's transaction rolls back", async () => {
      const before = await ledgerSize(services.db, orgId);
      await assert.rejects(
        services.db.transaction().execute(async (tx) => {
          assert.equal(await appendCustodyEvent(tx, services, event(orgId, "ev-rolled-back")), before);
          throw new Error("the change failed");
        }),
        /the change failed/,
      );
      assert.equal(await ledgerSize(services.db, orgId), before);
      const hashes = await services.db.selectFrom("ledger_hashes").select("idx").where("org_id", "=", orgId).orderBy("idx", "desc").limit(1).executeTakeFirstOrThrow();
      assert.equal(hashes.idx, storedHashCount(before) - 1, "no stored hash past the committed tree");
      assert.equal(await appendCustodyEvent(services.db, services, event(orgId, "ev-after")), before, "the next append reuses the index");
    });

    it("refuses an event that would name a person, without writing anything", async () => {
      const before = await ledgerSize(services.db, orgId);
      await assert.rejects(appendCustodyEvent(services.db, services, { ...event(orgId, "ev-9"), actorPseudonym: "Ayla Admin" }), /pseudonymous/);
      assert.equal(await ledgerSize(services.db, orgId), before);
    });

    if (target.name === "postgres") {
      it("gives distinct consecutive indices to concurrent appends from separate pooled connections", async () => {
        const start = await ledgerSize(services.db, orgId);
        // The pool hands each open transaction its own connection: eight writers race for the lock.
        const batches = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            services.db.transaction().execute(async (tx) => {
              const indices = await appendCustodyEvents(tx, services, [event(orgId, `c-${i}-a`), event(orgId, `c-${i}-b`)]);
              await sql`SELECT pg_sleep(0.01)`.execute(tx);
              return indices;
            }),
          ),
        );
        const all = batches.flat().sort((a, b) => a - b);
        assert.deepEqual(all, Array.from({ length: 16 }, (_, i) => start + i));
        for (const batch of batches) assert.equal(batch[1], batch[0]! + 1, "a batch is contiguous");
        const leaves = await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).orderBy("idx").execute();
        const root = merkleRoot(leaves.map((r) => hashLeaf(new Uint8Array(r.data))));
        assert.deepEqual(Buffer.from(await treeHash(leaves.length, new DbHashReader(services.db, orgId))), Buffer.from(root));
      });
    }
  });
}
