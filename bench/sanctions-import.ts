// Sanctions list import benchmark: an OpenSanctions-style FollowTheMoney JSON-lines file of
// 1,000,000 entities (people and companies with names, aliases, birth dates, nationalities),
// generated here, imported as `vigil sanctions import` does it — streamed to disk and hashed, read
// in batches, each entry's names prepared and keyed by the names engine, everything written in one
// transaction (entries, blocking keys) — beside the floor any importer pays: the same lines loaded
// as they are into a bare jsonb table (`psql \copy` on PostgreSQL; multi-row INSERTs of 1,000 on
// PGlite, whose COPY the driver does not expose). Also the peak memory the import adds, sampled
// every 50 ms: it must stay flat however large the file.
// Run: BENCH_DATABASE_URL=postgres://… node --import tsx bench/sanctions-import.ts   (PostgreSQL)
//      node --import tsx bench/sanctions-import.ts                                   (PGlite)
// BENCH_ENTITIES overrides the number of entities (default 1,000,000).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { importListFile } from "../src/accountability/index.ts";
import { loadConfig } from "../src/config.ts";
import { createServerDatabase } from "./lib/server-database.ts";
import { memoryWatch } from "./lib/memory-watch.ts";

const GIVEN = ["Quanguo", "Hailun", "Mingshan", "Junzheng", "Erkin", "Shohrat", "Nur", "Ablet", "Aili", "Wenhui", "Zhiqiang", "Abdurehim"];
const FAMILY = ["Chen", "Zhu", "Wang", "Tuniyaz", "Zakir", "Bekri", "Abdurahman", "Li", "Zhang", "Ma", "Huang", "Xu"];
const COMPANY = ["Xinjiang", "Hotan", "Kashgar", "Aksu", "Turpan", "Urumqi"];
const TRADE = ["Cotton", "Textile", "Polysilicon", "Tomato", "Security Technology", "Construction"];

function entity(i: number): string {
  if (i % 4 === 3) {
    const name = `${COMPANY[i % COMPANY.length]} ${TRADE[(i * 5) % TRADE.length]} ${i} Co., Ltd.`;
    return JSON.stringify({ id: `bench-co-${i}`, schema: "Company", properties: { name: [name], alias: [`${TRADE[(i * 5) % TRADE.length]} Group ${i}`], jurisdiction: ["cn"], registrationNumber: [`91650000${String(i).padStart(10, "0")}`] }, datasets: ["bench"], target: true });
  }
  const given = GIVEN[i % GIVEN.length]!;
  const family = FAMILY[(i * 7) % FAMILY.length]!;
  return JSON.stringify({
    id: `bench-p-${i}`,
    schema: "Person",
    properties: { name: [`${given} ${family} ${i}`], alias: [`${family} ${given} ${i}`], birthDate: [`19${50 + (i % 45)}-0${1 + (i % 9)}`], nationality: ["cn"], gender: [i % 2 ? "female" : "male"], position: ["Party Secretary"] },
    datasets: ["bench"],
    target: true,
  });
}

async function writeFtm(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    if (!out.write(entity(i) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function plainInsert(db: Kysely<Schema>, path: string): Promise<void> {
  let rest = "";
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await sql`INSERT INTO bench_ftm (doc) SELECT d::jsonb FROM unnest(${batch}::text[]) AS d`.execute(db);
    batch = [];
  };
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      batch.push(line);
      if (batch.length === 1000) await flush();
    }
  }
  if (rest) batch.push(rest);
  await flush();
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_ENTITIES ?? 1_000_000);
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-sanctions-"));
  const file = join(work, "entities.ftm.json");
  await writeFtm(file, count);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;
  const orgId = randomUUID();
  const userId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "bench" }).execute();
  await db.insertInto("users").values({ id: userId, email: "editor@bench.example", name: "Bench editor", password_hash: "-", pseudonym: "p-bench" }).execute();
  await db.insertInto("memberships").values({ user_id: userId, org_id: orgId, role: "editor" }).execute();
  await sql`CREATE TABLE bench_ftm (doc jsonb NOT NULL)`.execute(db);

  const services: Services = {
    db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }),
    config: loadConfig({ VIGIL_DATA_DIR: work, VIGIL_MAX_IMPORT_BYTES: String(2 ** 36) }),
  } as unknown as Services;
  const actor = { userId, orgId, role: "editor" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };

  const watch = memoryWatch();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = await importListFile(services, origin, actor, { list: "bench", format: "ftm", jurisdictions: ["US"] }, { source: createReadStream(file, { highWaterMark: 1 << 20 }), filename: "entities.ftm.json" });
  const vigilSeconds = (performance.now() - t0) / 1000;
  const memory = watch.stop();
  const cpu = process.cpuUsage(cpu0);
  // Node's CPU per 1,000 entities (parsing, the names engine, the driver): what bounds the import
  // whatever else the machine runs; the rate in entities/s depends on the machine's load.
  const nodeMs = ((cpu.user + cpu.system) / 1000) * (1000 / count);
  if (done.state !== "imported" || done.added !== count) throw new Error(`import ${done.state}: ${done.error ?? ""} (${done.added} of ${count})`);
  const keys = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM sanctions_entry_keys`.execute(db)).rows[0]!.n;

  let reference: string;
  const t1 = performance.now();
  if (server) {
    reference = "psql \\copy into jsonb";
    // The generated lines hold no tab or backslash, so COPY's text format takes each line as one value.
    const result = spawnSync("psql", [server.url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy bench_ftm (doc) FROM '${file}'`], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`psql: ${result.stderr}`);
  } else {
    reference = "multi-row INSERT into jsonb";
    await plainInsert(db, file);
  }
  const plainSeconds = (performance.now() - t1) / 1000;
  const loaded = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_ftm`.execute(db)).rows[0]!.n;
  if (loaded !== count) throw new Error(`the reference loaded ${loaded} of ${count} lines`);

  const [a, b] = [count / vigilSeconds, count / plainSeconds];
  console.log(`database ${database.kind}, ${count.toLocaleString("en")} FtM entities (${(statSync(file).size / 2 ** 20).toFixed(1)} MB, ${keys.toLocaleString("en")} blocking keys written); Vigil: upload and hash, parse, names prepared and keyed, one transaction; reference: the same lines into a bare jsonb table`);
  console.log("| database | entities | Vigil (entities/s) | reference | reference (entities/s) | ratio | peak RSS added (MB) | peak JS heap added (MB) | Node CPU (ms/1,000 entities) | load average |");
  console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(`| ${database.kind} | ${count.toLocaleString("en")} | ${a.toFixed(0)} | ${reference} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} | ${memory.rssMb.toFixed(0)} | ${memory.heapMb.toFixed(0)} | ${nodeMs.toFixed(0)} | ${loadavg()[0]!.toFixed(1)} |`);
  await database.close();
  await server?.drop();
  rmSync(work, { recursive: true, force: true });
}

await main();
