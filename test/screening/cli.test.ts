// `vigil screen FILE.csv` as an operator runs it: the `vigil` process reads the file (a relative
// path is the operator's directory), then screens it on the embedded database of its data directory.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vigil-screen-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function vigil(args: string[], input = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("VIGIL_") && key !== "DATABASE_URL" && !key.startsWith("NODE_TEST")) env[key] = value;
  const child = spawn(process.execPath, [VIGIL, ...args], { cwd: dir, env: { ...env, VIGIL_DATA_DIR: join(dir, "data"), VIGIL_PORT: "1", VIGIL_LOG_LEVEL: "warn" } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("vigil screen FILE.csv reads the operator's file and prints the report, rejected rows on stderr", { timeout: 180_000 }, async () => {
  const created = await vigil(["admin", "create", "--email", "admin@watch.example", "--name", "Admin", "--org", "watch", "--org-name", "Watch"], "plum orchard lantern 47\n");
  assert.equal(created.code, 0, created.stderr);
  writeFileSync(join(dir, "names.csv"), "name,birthDate\nIlham Tohti,1969\n,\nChen Quanguo,\n");
  const run = await vigil(["screen", "names.csv", "--threshold", "0.8"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split(/\r?\n/);
  assert.equal(lines[0], "line,name,schema,status,match_id,match_caption,match_schema,score,match,explanation");
  assert.deepEqual(lines.slice(1).map((l) => l.split(",").slice(0, 4).join(",")), ["2,Ilham Tohti,Person,no candidate", "4,Chen Quanguo,Person,no candidate", "3,,,rejected"]);
  assert.match(run.stderr, /line 3: /);
  const missing = await vigil(["screen", "missing.csv"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read missing\.csv: ENOENT/);
  const noFile = await vigil(["screen"]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /name the CSV file/);
});
