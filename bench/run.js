#!/usr/bin/env node
// Runs the benchmarks: every bench/*.ts (helpers in bench/lib/ are not benchmarks), or only those
// named on the command line: `npm run bench -- auth ledger`. Arguments after a `--` go to each
// benchmark: `npm run bench -- auth -- --duration 3`. Each runs in its own Node process, TypeScript
// loaded through tsx, one after the other so they do not compete for the CPU.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
  .map((name) => name.slice(0, -".ts".length))
  .sort();

const argv = process.argv.slice(2);
const separator = argv.indexOf("--");
const forwarded = separator >= 0 ? argv.slice(separator + 1) : [];
const wanted = (separator >= 0 ? argv.slice(0, separator) : argv).map((name) => name.replace(/^bench\//, "").replace(/\.ts$/, ""));
const unknown = wanted.filter((name) => !existsSync(join(here, `${name}.ts`)));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length ? wanted : available) {
  console.log(`\n== bench/${name}.ts ==`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, `${name}.ts`), ...forwarded], { stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else {
    console.log(`bench/${name}.ts finished in ${seconds} s`);
  }
}
process.exit(failed ? 1 : 0);
