// Custody-ledger benchmark: Vigil's TypeScript engine beside Go's golang.org/x/mod/sumdb/tlog
// on the same log, in the same run. Run: node --import tsx bench/ledger.ts [leaves]
import { performance } from "node:perf_hooks";
import { randomInt } from "node:crypto";
import { cpus } from "node:os";
import {
  encodeHash,
  generateNoteKey,
  MemoryHashStore,
  parseSignerKey,
  parseVerifierKey,
  proveConsistency,
  proveInclusion,
  signCheckpoint,
  treeHash,
  verifyLog,
} from "../src/ledger/index.ts";
import { buildGoLedgerVerifier, runGoLedgerVerifier } from "../test/interop/ledger-verify/go.ts";

const COUNT = Number(process.argv[2] ?? 1_000_000);
const BATCH = 1_000;
const SAMPLES = 2_000;
const ORIGIN = "vigil.example/bench";

interface GoBench {
  root: string;
  appendPerSecond: number;
  inclusionP50Ms: number;
  inclusionP99Ms: number;
  consistencyP50Ms: number;
  consistencyP99Ms: number;
  fullVerifyMs: number;
}

/** Must match benchLeaf in test/interop/ledger-verify/main.go byte for byte. */
function benchLeaf(i: number): Buffer {
  return Buffer.from(
    `{"actor":"pseud:bench","details":{},"kind":"viewed","nonce":"AAECAwQFBgcICQoLDA0ODw==","subject":"evidence:${i}","time":"2025-01-31T12:00:00.000Z"}`,
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.floor((sorted.length - 1) * p)] as number;
}

async function timeSamples(sample: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const start = performance.now();
    await sample();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const binary = await buildGoLedgerVerifier();
  const leaves = Array.from({ length: COUNT }, (_, i) => benchLeaf(i));

  const store = new MemoryHashStore();
  let start = performance.now();
  for (let lo = 0; lo < COUNT; lo += BATCH) await store.appendLeaves(leaves.slice(lo, lo + BATCH));
  const appendPerSecond = COUNT / ((performance.now() - start) / 1000);
  const root = await treeHash(COUNT, store);

  const inclusion = await timeSamples(() => proveInclusion(randomInt(COUNT), COUNT, store));
  const consistency = await timeSamples(() => proveConsistency(1 + randomInt(COUNT - 1), COUNT, store));

  const key = generateNoteKey(ORIGIN);
  const checkpoint = signCheckpoint({ origin: ORIGIN, size: COUNT, rootHash: root }, [parseSignerKey(key.signerKey)]);
  start = performance.now();
  const verification = await verifyLog({ checkpoint, verifiers: [parseVerifierKey(key.verifierKey)], leaves, stored: store });
  const fullVerifyMs = performance.now() - start;
  if (!verification.ok) throw new Error(`full verification failed: ${JSON.stringify(verification)}`);

  const go = await runGoLedgerVerifier<GoBench>(binary, { mode: "bench", count: COUNT, batch: BATCH, samples: SAMPLES });
  if (go.root !== encodeHash(root)) throw new Error("Go and Vigil built different trees from the same leaves");

  const rows: [string, string, string, string][] = [
    ["append, batches of 1,000 (leaves/s)", appendPerSecond.toFixed(0), go.appendPerSecond.toFixed(0), (appendPerSecond / go.appendPerSecond).toFixed(2)],
    ["inclusion proof p50 (ms)", percentile(inclusion, 0.5).toFixed(3), go.inclusionP50Ms.toFixed(3), (percentile(inclusion, 0.5) / go.inclusionP50Ms).toFixed(2)],
    ["inclusion proof p99 (ms)", percentile(inclusion, 0.99).toFixed(3), go.inclusionP99Ms.toFixed(3), (percentile(inclusion, 0.99) / go.inclusionP99Ms).toFixed(2)],
    ["consistency proof p50 (ms)", percentile(consistency, 0.5).toFixed(3), go.consistencyP50Ms.toFixed(3), (percentile(consistency, 0.5) / go.consistencyP50Ms).toFixed(2)],
    ["consistency proof p99 (ms)", percentile(consistency, 0.99).toFixed(3), go.consistencyP99Ms.toFixed(3), (percentile(consistency, 0.99) / go.consistencyP99Ms).toFixed(2)],
    ["full verification (ms)", fullVerifyMs.toFixed(0), go.fullVerifyMs.toFixed(0), (fullVerifyMs / go.fullVerifyMs).toFixed(2)],
  ];
  console.log(`custody ledger, ${COUNT.toLocaleString("en")} leaves, ${cpus().length} CPUs, Node ${process.version}; ratio = Vigil / Go tlog`);
  console.log(`| operation | Vigil (TS) | Go tlog | ratio |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log(`targets: inclusion p99 < 5 ms: ${percentile(inclusion, 0.99) < 5 ? "met" : "MISSED"}; full verification < 10 s: ${fullVerifyMs < 10_000 ? "met" : "MISSED"}`);
}

await main();
