// Custody ledger on the database beside the in-memory engine on the same leaves:
// append throughput in batches, inclusion proof latency, full verification.
//   node --import tsx bench/custody.ts                 PGlite, 100,000 leaves
//   BENCH_DATABASE_URL=postgres://… node --import tsx bench/custody.ts   PostgreSQL, 1,000,000 leaves
import { randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { appendCustodyEvents, DbHashReader, signCheckpointNow, verifyLedger, type CustodyEventInput } from "../src/custody/index.ts";
import { MemoryHashStore, proveInclusion, verifyLog, signCheckpoint, generateNoteKey, parseSignerKey, treeHash, parseVerifierKey } from "../src/ledger/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { loadConfig } from "../src/config.ts";
import type { Services } from "../src/context.ts";
import { Keyring } from "../src/keys/index.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const SIZE = Number(process.env.BENCH_LEAVES ?? (serverUrl ? 1_000_000 : 100_000));
const BATCH = 1_000;
const PROOFS = 2_000;

async function openBenchDatabase() {
  if (!serverUrl) return { ...(await openDatabase({})), drop: async () => {} };
  const name = `vigil_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...database,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const database = await openBenchDatabase();
await migrate(database.db);
const services = {
  db: database.db,
  dbKind: database.kind,
  config: loadConfig({ VIGIL_DATA_DIR: "/nonexistent-bench-dir" }),
  appKey: randomBytes(32),
  log: pino({ level: "silent" }),
  keyring: new Keyring(),
  now: () => new Date(),
} as Services;
const orgId = "00000000-0000-4000-8000-00000000be0c";
await database.db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "bench" }).execute();

console.log(`custody ledger on ${database.kind}, ${SIZE.toLocaleString("en")} leaves, batches of ${BATCH}`);
const memory = new MemoryHashStore();
let dbMs = 0;
let memMs = 0;
for (let done = 0; done < SIZE; done += BATCH) {
  const events: CustodyEventInput[] = Array.from({ length: Math.min(BATCH, SIZE - done) }, (_, i) => ({
    kind: "viewed",
    orgId,
    subject: `ev-${done + i}`,
    actorPseudonym: "pseud:bench",
    details: { n: done + i },
  }));
  let t = performance.now();
  await appendCustodyEvents(database.db, services, events);
  dbMs += performance.now() - t;
  const rows = await database.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).where("idx", ">=", done).orderBy("idx").execute();
  t = performance.now();
  await memory.appendLeaves(rows.map((r) => r.data));
  memMs += performance.now() - t;
}
const dbRate = SIZE / (dbMs / 1000);
const memRate = SIZE / (memMs / 1000);
console.log(`append: ${Math.round(dbRate).toLocaleString("en")} leaves/s on the database, ${Math.round(memRate).toLocaleString("en")}/s in memory (×${(memRate / dbRate).toFixed(1)})`);

const reader = new DbHashReader(database.db, orgId);
const dbTimes: number[] = [];
const memTimes: number[] = [];
for (let i = 0; i < PROOFS; i++) {
  const index = Math.floor(Math.random() * SIZE);
  let t = performance.now();
  await proveInclusion(index, SIZE, reader);
  dbTimes.push(performance.now() - t);
  t = performance.now();
  await proveInclusion(index, SIZE, memory);
  memTimes.push(performance.now() - t);
}
dbTimes.sort((a, b) => a - b);
memTimes.sort((a, b) => a - b);
console.log(
  `inclusion proof: p50 ${percentile(dbTimes, 50).toFixed(2)} ms, p99 ${percentile(dbTimes, 99).toFixed(2)} ms on the database; ` +
    `p50 ${percentile(memTimes, 50).toFixed(3)} ms, p99 ${percentile(memTimes, 99).toFixed(3)} ms in memory (p99 ×${(percentile(dbTimes, 99) / percentile(memTimes, 99)).toFixed(0)})`,
);

await signCheckpointNow(services, orgId);
let t = performance.now();
const result = await verifyLedger(services, orgId);
const verifyDb = performance.now() - t;
if (!result.ok) throw new Error(`verification failed: ${JSON.stringify(result)}`);
const key = generateNoteKey("bench/ledger");
const note = signCheckpoint({ origin: "bench/ledger", size: SIZE, rootHash: await treeHash(SIZE, memory) }, [parseSignerKey(key.signerKey)]);
const leaves = (await database.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).orderBy("idx").execute()).map((r) => r.data);
t = performance.now();
const memResult = await verifyLog({ checkpoint: note, verifiers: [parseVerifierKey(key.verifierKey)], leaves, stored: memory });
const verifyMem = performance.now() - t;
if (!memResult.ok) throw new Error("in-memory verification failed");
console.log(`full verification (vigil ledger verify): ${(verifyDb / 1000).toFixed(2)} s on the database, ${(verifyMem / 1000).toFixed(2)} s in memory (×${(verifyDb / verifyMem).toFixed(1)})`);
await database.close();
await database.drop();
