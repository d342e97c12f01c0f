// CSV import benchmark: 100,000 people (name, birth date, gender, ethnicity, nationality, notes)
// imported through the records service exactly as `vigil import` does it — the file streamed to
// disk and its encoding proven, every row checked (model, EDTF, vocabularies) in the check pass,
// then one transaction writing records, statements citing the import's Source, revisions, the names
// index and the search documents — beside the same rows loaded with no checks into a plain table
// of five text columns: `psql \copy` on PostgreSQL, multi-row INSERTs of 1,000 rows on PGlite (its
// COPY reads only from a blob the driver does not expose). Also the peak memory the import adds.
// Run: node --import tsx bench/import.ts                               (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/import.ts   (PostgreSQL)
// BENCH_ROWS overrides the number of rows (default 100,000).
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { JobRunner } from "../src/jobs/index.ts";
import { commitImport, getImport, importJob, receiveImport, setImportMapping } from "../src/records/index.ts";
import { loadConfig } from "../src/config.ts";
import { registerRecordListeners } from "../src/listeners.ts";
import { createServerDatabase } from "./lib/server-database.ts";
import { memoryWatch } from "./lib/memory-watch.ts";

const GIVEN = ["Ilham", "Gulshan", "Rahile", "Abdurehim", "Mihrigul", "Sayragul", "Ekpar", "Perhat", "Zumret", "Nurmuhammad", "Aziz", "Mahire"];
const FAMILY = ["Tohti", "Abbas", "Dawut", "Heyit", "Tursun", "Sauytbay", "Asat", "Tursun", "Dawut", "Tohtiniyaz", "Isa", "Yakub"];
const ETHNIC = ["Uyghur", "ئۇيغۇر", "Kazakh", "维吾尔族", "kyrgyz"];
const DATES = (i: number) => [`19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`, `19${60 + (i % 40)}`, `19${70 + (i % 30)}?`, `198${i % 10}-XX-XX`][i % 4]!;

/** Writes the CSV to disk as a stream, the way an export from another tool arrives. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, "drain");
  };
  await write("Full name,Born,Gender,Ethnicity,Nationality,Notes\n");
  for (let i = 0; i < rows; i++) {
    const name = `${GIVEN[i % GIVEN.length]} ${FAMILY[(i * 7) % FAMILY.length]} ${i}`;
    await write(`${name},${DATES(i)},${i % 2 ? "female" : "male"},${ETHNIC[i % ETHNIC.length]},cn,"reported by a relative, ${i}"\n`);
  }
  out.end();
  await once(out, "finish");
}

/**
 * CPU seconds spent so far by the server processes serving this database (the import's transaction
 * and the progress updates), read from /proc: null when the server is not on this machine. With
 * the process's own CPU time this says what an import costs whatever else the machine is running.
 */
async function serverCpuSeconds(db: Kysely<Schema>): Promise<number | null> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const tick = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  let ticks = 0;
  for (const { pid } of rows) {
    if (!existsSync(`/proc/${pid}/stat`)) return null;
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / tick;
}

