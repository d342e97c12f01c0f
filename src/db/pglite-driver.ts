import { Worker } from "node:worker_threads";
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from "kysely";

interface WorkerReply {
  id: number;
  ok: boolean;
  rows: Record<string, unknown>[];
  affectedRows: number;
  error?: { message: string; code?: string; detail?: string; constraint?: string; table?: string; column?: string };
}

/** A database error carrying PostgreSQL's SQLSTATE, as `pg` reports it, so callers handle both alike. */
export class DatabaseError extends Error {
  code: string | undefined;
  detail: string | undefined;
  constraint: string | undefined;
  constructor(info: NonNullable<WorkerReply["error"]>) {
    super(info.message);
    this.name = "DatabaseError";
    this.code = info.code;
    this.detail = info.detail;
    this.constraint = info.constraint;
  }
}

/** The embedded database on a worker thread, reached by messages. One connection, used by one caller at a time. */
export class PGliteWorker {
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  #ready: Promise<void>;

  constructor(dataDir: string | undefined) {
    this.#worker = new Worker(new URL("./pglite-worker.js", import.meta.url), { workerData: { dataDir } });
    this.#ready = new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#worker.once("error", onError);
      this.#worker.once("message", (msg: { ready?: boolean }) => {
        this.#worker.off("error", onError);
        if (msg.ready) resolve();
      });
    });
    this.#worker.on("message", (msg: WorkerReply) => {
      const waiter = this.#pending.get(msg.id);
      if (!waiter) return;
      this.#pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg);
      else waiter.reject(new DatabaseError(msg.error ?? { message: "unknown database error" }));
    });
    this.#worker.on("error", (error) => {
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async send(kind: "query" | "exec" | "close", sql = "", params: readonly unknown[] = []): Promise<WorkerReply> {
    await this.#ready;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, kind, sql, params });
    });
  }

  async close(): Promise<void> {
    try {
      await this.send("close");
    } finally {
      await this.#worker.terminate();
    }
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGliteWorker) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // Like `pg`, a raw statement without parameters goes through the simple protocol, which
    // accepts several statements (migrations); everything else is a prepared, parameterised query.
    const simple = compiledQuery.parameters.length === 0 && compiledQuery.query.kind === "RawNode";
    const reply = await this.pglite.send(simple ? "exec" : "query", compiledQuery.sql, compiledQuery.parameters);
    return { rows: reply.rows as R[], numAffectedRows: BigInt(reply.affectedRows) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on the embedded database: paginate with keyset queries");
  }
}

class PGliteDriver implements Driver {
  #waiters: Array<() => void> = [];
  #busy = false;
  constructor(private readonly pglite: PGliteWorker) {}

  async init(): Promise<void> {
    await this.pglite.ready();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // Kysely acquires a connection per query or per transaction; hold the single connection
    // until it is released, so a transaction's statements are never interleaved with others.
    await new Promise<void>((resolve) => {
      if (!this.#busy) {
        this.#busy = true;
        resolve();
      } else this.#waiters.push(resolve);
    });
    return new PGliteConnection(this.pglite);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#busy = false;
  }

  async destroy(): Promise<void> {
    await this.pglite.close();
  }

}

export class PGliteDialect implements Dialect {
  readonly driver: PGliteDriver;
  constructor(pglite: PGliteWorker) {
    this.driver = new PGliteDriver(pglite);
  }
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
