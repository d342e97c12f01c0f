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
  /**
   * Acts on what only a running server holds (its unsealed keys), so it is refused, not run in a
   * short-lived process of its own, when no server answers on the control socket.
   */
  runsInServer?: boolean;
  /** Positional arguments, by name, set in values in this order (`vigil screen FILE.csv` sets `file`). */
  positionals?: readonly string[];
  /**
   * The value (a file path) this command reads: the `vigil` process reads the file and hands its
   * text to run() as stdin, so a relative path means the operator's directory even when a running
   * server runs the command.
   */
  readsFile?: string;
  /** Checks the arguments before anything is opened, so a mistake costs nothing. Returns an error message or null. */
  check?(values: Values): string | null;
  run(services: Services, values: Values, stdin: string, io: CommandOutput): Promise<number>;
}
