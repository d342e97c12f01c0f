// Evidence ingest benchmark: Vigil receiving a file over HTTP and writing it to disk as an age
// blob (streamed body → age encryption → temp file → fsync → rename → database row and ledger
// event), against `age -r` encrypting the same file to a file on the same disk, with and without
// making that file durable (Vigil answers 201 only once the blob is fsynced; age never fsyncs).
// Run: node --import tsx bench/ingest.ts [--size-mb N] [--rounds R] [--profile DIR]
//      BENCH_DATABASE_URL=postgres://…/postgres node --import tsx bench/ingest.ts   (server on PostgreSQL)
//
// The server runs in its own process (real boot: embedded PGlite, or a fresh database on the
// PostgreSQL server), so its peak RSS is its own; the client streams the file from disk with
// node:http. "Service alone" is the same ingest inside the server process without HTTP, to show
// what the HTTP path costs. Each row is run R times, interleaved, and the best time is kept: the
// machine is shared, and the best run is the one least disturbed by others.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import { createServerDatabase } from "./lib/server-database.ts";

/** CPU seconds (user + system) each thread of this process has used, from /proc: load on the machine does not inflate them. */
export function threadCpu(): Map<string, { name: string; seconds: number }> {
  const out = new Map<string, { name: string; seconds: number }>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime, fields 14 and 15 of proc(5), in clock ticks of 1/100 s.
      out.set(tid, { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // The thread has just ended.
    }
  }
  return out;
}

export interface CpuUse {
  /** All threads together. */
  total: number;
  /** The thread that worked most: with two cores, throughput can never beat it, nor half the total. */
  busiest: number;
}

export function cpuSince(before: Map<string, { seconds: number }>): CpuUse {
  const used = [...threadCpu()].map(([tid, t]) => t.seconds - (before.get(tid)?.seconds ?? 0));
  return { total: used.reduce((a, b) => a + b, 0), busiest: Math.max(0, ...used) };
}

export interface IngestServer {
  url: string;
  token: string;
  /** Peak RSS of the server process before any upload. */
  idlePeakRssBytes: number;
  /** Runs the ingest inside the server without HTTP; resolves with its seconds. */
  ingestDirect(file: string): Promise<number>;
  /** The server's CPU use since the last call. */
  cpu(): Promise<CpuUse>;
  /** Stops the server; resolves with its peak RSS. */
  stop(): Promise<number>;
}

/** Child side: boot Vigil on a fresh data directory, make keys and a token, serve, answer commands on stdin. */
async function serve(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const { loadConfig } = await import("../src/config.ts");
  const { boot, createLogger } = await import("../src/boot.ts");
  const { startServer } = await import("../src/web/server.ts");
  const { completeSetup, issueTokenForUser } = await import("../src/accounts/index.ts");
  const { initVaultKeys, operatorCaller, receiveEvidence } = await import("../src/evidence/index.ts");
  const { NO_ORIGIN } = await import("../src/context.ts");
  const env: Record<string, string> = { VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: "silent", VIGIL_MAX_UPLOAD_BYTES: String(64 * 1024 ** 3) };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const config = { ...loadConfig(env), port: 0 };
  const booted = await boot(config, createLogger("silent"));
  const services = booted.services;
  const { orgId } = await completeSetup(services, NO_ORIGIN, { organisationName: "Bench", organisationSlug: "bench", name: "Bench Admin", email: "ingest@example.org", password: "quiet evening river tea windowsill" });
  await initVaultKeys(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: "bench vault passphrase" }, { logN: 10 });
  const { token } = await issueTokenForUser(services, NO_ORIGIN, { email: "ingest@example.org", name: "bench", scopes: ["write"], expiresInDays: 1 });
  const server = await startServer(services, null);
  // The embedded database (PostgreSQL in WebAssembly on its worker) dominates the idle footprint;
  // the upload's own cost is the growth of the peak beyond it.
  console.log(JSON.stringify({ url: server.url, token, idlePeakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  let mark = threadCpu();
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, argument] = line.split(" ", 2) as [string, string | undefined];
    if (command === "cpu") {
      console.log(JSON.stringify(cpuSince(mark)));
      mark = threadCpu();
      continue;
    }
    if (command === "direct") {
      const start = performance.now();
      await receiveEvidence(services, NO_ORIGIN, operatorCaller(orgId), { source: createReadStream(argument!, { highWaterMark: 64 << 10 }), filename: "bench.bin", claimedType: null });
      console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000 }));
    } else if (command === "stop") {
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      await server.close();
      await booted.close();
      console.log(JSON.stringify({ peakRssBytes }));
      process.exit(0);
    }
  }
}

/** Starts a Vigil server in a child process (PGlite, or PostgreSQL when `databaseUrl` is given). */
export async function startIngestServer(work: string, options: { databaseUrl?: string; profileDir?: string } = {}): Promise<IngestServer> {
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", fileURLToPath(import.meta.url), "--serve", join(work, "data"), options.databaseUrl ?? ""], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => JSON.parse((await lines.next()).value as string) as T;
  const ready = await next<{ url: string; token: string; idlePeakRssBytes: number }>();
  return {
    ...ready,
    async ingestDirect(file) {
      child.stdin!.write(`direct ${file}\n`);
      return (await next<{ seconds: number }>()).seconds;
    },
    async cpu() {
      child.stdin!.write("cpu\n");
      return next<CpuUse>();
    },
    async stop() {
      child.stdin!.write("stop\n");
      const { peakRssBytes } = await next<{ peakRssBytes: number }>();
      await new Promise((resolve) => child.once("exit", resolve));
      return peakRssBytes;
    },
  };
}

