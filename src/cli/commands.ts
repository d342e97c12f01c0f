import { createAdministrator, issueTokenForUser, listAllUsers } from "../accounts/index.ts";
import { SCOPES, VigilError, Invalid } from "../core/index.ts";
import { NO_ORIGIN, type Origin } from "../context.ts";
import { migrate } from "../db/index.ts";
import type { Command, Values } from "./command.ts";
import { isAbsolute } from "node:path";
import {
  exportVaultIdentity,
  initVaultKeys,
  moveSecretValues,
  operatorCaller,
  rotateVaultKeys,
  sealVault,
  unsealVault,
  type SealPlan,
  type UnsealInput,
} from "../evidence/index.ts";
import { readFileSync } from "node:fs";
import { LedgerError } from "../ledger/index.ts";
import { describeVerification, ensureLog, orgIdForCommand, signCheckpointNow, verifyLedger } from "../custody/index.ts";
import { MATCHABLE_SCHEMATA, reindexNames, reportCsv, screenCsv } from "../screening/index.ts";
import type { EntitySchema } from "../names/index.ts";
import { reindexSearch } from "../search/index.ts";
import { importCommand } from "./import.ts";
import { monitorRebuildCommand } from "./monitor.ts";
import { suppliersScreenCommand } from "./suppliers.ts";

const CLI_ORIGIN: Origin = { ...NO_ORIGIN, userAgent: "vigil-cli" };

function describeError(error: unknown): string {
  if (error instanceof Invalid) {
    const details = Object.entries(error.fields).filter(([, v]) => v !== error.message);
    if (details.length) return `${error.message}: ${details.map(([k, v]) => `${k}: ${v}`).join("; ")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function reportErrors(io: Parameters<Command["run"]>[3], fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof VigilError) {
      io.err(`vigil: ${describeError(error)}`);
      return 1;
    }
    throw error;
  }
}

export const migrateCommand: Command = {
  name: "migrate",
  summary: "apply pending database migrations",
  usage: "vigil migrate",
  options: {},
  migratesItself: true,
  async run(services, _values, _stdin, io) {
    const applied = await migrate(services.db);
    io.out(applied.length ? `applied: ${applied.map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`).join(", ")}` : "the database is up to date");
    return 0;
  },
};

export const adminCreateCommand: Command = {
  name: "admin create",
  summary: "create an administrator (password read from standard input)",
  usage: "echo 'a long passphrase' | vigil admin create --email E --name N [--org SLUG] [--org-name NAME]",
  options: { email: { type: "string" }, name: { type: "string" }, org: { type: "string" }, "org-name": { type: "string" } },
  readsStdin: true,
  check: (v) => (!v.email || !v.name ? "--email and --name are required" : null),
  async run(services, values, stdin, io) {
    return reportErrors(io, async () => {
      const password = stdin.replace(/\r?\n$/, "");
      const result = await createAdministrator(services, CLI_ORIGIN, {
        email: values.email,
        name: values.name,
        password,
        organisation: values.org,
        organisationName: values["org-name"],
      });
      io.out(`created administrator ${String(values.email).toLowerCase()}${result.orgCreated ? ` and organisation ${String(values.org)}` : ""}`);
      return 0;
    });
  },
};

