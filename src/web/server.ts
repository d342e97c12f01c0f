import { chmodSync, existsSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { getRequestListener, serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Config } from "../config.ts";
import type { Services } from "../context.ts";
import { createApp } from "./app.tsx";
import { startCheckpointSigner } from "../custody/index.ts";
import { JobRunner, upsertSchedule } from "../jobs/index.ts";
import { JOB_DEFINITIONS, JOB_SCHEDULES } from "../workers.ts";

export interface LocalCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; with `live`, its output lines go there as they are written instead of into the result. */
export type LocalCommandRunner = (args: string[], stdin: string, live?: { out(line: string): void; err(line: string): void }) => Promise<LocalCommandResult>;

export function controlSocketPath(config: Config): string {
  return join(config.dataDir, "vigil.sock");
}

/**
 * The control socket lets `vigil` commands run inside this process: on the embedded database,
 * because it admits one process; on either database, because `vigil unseal` and `vigil seal` act
 * on the keys this process holds in memory. It is a Unix socket with mode 0600 in the 0700 data
 * directory: only the account that owns the data can reach it, which is the same trust as reading
 * the data directory itself.
 */
function controlApp(run: LocalCommandRunner): Hono {
  const app = new Hono();
  app.post("/command", async (c) => {
    const body = (await c.req.json()) as { args?: unknown; stdin?: unknown };
    if (!Array.isArray(body.args) || !body.args.every((a) => typeof a === "string") || (body.stdin !== undefined && typeof body.stdin !== "string")) {
      return c.json({ exitCode: 2, stdout: "", stderr: "malformed command" }, 400);
    }
    const args = body.args as string[];
    const stdin = (body.stdin as string | undefined) ?? "";
    if (c.req.header("accept") !== "application/x-ndjson") return c.json(await run(args, stdin));
    // Streamed: one JSON object per line ({out} or {err} as the command writes, then its result),
    // so a long command (an import) shows its progress while it runs.
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (message: object) => controller.enqueue(encoder.encode(`${JSON.stringify(message)}\n`));
        const result = await run(args, stdin, { out: (line) => send({ out: line }), err: (line) => send({ err: line }) });
        send(result);
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
  });
  return app;
}

/** Whether a process is listening on the Unix socket at `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
}

export async function startServer(services: Services, runLocal: LocalCommandRunner | null): Promise<RunningServer> {
  const { config } = services;
  const app = createApp(services);
  // Requests still being handled when we stop are let finish before the database closes under them.
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const fetch = async (request: Request, env: unknown) => {
    inFlight++;
    try {
      return await app.fetch(request, env);
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };
  const http = serve({ fetch, hostname: config.host, port: config.port }) as Server;
  await listen(http);
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  let control: Server | null = null;
  if (runLocal) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const socket = controlSocketPath(config);
    // On the embedded database the data directory is locked, so a socket found here was left by a
    // process that died. On a PostgreSQL server several processes may share a data directory: the
    // first keeps the socket (and `vigil unseal` reaches it); the others are unsealed on their page.
    if (existsSync(socket) && (await socketAnswers(socket))) {
      services.log.warn({ socket }, "another Vigil process holds the control socket in this data directory; vigil commands reach that process, not this one");
    } else {
      if (existsSync(socket)) unlinkSync(socket);
      control = createServer(getRequestListener(controlApp(runLocal).fetch));
      control.listen(socket);
      await listen(control);
      chmodSync(socket, 0o600);
    }
  }
  const stopCheckpointSigner = startCheckpointSigner(services);
  for (const schedule of JOB_SCHEDULES) await upsertSchedule(services, services.db, schedule);
  const jobs = new JobRunner(services, JOB_DEFINITIONS);
  jobs.start();
  services.log.info({ host: config.host, port, database: services.dbKind }, "Vigil is listening");
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    close: async () => {
      stopCheckpointSigner();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
      http.closeAllConnections();
      await closed;
      // Running jobs are handed back to the queue before the database closes under them.
      await jobs.stop();
      if (control) {
        await new Promise<void>((resolve) => control!.close(() => resolve()));
        const socket = controlSocketPath(config);
        if (existsSync(socket)) unlinkSync(socket);
      }
    },
  };
}
