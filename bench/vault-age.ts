// Evidence vault benchmark: Vigil's age encryption against Node's own ceilings and the reference
// tools, on one generated file. Run: node --import tsx bench/vault-age.ts [--size-mb N]
//
// Each row runs in its own process so its peak RSS is its own. "In memory" rows read the whole
// input first (their RSS includes it) and time only the work; "to a file" rows stream from disk.
import { spawn, spawnSync } from "node:child_process";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encryptStream, generateX25519Identity, formatX25519Recipient, toX25519Recipient } from "../src/vault/index.ts";

const CHUNK = 64 * 1024;
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

interface Measure {
  seconds: number;
  peakRssBytes: number;
}

/** Child side: run one Node row and print its timing and peak RSS as JSON. */
async function runRow(row: string, input: string, output: string): Promise<void> {
  const recipient = toX25519Recipient(generateX25519Identity());
  let seconds: number;
  if (row === "vigil-file") {
    const start = performance.now();
    await encryptStream([recipient], createReadStream(input, { highWaterMark: 1 << 20 }), createWriteStream(output));
    seconds = (performance.now() - start) / 1000;
  } else {
    const data = readFileSync(input);
    const start = performance.now();
    if (row === "sha256") {
      const h = createHash("sha256");
      for (let at = 0; at < data.length; at += CHUNK) h.update(data.subarray(at, at + CHUNK));
      h.digest();
    } else if (row === "chacha") {
      const key = randomBytes(32);
      const nonce = Buffer.alloc(12);
      for (let at = 0, i = 0; at < data.length; at += CHUNK, i++) {
        nonce.writeUInt32BE(i, 7);
        const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
        c.update(data.subarray(at, at + CHUNK));
        c.final();
        c.getAuthTag();
      }
    } else {
      const pieces = function* () {
        for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK);
      };
      await encryptStream([recipient], pieces(), () => undefined, { parallel: row === "vigil-memory-workers" });
    }
    seconds = (performance.now() - start) / 1000;
  }
  console.log(JSON.stringify({ seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

/** Runs a command, sampling its VmHWM (peak resident set) from /proc while it runs. */
function measureCommand(cmd: string, cmdArgs: string[]): Promise<Measure & { stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    let peak = 0;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // The process has just exited.
      }
    }, 5);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sample);
      const seconds = (performance.now() - start) / 1000;
      if (code !== 0) reject(new Error(`${cmd} exited with ${code}`));
      else resolve({ seconds, peakRssBytes: peak, stdout });
    });
  });
}

async function main(): Promise<void> {
  const row = option("--row");
  if (row) return runRow(row, option("--input") as string, option("--output") as string);

  const sizeMb = Number(option("--size-mb") ?? 1024);
  const size = sizeMb * 1024 * 1024;
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  const input = join(dir, "input.bin");
  const output = join(dir, "output.age");
  try {
    // Random data, written once; compressible input would flatter nobody here but is avoided anyway.
    const fd = openSync(input, "w");
    const block = randomBytes(8 << 20);
    for (let written = 0; written < size; written += block.length) writeSync(fd, block, 0, Math.min(block.length, size - written));
    closeSync(fd);
    spawnSync("cat", [input], { stdio: ["ignore", "ignore", "inherit"] }); // warm the page cache

    const recipient = formatX25519Recipient(toX25519Recipient(generateX25519Identity()));
    const self = fileURLToPath(import.meta.url);
    const node = (r: string) => async (): Promise<Measure> => {
      const m = await measureCommand(process.execPath, ["--import", "tsx", self, "--row", r, "--input", input, "--output", output]);
      return JSON.parse(m.stdout.trim().split("\n").pop() as string) as Measure;
    };
    const tool = (cmd: string, cmdArgs: string[]) => () => measureCommand(cmd, cmdArgs);
    const rows: [string, () => Promise<Measure>][] = [
      ["Node SHA-256 alone (in memory, 64 KiB updates)", node("sha256")],
      ["Node ChaCha20-Poly1305 alone (in memory, 64 KiB chunks)", node("chacha")],
      ["Vigil hash+encrypt in memory, one thread", node("vigil-memory-inline")],
      ["Vigil hash+encrypt in memory, hashing workers", node("vigil-memory-workers")],
      ["Vigil hash+encrypt file to file", node("vigil-file")],
      ["age -r to /dev/null", tool("age", ["-r", recipient, "-o", "/dev/null", input])],
      ["age -r to a file", tool("age", ["-r", recipient, "-o", output, input])],
      ["sha256sum", tool("sha256sum", [input])],
      ["openssl dgst -sha256", tool("openssl", ["dgst", "-sha256", input])],
    ];
    const results: [string, Measure][] = [];
    for (const [name, run] of rows) {
      results.push([name, await run()]);
      rmSync(output, { force: true });
    }
    const mbps = (m: Measure) => size / 1e6 / m.seconds;
    const ceiling = Math.min(mbps((results[0] as [string, Measure])[1]), mbps((results[1] as [string, Measure])[1]));
    console.log(`\n${sizeMb} MiB input, Node ${process.version}; ratio = MB/s ÷ the slower Node ceiling (${ceiling.toFixed(0)} MB/s)\n`);
    console.log("| row | MB/s | ratio | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |");
    for (const [name, m] of results) {
      console.log(`| ${name} | ${mbps(m).toFixed(0)} | ${(mbps(m) / ceiling).toFixed(2)} | ${(m.peakRssBytes / 2 ** 20).toFixed(0)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
