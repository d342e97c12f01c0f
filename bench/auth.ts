// Sign-in and page benchmark: Vigil booted in this process on the embedded database (PGlite) and,
// when BENCH_DATABASE_URL or TEST_DATABASE_URL names a PostgreSQL server, on a database made there
// for the run; loaded over HTTP by autocannon from the same process.
// Run: node --import tsx bench/auth.ts [--duration S] [--connections N]
//
// Scenarios: (a) POST /login with a valid pre-session CSRF cookie and token and the right password,
// (b) GET / (the dashboard) with a signed-in session, (c) GET /healthz, the floor of the HTTP stack.
// Sign-in is bound by argon2id (19 MiB, t=2), so argon2id verifications per second, measured alone
// with the same number of calls in flight, is printed as its ceiling.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { verify } from "@node-rs/argon2";
import { createAdministrator, hashPassword } from "../src/accounts/index.ts";
import { boot, createLogger } from "../src/boot.ts";
import { loadConfig } from "../src/config.ts";
import { NO_ORIGIN } from "../src/context.ts";
import { startServer } from "../src/web/server.ts";
import { applyLoad, type Load } from "./lib/load.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
};
const DURATION_S = option("--duration", 10);
const CONNECTIONS = option("--connections", 10);
const WARM_UP_S = 1;
const ARGON_S = 3;
const SETTLE_MS = 1000;

const EMAIL = "bench@example.org";
const PASSWORD = "quiet harbour lanterns 1987";

type ScenarioName = "sign-in" | "dashboard" | "healthz";
const SCENARIOS: ScenarioName[] = ["sign-in", "dashboard", "healthz"];

interface Row {
  database: string;
  scenario: ScenarioName;
  load: Load;
}

function cookieFrom(response: Response, name: string): string {
  for (const line of response.headers.getSetCookie()) {
    const match = new RegExp(`^${name}=([^;]+)`).exec(line);
    if (match) return match[1]!;
  }
  throw new Error(`${response.url} set no ${name} cookie (status ${response.status})`);
}

