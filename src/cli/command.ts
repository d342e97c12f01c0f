import type { ParseArgsConfig } from "node:util";
import type { Services } from "../context.ts";

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | undefined>;

/** One `vigil` subcommand. `run` gets services, so the same code runs in the CLI process or in the server through its socket. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** Applies migrations itself, so the CLI must not apply them when it opens the database. */
  migratesItself?: boolean;
  /** Reads a secret (a password) from standard input. */
  readsStdin?: boolean;
  /** Checks the arguments before anything is opened, so a mistake costs nothing. Returns an error message or null. */
  check?(values: Values): string | null;
  run(services: Services, values: Values, stdin: string, io: CommandOutput): Promise<number>;
}
