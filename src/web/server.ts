import { chmodSync, existsSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { getRequestListener, serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Config } from "../config.ts";
import type { Services } from "../context.ts";
import { createApp } from "./app.tsx";
import { startCheckpointSigner } from "../custody/index.ts";

export interface LocalCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type LocalCommandRunner = (args: string[], stdin: string) => Promise<LocalCommandResult>;

export function controlSocketPath(config: Config): string {
  return join(config.dataDir, "vigil.sock");
}

/**
 * The control socket lets `vigil` commands run inside this process while it holds the embedded
 * database. It is a Unix socket with mode 0600 in the 0700 data directory: only the account that
 * owns the data can reach it, which is the same trust as reading the data directory itself.
 */
function controlApp(run: LocalCommandRunner): Hono {
  const app = new Hono();
  app.post("/command", async (c) => {
    const body = (await c.req.json()) as { args?: unknown; stdin?: unknown };
    if (!Array.isArray(body.args) || !body.args.every((a) => typeof a === "string") || (body.stdin !== undefined && typeof body.stdin !== "string")) {
      return c.json({ exitCode: 2, stdout: "", stderr: "malformed command" }, 400);
    }
    return c.json(await run(body.args as string[], (body.stdin as string | undefined) ?? ""));
  });
  return app;
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
    if (existsSync(socket)) unlinkSync(socket);
    control = createServer(getRequestListener(controlApp(runLocal).fetch));
    control.listen(socket);
    await listen(control);
    chmodSync(socket, 0o600);
  }
  const stopCheckpointSigner = startCheckpointSigner(services);
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
      if (control) {
        await new Promise<void>((resolve) => control!.close(() => resolve()));
        const socket = controlSocketPath(config);
        if (existsSync(socket)) unlinkSync(socket);
      }
    },
  };
}