/** argon2id verifications per second with CONNECTIONS calls in flight, nothing else running. */
async function measureArgon2(): Promise<number> {
  const stored = await hashPassword(PASSWORD);
  let done = 0;
  const until = performance.now() + ARGON_S * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        if (!(await verify(stored, PASSWORD))) throw new Error("argon2id refused its own hash");
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function benchDatabase(database: "pglite" | "postgres", databaseUrl: string | undefined): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  const config = { ...loadConfig({ VIGIL_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, VIGIL_LOG_LEVEL: "warn" }), port: 0 };
  const booted = await boot(config, createLogger("warn"));
  try {
    if (booted.services.dbKind !== database) throw new Error(`booted on ${booted.services.dbKind}, wanted ${database}`);
    const server = await startServer(booted.services, null);
    try {
      await createAdministrator(booted.services, NO_ORIGIN, { email: EMAIL, name: "Bench Marker", password: PASSWORD, organisation: "bench", organisationName: "Bench" });

      // The sign-in form: its pre-session cookie and the CSRF token bound to it, reused by every request.
      const form = await fetch(`${server.url}/login`);
      if (form.status !== 200) throw new Error(`GET /login answered ${form.status}`);
      const pre = cookieFrom(form, "vigil_pre");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
      if (!csrf) throw new Error("the sign-in form has no _csrf field");
      const signIn = {
        method: "POST" as const,
        headers: { cookie: `vigil_pre=${pre}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, email: EMAIL, password: PASSWORD }).toString(),
      };

      // Each scenario must do what it claims once before it is loaded: a 303 to /login would also be a 3xx.
      const first = await fetch(`${server.url}/login`, { ...signIn, redirect: "manual" });
      if (first.status !== 303 || first.headers.get("location") !== "/") throw new Error(`sign-in answered ${first.status} to ${first.headers.get("location")}: ${await first.text()}`);
      const session = { cookie: `vigil_session=${cookieFrom(first, "vigil_session")}` };
      const dashboard = await fetch(`${server.url}/`, { headers: session, redirect: "manual" });
      if (dashboard.status !== 200 || !(await dashboard.text()).includes("Bench Marker")) throw new Error(`the dashboard answered ${dashboard.status}`);

      const scenarios: Record<ScenarioName, Parameters<typeof applyLoad>[0]> = {
        "sign-in": { url: `${server.url}/login`, ...signIn, connections: CONNECTIONS, duration: DURATION_S, expectStatus: 303 },
        dashboard: { url: `${server.url}/`, headers: session, connections: CONNECTIONS, duration: DURATION_S, expectStatus: 200 },
        healthz: { url: `${server.url}/healthz`, connections: CONNECTIONS, duration: DURATION_S, expectStatus: 200 },
      };
      const rows: Row[] = [];
      for (const scenario of SCENARIOS) {
        await applyLoad({ ...scenarios[scenario], duration: WARM_UP_S });
        rows.push({ database, scenario, load: await applyLoad(scenarios[scenario]) });
      }
      // autocannon hangs up on requests still in flight when its time is up; their handlers run on,
      // and closing the database under them would fail them. Let them finish first.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      return rows;
    } finally {
      await server.close();
    }
  } finally {
    await booted.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(header: string[], rows: string[][]): void {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`| ${header.map((h) => (/^(database|scenario)$/.test(h) ? "---" : "---:")).join(" | ")} |`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const argon2PerSecond = await measureArgon2();

  const rows = await benchDatabase("pglite", undefined);
  if (serverUrl) {
    const created = await createServerDatabase(serverUrl);
    try {
      rows.push(...(await benchDatabase("postgres", created.url)));
    } finally {
      await created.drop();
    }
  }

  console.log(
    `sign-in and pages, ${cpus().length} CPUs (${availableParallelism()} available), Node ${process.version}, ` +
      `${CONNECTIONS} connections, ${DURATION_S} s per row after ${WARM_UP_S} s of warm-up; load generated in the server's process`,
  );
  printTable(
    ["database", "scenario", "requests/s", "p50 (ms)", "p99 (ms)", "non-2xx/3xx", "requests"],
    rows.map(({ database, scenario, load }) => [
      database,
      scenario,
      load.requestsPerSecond.toFixed(1),
      load.p50Ms.toFixed(1),
      load.p99Ms.toFixed(1),
      String(load.failures),
      String(load.requests),
    ]),
  );

  console.log("");
  const byDatabase = (database: string, scenario: ScenarioName) => rows.find((r) => r.database === database && r.scenario === scenario)?.load;
  printTable(
    ["scenario", "PGlite req/s", "PostgreSQL req/s", "PGlite / PostgreSQL"],
    SCENARIOS.map((scenario) => {
      const lite = byDatabase("pglite", scenario)!;
      const server = byDatabase("postgres", scenario);
      return [scenario, lite.requestsPerSecond.toFixed(1), server ? server.requestsPerSecond.toFixed(1) : "n/a", server ? (lite.requestsPerSecond / server.requestsPerSecond).toFixed(2) : "n/a"];
    }),
  );

  console.log("");
  console.log(`argon2id (19 MiB, t=2, p=1) verifications alone, ${CONNECTIONS} in flight: ${argon2PerSecond.toFixed(1)}/s`);
  for (const row of rows.filter((r) => r.scenario === "sign-in")) {
    console.log(`sign-in on ${row.database}: ${row.load.requestsPerSecond.toFixed(1)}/s = ${(row.load.requestsPerSecond / argon2PerSecond).toFixed(2)} of the argon2id ceiling`);
  }
  if (!serverUrl) console.log("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it");
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);

  // A benchmark that measured errors measured nothing: fail loudly.
  const broken = rows.filter((r) => r.load.unexpected > 0 || r.load.requests === 0);
  if (broken.length) {
    for (const r of broken) console.error(`BROKEN: ${r.database} ${r.scenario}: statuses ${JSON.stringify(r.load.statuses)}, ${r.load.unexpected} unexpected`);
    process.exitCode = 1;
  }
}

await main();
