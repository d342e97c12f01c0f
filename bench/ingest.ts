// Evidence ingest benchmark: Vigil receiving a file over HTTP and writing it to disk as an age
// blob (streamed body → age encryption → temp file → fsync → rename → database row and ledger
// event), against `age -r` encrypting the same file to a file on the same disk.
// Run: node --import tsx bench/ingest.ts [--size-mb N]   (default 256)
//
// The server runs in its own process (embedded PGlite, real boot), so its peak RSS is its own;
// the client streams the file from disk with node:http. age's peak RSS comes from /usr/bin/time.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const args = process.argv.slice(2);
const sizeMb = Number(args[args.indexOf("--size-mb") + 1] ?? 256) || 256;

/** Child side: boot Vigil on a fresh data directory, make keys and a token, serve, report peak RSS on request. */
async function serve(dataDir: string): Promise<void> {
  const { loadConfig } = await import("../src/config.ts");
  const { boot, createLogger } = await import("../src/boot.ts");
  const { startServer } = await import("../src/web/server.ts");
  const { completeSetup, issueTokenForUser } = await import("../src/accounts/index.ts");
  const { initVaultKeys, operatorCaller } = await import("../src/evidence/index.ts");
  const { NO_ORIGIN } = await import("../src/context.ts");
  const config = loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: "silent", VIGIL_MAX_UPLOAD_BYTES: String(64 * 1024 ** 3) });
  const booted = await boot({ ...config, port: 0 }, createLogger("silent"));
  const services = booted.services;
  const { orgId } = await completeSetup(services, NO_ORIGIN, { organisationName: "Bench", organisationSlug: "bench", name: "Bench Admin", email: "ingest@example.org", password: "quiet evening river tea windowsill" });
  await initVaultKeys(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: "bench vault passphrase" }, { logN: 10 });
  const { token } = await issueTokenForUser(services, NO_ORIGIN, { email: "ingest@example.org", name: "bench", scopes: ["write"], expiresInDays: 1 });
  const server = await startServer(services, null);
  // The embedded database (PostgreSQL in WebAssembly on its worker) dominates the idle footprint;
  // the upload's own cost is the growth of the peak beyond it.
  console.log(JSON.stringify({ url: server.url, token, idlePeakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "report") {
      console.log(JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
      await server.close();
      await booted.close();
      process.exit(0);
    }
  }
}

function upload(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/evidence`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", "x-filename": "bench.bin", "content-length": String(statSync(file).size) },
    });
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
    });
    req.on("error", reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-ingest-"));
  try {
    const input = join(work, "input.bin");
    const fd = openSync(input, "w");
    const block = randomBytes(1 << 20);
    for (let i = 0; i < sizeMb; i++) writeSync(fd, block);
    closeSync(fd);
    const bytes = sizeMb * (1 << 20);

    // age, to a file on the same disk.
    const keygen = spawnSync("age-keygen", [], { encoding: "utf8" });
    const recipient = /public key: (age1\S+)/.exec(keygen.stderr + keygen.stdout)![1]!;
    const ageStart = performance.now();
    const age = spawnSync("/usr/bin/time", ["-f", "%M", "age", "-r", recipient, "-o", join(work, "age.out"), input], { encoding: "utf8" });
    const ageSeconds = (performance.now() - ageStart) / 1000;
    if (age.status !== 0) throw new Error(`age failed: ${age.stderr}`);
    const ageRss = Number(age.stderr.trim().split("\n").pop()) * 1024;
    rmSync(join(work, "age.out"));

    // Vigil over HTTP.
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve", join(work, "data")], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ready = JSON.parse((await lines.next()).value as string) as { url: string; token: string; idlePeakRssBytes: number };
    const start = performance.now();
    const answer = await upload(ready.url, ready.token, input);
    const vigilSeconds = (performance.now() - start) / 1000;
    if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${answer.body}`);
    child.stdin!.write("report\n");
    const { peakRssBytes } = JSON.parse((await lines.next()).value as string) as { peakRssBytes: number };

    const mbps = (s: number) => bytes / 1e6 / s;
    const mib = (b: number) => (b / (1 << 20)).toFixed(0);
    console.log(`ingest of ${sizeMb} MiB (random bytes), ${new Date().toISOString()}`);
    console.log(`  age -r to a file        ${mbps(ageSeconds).toFixed(0).padStart(5)} MB/s   peak RSS ${mib(ageRss)} MiB`);
    console.log(`  Vigil POST /api/v1/evidence ${mbps(vigilSeconds).toFixed(0).padStart(5)} MB/s   peak RSS ${mib(peakRssBytes)} MiB (whole server; ${mib(ready.idlePeakRssBytes)} MiB before the upload, so the upload added ${mib(peakRssBytes - ready.idlePeakRssBytes)} MiB)`);
    console.log(`  ratio Vigil / age: ${(ageSeconds / vigilSeconds).toFixed(2)}× (target ≥ 0.8×)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (args[0] === "--serve") await serve(args[1]!);
else await main();
