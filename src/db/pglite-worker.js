// Hosts the embedded PostgreSQL (PGlite) on its own thread. PGlite runs queries on the thread that
// calls it, so a broad query on the main thread would block every HTTP request meanwhile.
// Kept as plain JavaScript so that it loads in a worker without a TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { fuzzystrmatch } from "@electric-sql/pglite/contrib/fuzzystrmatch";
import { pgcrypto } from "@electric-sql/pglite/contrib/pgcrypto";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { typeParsers } from "./type-parsers.js";

const db = await PGlite.create(workerData.dataDir, {
  extensions: { pg_trgm, unaccent, fuzzystrmatch, pgcrypto, btree_gin },
  parsers: typeParsers,
});

function describe(error) {
  return {
    message: error?.message ?? String(error),
    code: error?.code,
    detail: error?.detail,
    constraint: error?.constraint,
    table: error?.table,
    column: error?.column,
  };
}

parentPort.on("message", async (msg) => {
  try {
    if (msg.kind === "query") {
      const result = await db.query(msg.sql, msg.params ?? [], { rowMode: "object" });
      parentPort.postMessage({ id: msg.id, ok: true, rows: result.rows, affectedRows: result.affectedRows ?? 0 });
    } else if (msg.kind === "exec") {
      const results = await db.exec(msg.sql);
      const last = results[results.length - 1];
      parentPort.postMessage({ id: msg.id, ok: true, rows: last?.rows ?? [], affectedRows: last?.affectedRows ?? 0 });
    } else if (msg.kind === "close") {
      await db.close();
      parentPort.postMessage({ id: msg.id, ok: true, rows: [], affectedRows: 0 });
    }
  } catch (error) {
    parentPort.postMessage({ id: msg.id, ok: false, error: describe(error) });
  }
});
parentPort.postMessage({ ready: true });
