// Black-box tests of the `vigil` command: each case spawns bin/vigil.js as an operator would, with
// its own data directory and port, and reads only its exit code, standard output and standard error.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadMigrations, openDatabase } from "../../src/db/index.ts";

const ALL_MIGRATIONS = loadMigrations()
  .map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`)
  .join(", ");

const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const PASSWORD = "plum orchard lantern 47";
const TOKEN = /^vgt_[A-Za-z0-9_-]+$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Options {
  dataDir: string;
  port?: number;
  input?: string;
  env?: Record<string, string>;
}

const temporaries: string[] = [];
function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-cli-"));
  temporaries.push(dir);
  return dir;
}
after(() => {
  for (const dir of temporaries) rmSync(dir, { recursive: true, force: true });
});

/** The child's environment: ours without any Vigil setting, database URL or test-runner marker, plus the case's own. */
function childEnv(options: Options): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("VIGIL_") || key === "DATABASE_URL" || key.startsWith("NODE_TEST")) continue;
    env[key] = value;
  }
  return { ...env, VIGIL_DATA_DIR: options.dataDir, VIGIL_PORT: String(options.port ?? 1), VIGIL_LOG_LEVEL: "warn", ...options.env };
}

function start(args: string[], options: Options): ChildProcess {
  return spawn(process.execPath, [VIGIL, ...args], { env: childEnv(options), stdio: ["pipe", "pipe", "pipe"] });
}

function vigil(args: string[], options: Options): Promise<Run> {
  const child = start(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stdin!.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `vigil serve` and resolves once GET /healthz answers 200. */
async function serve(options: Options & { port: number }): Promise<{ server: ChildProcess; stderr: () => string }> {
  const server = start(["serve"], options);
  let stderr = "";
  server.stdin!.end();
  server.stdout!.resume();
  server.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`vigil serve exited with ${server.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${options.port}/healthz`)).status === 200) return { server, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      server.kill("SIGKILL");
      throw new Error(`vigil serve did not answer /healthz within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopped(server: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve([server.exitCode, server.signalCode]);
  return new Promise((resolve) => server.on("exit", (code, signal) => resolve([code, signal])));
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

/** A pid that belonged to a process which has exited; with `socket`, that process leaves its listening Unix socket behind. */
async function deadProcess(socket?: string): Promise<number> {
  const script = socket
    ? `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, "SIGKILL"))`
    : "";
  const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

function assertExit(run: Run, code: number): void {
  assert.equal(run.code, code, `expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

function listedEmails(run: Run): string[] {
  assertExit(run, 0);
  return (JSON.parse(run.stdout) as { email: string }[]).map((u) => u.email);
}

describe("arguments", { concurrency: 4 }, () => {
  // Nothing here opens a database: the data directory must stay empty.
  let dataDir: string;
  before(() => {
    dataDir = temporaryDir();
  });

  test("prints the overview and exits 0 on --help", async () => {
    const run = await vigil(["--help"], { dataDir });
    assertExit(run, 0);
    assert.match(run.stdout, /Usage: vigil <command>/);
    for (const name of ["serve", "migrate", "admin create", "user list", "token create"]) assert.match(run.stdout, new RegExp(`^  ${name} `, "m"));
  });

  for (const [command, usage] of [
    ["serve", /^Usage: vigil serve/m],
    ["migrate", /^Usage: vigil migrate/m],
    ["admin create", /^Usage: .*vigil admin create --email E --name N/m],
    ["user list", /^Usage: vigil user list/m],
    ["token create", /^Usage: vigil token create --user EMAIL --name LABEL/m],
  ] as const) {
    test(`prints the usage of ${command} and exits 0 on --help`, async () => {
      const run = await vigil([...command.split(" "), "--help"], { dataDir });
      assertExit(run, 0);
      assert.match(run.stdout, usage);
      assert.equal(run.stderr, "");
    });
  }

  test("refuses an unknown command with exit 2", async () => {
    const run = await vigil(["frobnicate"], { dataDir });
    assertExit(run, 2);
    assert.match(run.stderr, /unknown command "frobnicate"/);
  });

  test("refuses an unknown option with exit 2", async () => {
    const run = await vigil(["user", "list", "--colour"], { dataDir });
    assertExit(run, 2);
    assert.match(run.stderr, /--colour/);
    assert.match(run.stderr, /Usage: vigil user list/);
  });

  test("refuses arguments to serve with exit 2", async () => {
    const run = await vigil(["serve", "--port", "9000"], { dataDir });
    assertExit(run, 2);
    assert.match(run.stderr, /serve takes no arguments/);
  });

  test("refuses admin create without --email or --name with exit 2", async () => {
    const run = await vigil(["admin", "create", "--email", "ana@example.org"], { dataDir, input: `${PASSWORD}\n` });
    assertExit(run, 2);
    assert.match(run.stderr, /--email and --name are required/);
  });

  test("refuses token create without --user or --name with exit 2", async () => {
    const run = await vigil(["token", "create", "--name", "ci"], { dataDir });
    assertExit(run, 2);
    assert.match(run.stderr, /--user and --name are required/);
  });

  test("refuses a non-numeric port, naming VIGIL_PORT, with exit 1", async () => {
    for (const command of [["serve"], ["user", "list"]]) {
      const run = await vigil(command, { dataDir, env: { VIGIL_PORT: "abc" } });
      assertExit(run, 1);
      assert.match(run.stderr, /VIGIL_PORT/);
    }
  });

  test("refuses a database URL that is not PostgreSQL, naming DATABASE_URL, with exit 1", async () => {
    for (const command of [["serve"], ["migrate"]]) {
      const run = await vigil(command, { dataDir, env: { DATABASE_URL: "mysql://x" } });
      assertExit(run, 1);
      assert.match(run.stderr, /DATABASE_URL/);
    }
  });

  after(() => {
    assert.equal(existsSync(join(dataDir, "pgdata")), false, "argument errors must not open the database");
  });
});

describe("on the embedded database, without a server", () => {
  let dataDir: string;
  before(() => {
    dataDir = temporaryDir();
  });
  const admin = ["admin", "create", "--email", "Ana@Example.org", "--name", "Ana Ortiz"];

  test("migrate applies every migration to a fresh data directory, then says it is up to date", async () => {
    const first = await vigil(["migrate"], { dataDir });
    assertExit(first, 0);
    assert.equal(first.stdout.trim(), `applied: ${ALL_MIGRATIONS}`);
    const second = await vigil(["migrate"], { dataDir });
    assertExit(second, 0);
    assert.match(second.stdout, /up to date/);
  });

  test("admin create refuses a weak password and creates nobody", async () => {
    const run = await vigil([...admin, "--org", "rights-watch", "--org-name", "Rights Watch"], { dataDir, input: "short\n" });
    assertExit(run, 1);
    assert.match(run.stderr, /password must have at least 12 characters/);
    assert.deepEqual(listedEmails(await vigil(["user", "list", "--json"], { dataDir })), []);
  });

  test("admin create refuses an empty installation without --org and --org-name", async () => {
    const run = await vigil(admin, { dataDir, input: `${PASSWORD}\n` });
    assertExit(run, 1);
    assert.match(run.stderr, /--org SLUG and --org-name NAME/);
  });

  test("admin create creates the organisation and its first administrator", async () => {
    const run = await vigil([...admin, "--org", "rights-watch", "--org-name", "Rights Watch"], { dataDir, input: `${PASSWORD}\n` });
    assertExit(run, 0);
    assert.match(run.stdout, /created administrator ana@example\.org and organisation rights-watch/);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(PASSWORD));
  });

  test("admin create refuses an email that exists already", async () => {
    const run = await vigil(["admin", "create", "--email", "ana@example.org", "--name", "Ana Again"], { dataDir, input: `${PASSWORD}\n` });
    assertExit(run, 1);
    assert.match(run.stderr, /exists already/);
    const list = await vigil(["user", "list"], { dataDir });
    assertExit(list, 0);
    assert.match(list.stdout, /^EMAIL\s+NAME\s+ROLE\s+ORGANISATION\s+2FA\s+STATUS$/m);
    assert.match(list.stdout, /^ana@example\.org\s+Ana Ortiz\s+admin\s+rights-watch\s+no\s+active$/m);
    assert.equal(lines(list.stdout).length, 2);
  });

  test("token create refuses a scope the user's role does not allow", async () => {
    // Only administrators can be made from the command line: demote Ana to viewer in the database itself.
    const database = await openDatabase({ dataDir: join(dataDir, "pgdata") });
    try {
      await database.db
        .updateTable("memberships")
        .set({ role: "viewer" })
        .where("user_id", "in", database.db.selectFrom("users").select("id").where("email", "=", "ana@example.org"))
        .execute();
    } finally {
      await database.close();
    }
    const run = await vigil(["token", "create", "--user", "ana@example.org", "--name", "ci", "--scopes", "read,write"], { dataDir });
    assertExit(run, 1);
    assert.match(run.stderr, /role does not allow the scope write/);
    assert.equal(run.stdout, "");
  });

  test("a lock left by a process that died does not block the command", async () => {
    const lock = join(dataDir, "vigil.lock");
    writeFileSync(lock, String(await deadProcess()));
    const run = await vigil(["user", "list", "--json"], { dataDir });
    assert.deepEqual(listedEmails(run), ["ana@example.org"]);
    assert.equal(existsSync(lock), false, "the command releases the lock it took over");
  });

  test("a control socket left with no listener does not block the command", async () => {
    const socket = join(dataDir, "vigil.sock");
    await deadProcess(socket);
    assert.equal(existsSync(socket), true);
    const run = await vigil(["user", "list", "--json"], { dataDir });
    assert.deepEqual(listedEmails(run), ["ana@example.org"]);
  });

  test("serve on a port that is taken exits 1 with a message, not a stack trace, and releases the lock", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const run = await vigil(["serve"], { dataDir, port });
      assertExit(run, 1);
      assert.match(run.stderr, new RegExp(`^vigil: .*${port}`, "m"));
      assert.doesNotMatch(run.stderr, /^\s+at /m, "an operator's mistake deserves a sentence, not a stack trace");
      assert.equal(existsSync(join(dataDir, "vigil.lock")), false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("while vigil serve holds the embedded database", () => {
  let dataDir: string;
  let port: number;
  let server: ChildProcess;
  let serverErr: () => string;
  let token = "";

  before(async () => {
    dataDir = temporaryDir();
    port = await freePort();
    ({ server, stderr: serverErr } = await serve({ dataDir, port }));
  });

  after(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  });

  test("admin create runs inside the server through its control socket", async () => {
    assert.equal(existsSync(join(dataDir, "vigil.sock")), true);
    const run = await vigil(["admin", "create", "--email", "ben@example.org", "--name", "Ben Okafor", "--org", "witness", "--org-name", "Witness Desk"], {
      dataDir,
      port,
      input: `${PASSWORD}\n`,
    });
    assertExit(run, 0);
    assert.match(run.stdout, /created administrator ben@example\.org and organisation witness/);
  });

  test("user list runs inside the server", async () => {
    assert.deepEqual(listedEmails(await vigil(["user", "list", "--json"], { dataDir, port })), ["ben@example.org"]);
  });

  test("token create prints a token once, on standard output", async () => {
    const run = await vigil(["token", "create", "--user", "ben@example.org", "--name", "ci", "--scopes", "read,admin", "--days", "7"], { dataDir, port });
    assertExit(run, 0);
    const out = lines(run.stdout);
    assert.equal(out.length, 1, run.stdout);
    assert.match(out[0]!, TOKEN);
    token = out[0]!;
    assert.match(run.stderr, /will not be shown again/);
    assert.doesNotMatch(run.stderr, new RegExp(token));
  });

  test("the token authenticates the API of the running server", async () => {
    assert.ok(token, "needs the token from the test before");
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const me = (await response.json()) as { user: { email: string }; organisation: { slug: string }; authenticatedWith: string; scopes: string[] };
    assert.equal(me.user.email, "ben@example.org");
    assert.equal(me.organisation.slug, "witness");
    assert.equal(me.authenticatedWith, "token");
    assert.deepEqual([...me.scopes].sort(), ["admin", "read"]);
  });

  test("token create refuses an unknown user", async () => {
    const run = await vigil(["token", "create", "--user", "nobody@example.org", "--name", "ci"], { dataDir, port });
    assertExit(run, 1);
    assert.match(run.stderr, /no user with the email nobody@example\.org/);
    assert.equal(run.stdout, "");
  });

  test("a second vigil serve on the same data directory refuses, naming the first", async () => {
    const run = await vigil(["serve"], { dataDir, port: await freePort() });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`another Vigil process \\(pid ${server.pid}\\)`));
  });

  test("SIGTERM stops the server with exit 0 and removes its socket and lock", async () => {
    const exited = stopped(server);
    server.kill("SIGTERM");
    const [code, signal] = await exited;
    assert.equal(signal, null, serverErr());
    assert.equal(code, 0, serverErr());
    assert.equal(existsSync(join(dataDir, "vigil.sock")), false);
    assert.equal(existsSync(join(dataDir, "vigil.lock")), false);
  });

  test("after the server stops, user list opens the database itself", async () => {
    assert.deepEqual(listedEmails(await vigil(["user", "list", "--json"], { dataDir, port })), ["ben@example.org"]);
  });
});

describe("on a PostgreSQL server (TEST_DATABASE_URL)", { skip: process.env.TEST_DATABASE_URL ? false : "TEST_DATABASE_URL is not set" }, () => {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `vigil_cli_${randomBytes(6).toString("hex")}`;
  let env: Record<string, string>;
  let dataDir: string;

  before(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    dataDir = temporaryDir();
  });

  after(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });

  test("migrate applies every migration to a fresh database, then says it is up to date", async () => {
    const first = await vigil(["migrate"], { dataDir, env });
    assertExit(first, 0);
    assert.equal(first.stdout.trim(), `applied: ${ALL_MIGRATIONS}`);
    const second = await vigil(["migrate"], { dataDir, env });
    assertExit(second, 0);
    assert.match(second.stdout, /up to date/);
  });

  test("admin create and user list work against the server", async () => {
    const created = await vigil(["admin", "create", "--email", "chen@example.org", "--name", "Chen Wei", "--org", "archive", "--org-name", "The Archive"], {
      dataDir,
      env,
      input: `${PASSWORD}\n`,
    });
    assertExit(created, 0);
    assert.match(created.stdout, /created administrator chen@example\.org and organisation archive/);
    assert.deepEqual(listedEmails(await vigil(["user", "list", "--json"], { dataDir, env })), ["chen@example.org"]);
    assert.equal(existsSync(join(dataDir, "pgdata")), false, "with DATABASE_URL the embedded database is never made");
  });

  test("vigil serve outlives the server ending its idle connections, and reconnects", async () => {
    const port = await freePort();
    const { server, stderr } = await serve({ dataDir, port, env });
    try {
      // What a PostgreSQL restart, a failover or idle_session_timeout does to a pooled connection.
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      const ended = await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'vigil'", [name]);
      await client.end();
      assert.ok(ended.rowCount! > 0, "the server held no connection to end");
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(server.exitCode, null, `vigil serve died: ${stderr()}`);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      const exited = stopped(server);
      server.kill("SIGTERM");
      await exited;
    }
  });

  test("vigil unseal and vigil seal reach the running server through its control socket", async () => {
    const refused = await vigil(["unseal", "--org", "archive"], { dataDir, env, input: "no server to unseal\n" });
    assertExit(refused, 1);
    assert.match(refused.stderr, /no Vigil server is running/);
    const port = await freePort();
    const { server, stderr } = await serve({ dataDir, port, env });
    try {
      assert.equal(existsSync(join(dataDir, "vigil.sock")), true, "the server listens on its control socket on PostgreSQL too");
      assertExit(await vigil(["keys", "init", "--org", "archive", "--passphrase"], { dataDir, env, input: "archive vault passphrase\n" }), 0);
      const tokenRun = await vigil(["token", "create", "--user", "chen@example.org", "--name", "vault", "--scopes", "read,write", "--days", "1"], { dataDir, env });
      assertExit(tokenRun, 0);
      const authorization = `Bearer ${lines(tokenRun.stdout)[0]}`;
      const uploaded = await fetch(`http://127.0.0.1:${port}/api/v1/evidence`, { method: "POST", headers: { authorization, "x-filename": "note.txt", "content-type": "text/plain" }, body: "a statement" });
      assert.equal(uploaded.status, 201);
      const metadata = `http://127.0.0.1:${port}/api/v1/evidence/${((await uploaded.json()) as { id: string }).id}/metadata`;
      assert.equal((await fetch(metadata, { headers: { authorization } })).status, 503, "sealed at start");

      const wrong = await vigil(["unseal", "--org", "archive"], { dataDir, env, input: "not the passphrase\n" });
      assertExit(wrong, 1);
      assertExit(await vigil(["unseal", "--org", "archive"], { dataDir, env, input: "archive vault passphrase\n" }), 0);
      assert.equal((await fetch(metadata, { headers: { authorization } })).status, 200, "the running server holds the unsealed key");
      assertExit(await vigil(["seal", "--org", "archive"], { dataDir, env }), 0);
      assert.equal((await fetch(metadata, { headers: { authorization } })).status, 503, "and forgets it when sealed");
    } finally {
      const exited = stopped(server);
      server.kill("SIGTERM");
      await exited;
      assert.equal(existsSync(join(dataDir, "vigil.sock")), false, stderr());
    }
  });
});