export const userListCommand: Command = {
  name: "user list",
  summary: "list the people who can sign in",
  usage: "vigil user list [--json]",
  options: { json: { type: "boolean" } },
  async run(services, values, _stdin, io) {
    const users = await listAllUsers(services);
    if (values.json) {
      io.out(JSON.stringify(users.map((u) => ({ email: u.email, name: u.name, role: u.role, organisation: u.organisation, secondFactor: u.totp_enabled_at !== null, active: u.deactivated_at === null }))));
      return 0;
    }
    const rows = [["EMAIL", "NAME", "ROLE", "ORGANISATION", "2FA", "STATUS"], ...users.map((u) => [u.email, u.name, u.role, u.organisation, u.totp_enabled_at ? "yes" : "no", u.deactivated_at ? "deactivated" : "active"])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
    for (const row of rows) io.out(row.map((cell, i) => cell + " ".repeat(widths[i]! - [...cell].length)).join("  ").trimEnd());
    return 0;
  },
};

export const tokenCreateCommand: Command = {
  name: "token create",
  summary: "create an API token for a user and print it once",
  usage: `vigil token create --user EMAIL --name LABEL [--scopes ${SCOPES.join(",")}] [--days N | --no-expiry]`,
  options: { user: { type: "string" }, name: { type: "string" }, scopes: { type: "string" }, days: { type: "string" }, "no-expiry": { type: "boolean" } },
  check: (v) => {
    if (!v.user || !v.name) return "--user and --name are required";
    if (v.days !== undefined && !/^\d{1,3}$/.test(String(v.days))) return "--days takes a whole number of days";
    return null;
  },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const scopes = String(values.scopes ?? "read").split(",").map((s) => s.trim()).filter(Boolean);
      const created = await issueTokenForUser(services, CLI_ORIGIN, {
        email: values.user,
        name: values.name,
        scopes,
        expiresInDays: values["no-expiry"] ? null : Number(values.days ?? 90),
      });
      io.out(created.token);
      io.err(created.expiresAt ? `expires ${created.expiresAt.toISOString()}; it will not be shown again` : "never expires; it will not be shown again");
      return 0;
    });
  },
};

export const ledgerVerifierKeyCommand: Command = {
  name: "ledger verifier-key",
  summary: "print the key that verifies an organisation's custody checkpoints",
  usage: "vigil ledger verifier-key [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const log = await ensureLog(services, await orgIdForCommand(services, values.org as string | undefined));
      io.out(log.verifierKey);
      return 0;
    });
  },
};

export const ledgerCheckpointCommand: Command = {
  name: "ledger checkpoint",
  summary: "sign a checkpoint of the custody log now and print it",
  usage: "vigil ledger checkpoint [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const checkpoint = await signCheckpointNow(services, await orgIdForCommand(services, values.org as string | undefined));
      io.out(checkpoint.note.replace(/\n$/, ""));
      return 0;
    });
  },
};

export const ledgerVerifyCommand: Command = {
  name: "ledger verify",
  summary: "recompute the whole custody log and check it against its signed checkpoints",
  usage: "vigil ledger verify [--org SLUG] [--key VERIFIER_KEY] [--checkpoint FILE]…",
  options: { org: { type: "string" }, key: { type: "string" }, checkpoint: { type: "string", multiple: true } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const orgId = await orgIdForCommand(services, values.org as string | undefined);
      const files = (values.checkpoint as unknown as string[] | undefined) ?? [];
      const otherCheckpoints = files.map((file) => readFileSync(file, "utf8"));
      let result;
      try {
        result = await verifyLedger(services, orgId, { verifierKey: values.key as string | undefined, otherCheckpoints });
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error;
        io.err(`vigil: ${error.message}`);
        return 1;
      }
      if (result.ok) io.out(describeVerification(result));
      else io.err(describeVerification(result));
      return result.ok ? 0 : 1;
    });
  },
};

// ——— the evidence vault's keys ———

/** Passphrases arrive on standard input, one per line (one line in all for a single passphrase). */
function stdinLines(stdin: string): string[] {
  return stdin.split(/\r?\n/).filter((line, i, all) => line !== "" || i < all.length - 1);
}

function holdersOf(value: unknown): string[] {
  return String(value ?? "").split(",").map((h) => h.trim()).filter(Boolean);
}

function sealPlanFrom(values: Values, stdin: string): SealPlan {
  const lines = stdinLines(stdin);
  if (values.shares === undefined) return { passphrase: lines[0] ?? "" };
  const holders = holdersOf(values.holders);
  if (lines.length < holders.length) throw new Invalid(`give one passphrase per key-holder on standard input, ${holders.length} lines in the order of --holders`);
  return { threshold: Number(values.shares), holders: holders.map((name, i) => ({ name, passphrase: lines[i]! })) };
}

