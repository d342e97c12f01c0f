import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { parseArgs } from "node:util";
import { boot, createLogger } from "../boot.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { MigrationError } from "../db/index.ts";
import { DataDirLocked, lockDataDir } from "../keys/index.ts";
import { controlSocketPath, startServer, type LocalCommandResult } from "../web/server.ts";
import { VERSION } from "../version.ts";
import type { Services } from "../context.ts";
import type { Command, CommandOutput, Values } from "./command.ts";
import { COMMANDS } from "./commands.ts";

const SERVE_USAGE = "vigil serve            (port from VIGIL_PORT, default 8080)";

function topHelp(): string {
  return [
    `Vigil ${VERSION}: documentation, evidence and accountability for human rights organisations.`,
    "",
    "Usage: vigil <command> [options]",
    "",
    "Commands:",
    `  ${"serve".padEnd(20)} run the web application`,
    `  ${"verify".padEnd(20)} check a court bundle offline (no database needed)`,
    ...COMMANDS.map((c) => `  ${c.name.padEnd(20)} ${c.summary}`),
    "",
    "Every command takes --help. Configuration comes from the environment: see the README.",
    "While `vigil serve` runs, other commands run inside it through its control socket in the",
    "data directory (on either database: `vigil unseal` acts on the running server's keys).",
  ].join("\n");
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  for (const command of COMMANDS) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return null;
}

function parse(command: Command, rest: string[]): { values: Values; help: boolean } {
  const names = command.positionals ?? [];
  const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: names.length > 0 });
  if (positionals.length > names.length) throw new TypeError(`unexpected argument "${positionals[names.length]}"`);
  const { help, ...others } = values as Values;
  names.forEach((name, i) => {
    if (positionals[i] === undefined) return;
    if (others[name] !== undefined) throw new TypeError(`give the ${name} once, not both as --${name} and as an argument`);
    others[name] = positionals[i];
  });
  return { values: others, help: help === true };
}

