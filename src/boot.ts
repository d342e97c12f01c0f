import { join } from "node:path";
import { mkdirSync } from "node:fs";
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";
import type { Services } from "./context.ts";
import { migrate, openDatabase, type Database } from "./db/index.ts";
import { Keyring, loadAppKey } from "./keys/index.ts";
import { registerRecordListeners } from "./listeners.ts";

// Belt and braces: services never log secrets, and if one slips into a log object, pino hides it.
const REDACT = [
  "password", "*.password", "token", "*.token", "secret", "*.secret", "code", "*.code",
  "authorization", "*.authorization", "cookie", "*.cookie", "headers.authorization", "headers.cookie",
  "req.headers.authorization", "req.headers.cookie", "appKey", "*.appKey",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: { app: "vigil" } }, destination);
}

export interface Booted {
  services: Services;
  database: Database;
  close(): Promise<void>;
}

/** Opens the database (embedded or server), applies migrations, loads the application key. */
export async function boot(config: Config, log: Logger, options: { migrate?: boolean } = {}): Promise<Booted> {
  let dataDir: string | undefined;
  if (!config.databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    dataDir = join(config.dataDir, "pgdata");
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir,
    onConnectionError: (error) => log.warn({ err: { message: error.message } }, "database connection lost; the pool reconnects"),
  });
  try {
    const applied = options.migrate === false ? [] : await migrate(database.db);
    if (applied.length) log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, "migrations applied");
  } catch (error) {
    await database.close();
    throw error;
  }
  registerRecordListeners();
  const appKey = loadAppKey(config.appKey, config.dataDir);
  const services: Services = { db: database.db, dbKind: database.kind, config, appKey, log, keyring: new Keyring(), now: () => new Date() };
  return { services, database, close: () => database.close() };
}