function checkSealOptions(v: Values): string | null {
  if (v.shares !== undefined && !/^\d{1,2}$/.test(String(v.shares))) return "--shares takes the number of key-holders needed (k)";
  if (v.shares !== undefined && holdersOf(v.holders).length < 2) return "--shares needs --holders name1,name2,…";
  if (v.shares === undefined && v.holders !== undefined) return "--holders goes with --shares";
  return null;
}

export const keysInitCommand: Command = {
  name: "keys init",
  summary: "create the organisation's age identity, sealed under a passphrase or split into shares",
  usage: "vigil keys init [--org SLUG] (--passphrase | --shares K --holders NAME1,NAME2,…)   passphrases on standard input, one per line",
  options: { org: { type: "string" }, passphrase: { type: "boolean" }, shares: { type: "string" }, holders: { type: "string" } },
  readsStdin: true,
  check: (v) => checkSealOptions(v) ?? (v.passphrase && v.shares !== undefined ? "choose --passphrase or --shares" : null),
  async run(services, values, stdin, io) {
    return reportErrors(io, async () => {
      const caller = operatorCaller(await orgIdForCommand(services, values.org as string | undefined));
      const { recipient } = await initVaultKeys(services, CLI_ORIGIN, caller, sealPlanFrom(values, stdin));
      io.out(recipient);
      io.err("keys created; Vigil stays sealed until `vigil unseal`");
      return 0;
    });
  },
};

export const unsealCommand: Command = {
  name: "unseal",
  summary: "unseal the running server's vault (passphrase, or k holders' passphrases, on standard input)",
  usage: "vigil unseal [--org SLUG] [--holders NAME1,NAME2,…]",
  runsInServer: true,
  options: { org: { type: "string" }, holders: { type: "string" } },
  readsStdin: true,
  async run(services, values, stdin, io) {
    return reportErrors(io, async () => {
      const caller = operatorCaller(await orgIdForCommand(services, values.org as string | undefined));
      const lines = stdinLines(stdin);
      const holders = holdersOf(values.holders);
      const input: UnsealInput = holders.length ? { shares: holders.map((holder, i) => ({ holder, passphrase: lines[i] ?? "" })) } : { passphrase: lines[0] ?? "" };
      await unsealVault(services, CLI_ORIGIN, caller, input);
      io.out("unsealed");
      return 0;
    });
  },
};

export const sealCommand: Command = {
  name: "seal",
  summary: "seal the running server's vault: forget the unsealed identity",
  usage: "vigil seal [--org SLUG]",
  runsInServer: true,
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      await sealVault(services, CLI_ORIGIN, operatorCaller(await orgIdForCommand(services, values.org as string | undefined)));
      io.out("sealed");
      return 0;
    });
  },
};

export const keysRotateCommand: Command = {
  name: "keys rotate",
  summary: "make a new identity and re-wrap every blob for it, without re-encrypting payloads (needs the vault unsealed)",
  usage: "vigil keys rotate [--org SLUG] (--passphrase | --shares K --holders NAME1,NAME2,…)   new passphrases on standard input",
  runsInServer: true,
  options: { org: { type: "string" }, passphrase: { type: "boolean" }, shares: { type: "string" }, holders: { type: "string" } },
  readsStdin: true,
  check: checkSealOptions,
  async run(services, values, stdin, io) {
    return reportErrors(io, async () => {
      const caller = operatorCaller(await orgIdForCommand(services, values.org as string | undefined));
      const result = await rotateVaultKeys(services, CLI_ORIGIN, caller, sealPlanFrom(values, stdin));
      io.out(result.recipient);
      io.err(`re-wrapped ${result.rewrapped} blob(s)`);
      return 0;
    });
  },
};

export const keysExportCommand: Command = {
  name: "keys export",
  summary: "write the unsealed age identity to a new file (mode 0600) for offline custody; audited",
  usage: "vigil keys export [--org SLUG] --out FILE",
  runsInServer: true,
  options: { org: { type: "string" }, out: { type: "string" } },
  // The running server writes the file (the command goes through its control socket), so a
  // relative path would be relative to the server's directory, not the caller's.
  check: (v) => (!v.out ? "--out FILE is required" : !isAbsolute(String(v.out)) ? "--out takes an absolute path" : null),
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const caller = operatorCaller(await orgIdForCommand(services, values.org as string | undefined));
      const { recipient } = await exportVaultIdentity(services, CLI_ORIGIN, caller, String(values.out));
      io.out(`wrote the identity for ${recipient} to ${String(values.out)}`);
      return 0;
    });
  },
};

