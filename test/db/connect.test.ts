import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import pg from "pg";
import { databaseTargets } from "../helpers/database.ts";

// Only a server can end a connection under us: this suite runs when TEST_DATABASE_URL names one.
for (const server of databaseTargets().filter((t) => t.name === "postgres")) describe("connections to a PostgreSQL server", () => {
  it("survives the server ending a connection held between two queries of a transaction", async () => {
    const database = await server.open();
    const ended: Error[] = [];
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await assert.rejects(
        database.db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
          // Ended while the transaction holds it and no query runs: the pool does not listen then.
          await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
          await delay(200);
          await sql`select 1`.execute(tx);
        }),
        (error: Error) => {
          ended.push(error);
          return true;
        },
      );
      assert.equal(ended.length, 1, "the transaction fails with an error instead of crashing the process");
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      assert.equal(rows[0]!.one, 1, "and the next query gets a fresh connection");
    } finally {
      await admin.end();
      await database.close();
    }
  });
});
