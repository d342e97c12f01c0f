import { randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { loadConfig, type Config } from "../../src/config.ts";
import type { Services } from "../../src/context.ts";
import { migrate, openDatabase, type Database } from "../../src/db/index.ts";
import { Keyring } from "../../src/keys/index.ts";
import { registerRecordListeners } from "../../src/listeners.ts";

/**
 * Every database test runs on the embedded database and again, when TEST_DATABASE_URL is set,
 * on a PostgreSQL server, in a database made for the suite and dropped after it.
 */
export interface DatabaseTarget {
  name: "pglite" | "postgres";
  open(): Promise<Database & { url?: string }>;
}

async function createServerDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: "pglite", open: () => openDatabase({}) }];
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    targets.push({
      name: "postgres",
      async open() {
        const created = await createServerDatabase(serverUrl);
        const database = await openDatabase({ databaseUrl: created.url, maxConnections: 4 });
        return {
          ...database,
          url: created.url,
          close: async () => {
            await database.close();
            await created.drop();
          },
        };
      },
    });
  }
  return targets;
}

/** A clock the test moves by hand. */
export class TestClock {
  #now: number;
  constructor(start = Date.parse("2026-06-01T10:00:00Z")) {
    this.#now = start;
  }
  now = (): Date => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
  advanceSeconds(s: number): void {
    this.advance(s * 1000);
  }
}

export interface TestServices extends Services {
  clock: TestClock;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ VIGIL_DATA_DIR: "/nonexistent-test-dir" }), ...overrides };
}

export async function openTestServices(target: DatabaseTarget, overrides: Partial<Config> = {}): Promise<TestServices> {
  const database = await target.open();
  await migrate(database.db);
  registerRecordListeners();
  const clock = new TestClock();
  return {
    db: database.db,
    dbKind: database.kind,
    config: testConfig(overrides),
    appKey: randomBytes(32),
    log: pino({ level: "silent" }),
    keyring: new Keyring(),
    now: clock.now,
    clock,
    close: () => database.close(),
  };
}