/** Uploads `file` as a raw body; resolves with the seconds until the 201 arrived. */
export function upload(server: IngestServer, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(`${server.url}/api/v1/evidence`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/octet-stream", "x-filename": "bench.bin", "content-length": String(statSync(file).size) },
    });
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        if (res.statusCode === 201) resolve((performance.now() - start) / 1000);
        else reject(new Error(`upload answered ${res.statusCode}: ${Buffer.concat(parts).toString("utf8")}`));
      });
    });
    req.on("error", reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
}

/** Seconds for `age -r` to a file; with `durable`, until the file is also fsynced (`sync FILE`). */
export function ageToFile(recipient: string, input: string, output: string, durable: boolean): { seconds: number; peakRssBytes: number } {
  const start = performance.now();
  const age = spawnSync("/usr/bin/time", ["-f", "%M", "age", "-r", recipient, "-o", output, input], { encoding: "utf8" });
  if (age.status !== 0) throw new Error(`age failed: ${age.stderr}`);
  if (durable) {
    const sync = spawnSync("sync", [output]);
    if (sync.status !== 0) throw new Error("sync failed");
  }
  const seconds = (performance.now() - start) / 1000;
  rmSync(output);
  return { seconds, peakRssBytes: Number(age.stderr.trim().split("\n").pop()) * 1024 };
}

export function ageRecipient(): string {
  const keygen = spawnSync("age-keygen", [], { encoding: "utf8" });
  return /public key: (age1\S+)/.exec(keygen.stderr + keygen.stdout)![1]!;
}

export function writeRandomFile(path: string, sizeMb: number): void {
  const fd = openSync(path, "w");
  const block = randomBytes(1 << 20);
  for (let i = 0; i < sizeMb; i++) writeSync(fd, block);
  closeSync(fd);
  spawnSync("sync", [path]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const sizeMb = Number(option("--size-mb") ?? 256) || 256;
  const rounds = Number(option("--rounds") ?? 2) || 2;
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-ingest-"));
  const database = process.env.BENCH_DATABASE_URL ? await createServerDatabase(process.env.BENCH_DATABASE_URL) : null;
  try {
    const input = join(work, "input.bin");
    writeRandomFile(input, sizeMb);
    const bytes = sizeMb * (1 << 20);
    const recipient = ageRecipient();
    const server = await startIngestServer(work, { databaseUrl: database?.url, profileDir: option("--profile") });
    const best = { age: Infinity, ageDurable: Infinity, http: Infinity, direct: Infinity };
    let ageRss = 0;
    const cpu = { http: { total: Infinity, busiest: Infinity }, client: Infinity, direct: { total: Infinity, busiest: Infinity } };
    const least = (a: CpuUse, b: CpuUse): CpuUse => ({ total: Math.min(a.total, b.total), busiest: Math.min(a.busiest, b.busiest) });
    for (let round = 0; round < rounds; round++) {
      const a = ageToFile(recipient, input, join(work, "age.out"), false);
      best.age = Math.min(best.age, a.seconds);
      ageRss = Math.max(ageRss, a.peakRssBytes);
      best.ageDurable = Math.min(best.ageDurable, ageToFile(recipient, input, join(work, "age.out"), true).seconds);
      await server.cpu();
      const client = threadCpu();
      best.http = Math.min(best.http, await upload(server, input));
      cpu.client = Math.min(cpu.client, cpuSince(client).total);
      cpu.http = least(cpu.http, await server.cpu());
      best.direct = Math.min(best.direct, await server.ingestDirect(input));
      cpu.direct = least(cpu.direct, await server.cpu());
    }
    const peak = await server.stop();

    const mbps = (s: number) => bytes / 1e6 / s;
    const mib = (b: number) => (b / (1 << 20)).toFixed(0);
    console.log(`\ningest of ${sizeMb} MiB (random bytes), best of ${rounds}, server on ${database ? "PostgreSQL" : "PGlite"}, ${new Date().toISOString()}\n`);
    console.log("| row | MB/s | Vigil HTTP ÷ row | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |");
    const row = (name: string, s: number, rss: string) => console.log(`| ${name} | ${mbps(s).toFixed(0)} | ${(s / best.http).toFixed(2)} | ${rss} |`);
    row("`age -r` to a file (page cache, no fsync)", best.age, mib(ageRss));
    row("`age -r` to a file, then `sync FILE` (durable)", best.ageDurable, mib(ageRss));
    row("Vigil service alone (file → blob, fsync, row, ledger)", best.direct, "—");
    row("Vigil POST /api/v1/evidence (HTTP → blob, fsync, row, ledger, 201)", best.http, `${mib(peak)} (idle ${mib(server.idlePeakRssBytes)}, +${mib(peak - server.idlePeakRssBytes)})`);
    console.log(`\ntargets: HTTP ingest ≥ 0.8× \`age -r\` to a file: ${(best.age / best.http).toFixed(2)}× (durable: ${(best.ageDurable / best.http).toFixed(2)}×)`);
    const gib = bytes / 2 ** 30;
    const perGib = (s: number) => (s / gib).toFixed(2);
    console.log(`\nCPU seconds per GiB (least of ${rounds}): HTTP ingest: server busiest thread ${perGib(cpu.http.busiest)}, server all threads ${perGib(cpu.http.total)}, client ${perGib(cpu.client)}; service alone: busiest ${perGib(cpu.direct.busiest)}, all ${perGib(cpu.direct.total)}`);
    console.log(`CPU bound on two idle cores for the HTTP ingest: ${(bytes / 1e6 / Math.max(cpu.http.busiest, (cpu.http.total + cpu.client) / 2)).toFixed(0)} MB/s (the disk may bound it lower)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await database?.drop();
  }
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!, process.argv[4] || undefined);
else if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
