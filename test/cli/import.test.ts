// Black-box tests of `vigil import`: bin/vigil.js spawned as an operator would, on its own data
// directory, in a process of its own and through a running server's control socket.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const PASSWORD = "plum orchard lantern 47";
const ADMIN = "ana@example.org";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("VIGIL_") || key === "DATABASE_URL" || key.startsWith("NODE_TEST")) continue;
    env[key] = value;
  }
  return { ...env, VIGIL_DATA_DIR: dataDir, VIGIL_PORT: String(port), VIGIL_LOG_LEVEL: "warn" };
}

function start(args: string[], dataDir: string, port = 1): ChildProcess {
  return spawn(process.execPath, [VIGIL, ...args], { env: childEnv(dataDir, port), stdio: ["pipe", "pipe", "pipe"] });
}

function vigil(args: string[], dataDir: string, input = ""): Promise<Run> {
  const child = start(args, dataDir);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stdin!.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function assertExit(run: Run, code: number): void {
  assert.equal(run.code, code, `expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

const temporaries: string[] = [];
after(() => {
  for (const dir of temporaries) rmSync(dir, { recursive: true, force: true });
});

describe("vigil import", () => {
  let dataDir: string;
  let files: string;
  let mapping: string;
  let good: string;
  let mixed: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vigil-cli-import-"));
    files = mkdtempSync(join(tmpdir(), "vigil-cli-files-"));
    temporaries.push(dataDir, files);
    mapping = join(files, "people-mapping.json");
    writeFileSync(mapping, JSON.stringify({ schema: "Person", columns: { Name: "name", Born: "birthDate", Notes: null } }));
    good = join(files, "good.csv");
    writeFileSync(good, "Name,Born,Notes\nIlham Tohti,1969-10-25,\nRahile Dawut,1966,\n");
    mixed = join(files, "mixed.csv");
    writeFileSync(mixed, "Name,Born,Notes\nGulshan Abbas,1962-XX-XX,\nNobody,not a date,\n\"Sayragul Sauytbay\",1976,\n");
    assertExit(await vigil(["admin", "create", "--email", ADMIN, "--name", "Ana", "--org", "watch", "--org-name", "Watch"], dataDir, `${PASSWORD}\n`), 0);
  });

  test("refuses a relative path, a missing importer and a CSV without a mapping, before opening anything", async () => {
    const relative = await vigil(["import", "people.csv", "--as", ADMIN, "--mapping", "x"], dataDir);
    assertExit(relative, 2);
    assert.match(relative.stderr, /absolute path/);
    assertExit(await vigil(["import", good, "--mapping", mapping], dataDir), 2);
    const noMapping = await vigil(["import", good, "--as", ADMIN], dataDir);
    assertExit(noMapping, 2);
    assert.match(noMapping.stderr, /needs --mapping/);
    assertExit(await vigil(["import", good, "--as", ADMIN, "--mapping", mapping, "--dry-run", "--partial"], dataDir), 2);
  });

  test("checks a file in a dry run: progress and every rejected line on stderr, nothing written, exit 1", async () => {
    const run = await vigil(["import", mixed, "--as", ADMIN, "--mapping", mapping, "--dry-run"], dataDir);
    assertExit(run, 1);
    assert.match(run.stdout, /^checked 3 rows: 2 valid, 1 rejected; nothing was written/);
    assert.match(run.stderr, /^vigil: import [0-9a-f-]{36}: 3 rows, utf-8$/m);
    assert.match(run.stderr, /^vigil: line 3: column "Born": birthDate is not a valid EDTF date/m);
  });

  test("commits nothing when a row is rejected, and the valid rows when asked", async () => {
    const refused = await vigil(["import", mixed, "--as", ADMIN, "--mapping", mapping], dataDir);
    assertExit(refused, 1);
    assert.match(refused.stderr, /1 row was rejected: nothing was imported/);
    const partial = await vigil(["import", mixed, "--as", ADMIN, "--mapping", mapping, "--partial"], dataDir);
    assertExit(partial, 0);
    assert.match(partial.stdout, /^imported 2 records \(1 row rejected and left out\); every value cites the source [0-9a-f-]{36}/);
  });

  test("imports through a running server's control socket, its progress streamed on stderr", async () => {
    const port = await freePort();
    const server = start(["serve"], dataDir, port);
    server.stdin!.end();
    server.stdout!.resume();
    server.stderr!.resume();
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error("vigil serve did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
      const run = await vigil(["import", good, "--as", ADMIN, "--mapping", mapping], dataDir);
      assertExit(run, 0);
      assert.match(run.stdout, /^imported 2 records; every value cites the source/);
      assert.match(run.stderr, /^vigil: import [0-9a-f-]{36}: 2 rows, utf-8$/m);
    } finally {
      server.kill("SIGTERM");
      await new Promise((resolve) => server.on("exit", resolve));
    }
  });
});