export const keysMigrateSecretsCommand: Command = {
  name: "keys migrate-secrets",
  summary: "move secret record values still sealed with the application key onto the organisation's vault key (needs only the public key); audited",
  usage: "vigil keys migrate-secrets [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const { moved } = await moveSecretValues(services, CLI_ORIGIN, operatorCaller(await orgIdForCommand(services, values.org as string | undefined)));
      io.out(`moved ${moved} secret value(s) onto the vault key`);
      return 0;
    });
  },
};

// ——— screening ———

export const screenCommand: Command = {
  name: "screen",
  summary: "screen a CSV of names against the organisation's records (or a named list) and print the report as CSV",
  usage: "vigil screen FILE.csv [--list NAME] [--threshold T] [--schema Person|Company|…] [--org SLUG]",
  options: { threshold: { type: "string" }, schema: { type: "string" }, list: { type: "string" }, org: { type: "string" }, file: { type: "string" } },
  positionals: ["file"],
  readsFile: "file",
  check(values) {
    if (!values.file) return "name the CSV file: vigil screen FILE.csv";
    if (values.threshold !== undefined && !/^(0(\.\d+)?|1(\.0+)?)$/.test(String(values.threshold))) return "--threshold is a number from 0 to 1";
    if (values.schema !== undefined && !(MATCHABLE_SCHEMATA as readonly string[]).includes(String(values.schema))) return `--schema is one of ${MATCHABLE_SCHEMATA.join(", ")}`;
    return null;
  },
  // stdin is the file's text, read by the `vigil` process (readsFile).
  async run(services, values, stdin, io) {
    return reportErrors(io, async () => {
      const orgId = await orgIdForCommand(services, values.org as string | undefined);
      // The command screens against what every member sees: restricted records and names stay out.
      const operator = { userId: "00000000-0000-0000-0000-000000000000", orgId, role: "viewer" as const, scopes: null };
      const report = await screenCsv(services, CLI_ORIGIN, operator, stdin, {
        threshold: values.threshold === undefined ? undefined : Number(values.threshold),
        schema: values.schema as EntitySchema | undefined,
        list: values.list as string | undefined,
      });
      io.out(reportCsv(report).replace(/\r\n$/, ""));
      for (const r of report.rejected) io.err(`vigil: line ${r.line}: ${r.reason}`);
      return 0;
    });
  },
};

export const namesReindexCommand: Command = {
  name: "names reindex",
  summary: "rebuild the names index of an organisation's records",
  usage: "vigil names reindex [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const result = await reindexNames(services, await orgIdForCommand(services, values.org as string | undefined));
      io.out(`indexed ${result.records} records, ${result.keys} keys`);
      return 0;
    });
  },
};

export const searchReindexCommand: Command = {
  name: "search reindex",
  summary: "rebuild the search documents of an organisation's records (after an upgrade that adds or changes them)",
  usage: "vigil search reindex [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    return reportErrors(io, async () => {
      const result = await reindexSearch(services, await orgIdForCommand(services, values.org as string | undefined));
      io.out(`indexed ${result.records} records for search`);
      return 0;
    });
  },
};

export const COMMANDS: Command[] = [
  migrateCommand,
  adminCreateCommand,
  userListCommand,
  tokenCreateCommand,
  ledgerVerifierKeyCommand,
  ledgerCheckpointCommand,
  ledgerVerifyCommand,
  keysInitCommand,
  unsealCommand,
  sealCommand,
  keysRotateCommand,
  keysExportCommand,
  keysMigrateSecretsCommand,
  screenCommand,
  namesReindexCommand,
  searchReindexCommand,
  importCommand,
  monitorRebuildCommand,
  suppliersScreenCommand,
];
