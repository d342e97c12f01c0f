import pg from "pg";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect, PGliteWorker } from "./pglite-driver.ts";
import { typeParsers } from "./type-parsers.js";
import type { Schema } from "./schema.ts";

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  db: Kysely<Schema>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL: use that server. Otherwise the embedded database. */
  databaseUrl?: string | undefined;
  /** Where the embedded database keeps its files; undefined keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size for the server. */
  maxConnections?: number;
  /** Told when the server drops an idle pooled connection (restart, failover); the pool reconnects by itself. */
  onConnectionError?: (error: Error) => void;
}

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      typeParsers[oid] ?? pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      types: pgTypes(),
      application_name: "vigil",
      // JIT compilation pays off for long analytic queries, not ours: it cost a search 1.8 s of
      // compiling for a 20 ms query once the planner's estimate passed jit_above_cost.
      options: "-c jit=off",
    });
    // Without a listener, a connection ended by the server would crash the process: the pool
    // listens on idle connections, and each connection gets its own listener for the time it is
    // checked out (between two queries of a transaction, say), when the pool does not listen.
    // The query that then uses it fails with the server's message, as any failed query does.
    pool.on("error", (error) => options.onConnectionError?.(error));
    pool.on("connect", (client) => client.on("error", (error) => options.onConnectionError?.(error)));
    // Fail at start, with the server's own message, rather than on the first request.
    const client = await pool.connect();
    client.release();
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const worker = new PGliteWorker(options.dataDir);
  await worker.ready();
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(worker) });
  return { db, kind: "pglite", close: () => db.destroy() };
}