/** Runs a command inside this process with the given services, capturing its output (used by the control socket). */
export async function runInProcess(services: Services, argv: string[], stdin: string, live?: CommandOutput): Promise<LocalCommandResult> {
  const out: string[] = [];
  const err: string[] = [];
  // Live: lines go out as the command writes them (progress); otherwise they come back in the result.
  const io: CommandOutput = live ?? { out: (l) => out.push(l), err: (l) => err.push(l) };
  const found = findCommand(argv);
  if (!found) return { exitCode: 2, stdout: "", stderr: `vigil: unknown command ${argv.join(" ")}` };
  try {
    const { values } = parse(found.command, found.rest);
    const problem = found.command.check?.(values);
    if (problem) return { exitCode: 2, stdout: "", stderr: `vigil: ${problem}` };
    const exitCode = await found.command.run(services, values, stdin, io);
    return { exitCode, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
  } catch (error) {
    return { exitCode: 1, stdout: out.map((l) => `${l}\n`).join(""), stderr: `vigil: ${error instanceof Error ? error.message : String(error)}\n` };
  }
}

function forward(socketPath: string, argv: string[], stdin: string): Promise<LocalCommandResult> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ args: argv, stdin });
    const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), accept: "application/x-ndjson" };
    const req = request({ socketPath, path: "/command", method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      let pending = "";
      let result: LocalCommandResult | null = null;
      const streamed = (res.headers["content-type"] ?? "").startsWith("application/x-ndjson");
      // Output lines are printed as they arrive; the last line is the command's result.
      const take = (line: string) => {
        if (!line) return;
        const message = JSON.parse(line) as { out?: string; err?: string } & Partial<LocalCommandResult>;
        if (message.out !== undefined) process.stdout.write(`${message.out}\n`);
        else if (message.err !== undefined) process.stderr.write(`${message.err}\n`);
        else result = message as LocalCommandResult;
      };
      res.on("data", (c: Buffer) => {
        if (!streamed) return void chunks.push(c);
        pending += c.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const line of lines) take(line);
      });
      res.on("end", () => {
        try {
          if (!streamed) return resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as LocalCommandResult);
          take(pending);
          resolve(result ?? { exitCode: 1, stdout: "", stderr: "vigil: the server ended the command without a result\n" });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    // Typed at a terminal: read one line without echoing it.
    process.stderr.write("Password: ");
    process.stdin.setRawMode(true);
    return new Promise((resolve) => {
      let text = "";
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString("utf8")) {
          if (ch === "\r" || ch === "\n") {
            process.stdin.setRawMode(false);
            process.stdin.off("data", onData);
            process.stdin.pause();
            process.stderr.write("\n");
            resolve(text);
            return;
          }
          if (ch === "\u0003") process.exit(130);
          if (ch === "\u007f") text = text.slice(0, -1);
          else text += ch;
        }
      };
      process.stdin.on("data", onData);
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function emit(result: LocalCommandResult): number {
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return result.exitCode;
}

async function serveCommand(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const booted = await boot(config, log);
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(booted.services, (argv, stdin, live) => runInProcess(booted.services, argv, stdin, live));
    } catch (error) {
      await booted.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" || code === "EACCES") {
        console.error(`vigil: cannot listen on ${config.host}:${config.port} (${code === "EADDRINUSE" ? "the port is in use" : "permission denied"}): set VIGIL_PORT`);
        return 1;
      }
      throw error;
    }
    console.error(`Vigil is running at ${server.url} (database: ${booted.services.dbKind})`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
    await booted.close();
    return 0;
  } finally {
    unlock();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      console.log(topHelp());
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === "--version") {
      console.log(VERSION);
      return 0;
    }
    // Loaded only when asked for: checking a bundle needs nothing else of Vigil's.
    if (argv[0] === "verify") return await (await import("./verify.ts")).verifyCommand(argv.slice(1));
    if (argv[0] === "serve") {
      if (argv.includes("--help") || argv.includes("-h")) {
        console.log(`Usage: ${SERVE_USAGE}`);
        return 0;
      }
      if (argv.length > 1) {
        console.error(`vigil: serve takes no arguments\nUsage: ${SERVE_USAGE}`);
        return 2;
      }
      return await serveCommand(loadConfig());
    }
    const found = findCommand(argv);
    if (!found) {
      console.error(`vigil: unknown command "${argv.join(" ")}"\n\n${topHelp()}`);
      return 2;
    }
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(found.command, found.rest);
    } catch (error) {
      console.error(`vigil: ${(error as Error).message}\nUsage: ${found.command.usage}`);
      return 2;
    }
    if (parsed.help) {
      console.log(`${found.command.summary}\n\nUsage: ${found.command.usage}`);
      return 0;
    }
    const problem = found.command.check?.(parsed.values);
    if (problem) {
      console.error(`vigil: ${problem}\nUsage: ${found.command.usage}`);
      return 2;
    }
    const config = loadConfig();
    const socket = controlSocketPath(config);
    if (found.command.runsInServer && !existsSync(socket)) {
      console.error(`vigil: no Vigil server is running with this data directory (no control socket at ${socket}): start \`vigil serve\`, or use the Keys and vault page of the server`);
      return 1;
    }
    let stdin = found.command.readsStdin ? await readStdin() : "";
    if (found.command.readsFile) {
      const path = String(parsed.values[found.command.readsFile]);
      try {
        stdin = readFileSync(path, "utf8");
      } catch (error) {
        console.error(`vigil: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return 1;
      }
    }
    // A running server takes every command through its socket, on either database: on the
    // embedded one because it holds the database, on both because it holds the unsealed keys.
    if (existsSync(socket)) {
      try {
        return emit(await forward(socket, argv, stdin));
      } catch (error) {
        // A socket left behind by a server that died: fall through and open the database here.
        if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED" && (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        if (found.command.runsInServer) {
          console.error(`vigil: the Vigil server that made ${socket} is no longer running: start \`vigil serve\``);
          return 1;
        }
      }
    }
    const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
    try {
      const booted = await boot(config, createLogger("warn", process.stderr as never), { migrate: !found.command.migratesItself });
      try {
        return emit(await runInProcess(booted.services, argv, stdin, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }));
      } finally {
        await booted.close();
      }
    } finally {
      unlock();
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DataDirLocked) {
      console.error(`vigil: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