async function plainInsert(db: Kysely<Schema>, path: string): Promise<void> {
  const { CsvReader } = await import("../src/core/index.ts");
  const reader = new CsvReader();
  let header = true;
  let batch: string[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = sql.join(batch.map((cells) => sql`(${sql.join(cells.slice(0, 5))})`));
    await sql`INSERT INTO bench_people (name, born, gender, ethnicity, nationality) VALUES ${values}`.execute(db);
    batch = [];
  };
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    for (const record of reader.push(chunk as string)) {
      if (header) header = false;
      else batch.push(record.cells);
      if (batch.length === 1000) await flush();
    }
  }
  for (const record of reader.end()) batch.push(record.cells);
  await flush();
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const rows = Number(process.env.BENCH_ROWS ?? 100_000);
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-import-"));
  const csv = join(work, "people.csv");
  await writeCsv(csv, rows);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;
  const orgId = randomUUID();
  const userId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "bench" }).execute();
  await db.insertInto("users").values({ id: userId, email: "editor@bench.example", name: "Bench editor", password_hash: "-", pseudonym: "p-bench" }).execute();
  await db.insertInto("memberships").values({ user_id: userId, org_id: orgId, role: "editor" }).execute();
  await sql`CREATE TABLE bench_people (name text, born text, gender text, ethnicity text, nationality text)`.execute(db);

  const services: Services = {
    db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }),
    config: loadConfig({ VIGIL_DATA_DIR: work, VIGIL_MAX_IMPORT_BYTES: String(2 ** 34) }),
  } as unknown as Services;
  const actor = { userId, orgId, role: "editor" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };
  // As boot() does for `vigil import` and the server: the monitor's projection follows every batch.
  registerRecordListeners();
  const runner = new JobRunner(services, [importJob], { workerId: "bench", concurrency: 1 });

  const watch = memoryWatch();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const uploaded = await receiveImport(services, origin, actor, { source: createReadStream(csv, { highWaterMark: 1 << 20 }), filename: "people.csv", format: "csv" });
  const uploadSeconds = (performance.now() - t0) / 1000;
  await setImportMapping(services, origin, actor, uploaded.id, {
    mapping: { schema: "Person", columns: { "Full name": "name", Born: "birthDate", Gender: "gender", Ethnicity: "ethnicity", Nationality: "nationality", Notes: "notes" } },
  });
  await commitImport(services, origin, actor, uploaded.id);
  await runner.drain();
  const vigilSeconds = (performance.now() - t0) / 1000;
  const memory = watch.stop();
  const cpu = process.cpuUsage(cpu0);
  const nodeCpu = (cpu.user + cpu.system) / 1e6;
  // The pool keeps its connections for 10 s of idleness: those that served the import are still there.
  const databaseCpu = server ? await serverCpuSeconds(db) : null;
  const done = await getImport(services, origin, actor, uploaded.id);
  if (done.state !== "imported" || done.entitiesCreated !== rows) throw new Error(`import ${done.state}: ${done.error ?? ""} (${done.entitiesCreated} of ${rows})`);
  const statements = Number((await db.selectFrom("statements").select((eb) => eb.fn.countAll<number>().as("n")).where("source_id", "=", done.sourceId!).executeTakeFirstOrThrow()).n);

  let reference: string;
  const t1 = performance.now();
  if (server) {
    reference = "psql \\copy";
    const result = spawnSync("psql", [server.url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy bench_people (name, born, gender, ethnicity, nationality) FROM PROGRAM 'cut -d, -f1-5 ${csv}' WITH (FORMAT csv, HEADER true)`], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`psql: ${result.stderr}`);
  } else {
    reference = "multi-row INSERT";
    await plainInsert(db, csv);
  }
  const plainSeconds = (performance.now() - t1) / 1000;
  const loaded = Number((await db.selectFrom("bench_people" as never).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow() as { n: number }).n);
  if (loaded !== rows) throw new Error(`the reference loaded ${loaded} of ${rows} rows`);

  const [a, b] = [rows / vigilSeconds, rows / plainSeconds];
  console.log(`database ${database.kind}, ${rows.toLocaleString("en")} people (${(statSync(csv).size / 2 ** 20).toFixed(1)} MB CSV, ${statements.toLocaleString("en")} statements written); Vigil: upload, check pass, commit in one transaction (names index and search documents included); reference: the same five columns into a plain table, no checks`);
  // CPU per 1,000 rows: Node (the import's JavaScript, and PGlite's engine in its worker) and the
  // PostgreSQL server processes of this database; what bounds the import when the machine is shared.
  const perThousand = (seconds: number | null) => (seconds === null ? "—" : (seconds * 1000 * 1000 / rows).toFixed(0));
  console.log("| database | rows | Vigil (rows/s) | upload share (s) | reference | reference (rows/s) | ratio | peak RSS added (MB) | peak JS heap added (MB) | Node CPU (ms/1,000 rows) | server CPU (ms/1,000 rows) | load average |");
  console.log("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(`| ${database.kind} | ${rows.toLocaleString("en")} | ${a.toFixed(0)} | ${uploadSeconds.toFixed(1)} | ${reference} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} | ${memory.rssMb.toFixed(0)} | ${memory.heapMb.toFixed(0)} | ${perThousand(nodeCpu)} | ${perThousand(databaseCpu)} | ${loadavg()[0]!.toFixed(1)} |`);
  await database.close();
  await server?.drop();
  rmSync(work, { recursive: true, force: true });
}

await main();
