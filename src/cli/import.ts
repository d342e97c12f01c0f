// `vigil import FILE`: a CSV file (with a saved mapping or a mapping file) or FtM JSON lines,
// streamed from disk into an import, checked or committed as a job, its progress on stderr.
import { createReadStream, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { can, Invalid, isRole, NotFound, VigilError, type Actor } from "../core/index.ts";
import { NO_ORIGIN, type Origin, type Services } from "../context.ts";
import { orgIdForCommand } from "../custody/index.ts";
import { JobRunner, readJob, type JobView } from "../jobs/index.ts";
import { allRejections, checkImport, commitImport, getImport, importJob, receiveImport, setImportMapping } from "../records/index.ts";
import type { Command, CommandOutput } from "./command.ts";

const CLI_ORIGIN: Origin = { ...NO_ORIGIN, userAgent: "vigil-cli" };
/** How often the command looks at its job while it waits. */
const POLL_MS = 500;
/** Rejections printed on stderr; all of them are on the import's page and in the API. */
const MAX_PRINTED = 1000;

/** The active member of the organisation with this email, as the actor a command acts for. */
export async function memberActor(services: Services, orgId: string, email: string): Promise<Actor> {
  const row = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .select(["u.id", "u.deactivated_at", "m.role"])
    .where("u.email", "=", email.toLowerCase())
    .where("m.org_id", "=", orgId)
    .executeTakeFirst();
  if (!row || row.deactivated_at || !isRole(row.role)) throw new NotFound(`no active member of the organisation has the email ${email}`);
  return { userId: row.id, orgId, role: row.role, scopes: null };
}

async function importer(services: Services, orgId: string, email: string): Promise<Actor> {
  const actor = await memberActor(services, orgId, email);
  if (!can(actor, "import.run", { kind: "records", orgId })) throw new Invalid(`${email} is a ${actor.role}: only administrators, editors and researchers import records`, { as: "not allowed to import" });
  return actor;
}

function mappingChoice(value: string): unknown {
  // An absolute path to a JSON file holds a mapping; anything else names a saved one.
  if (!isAbsolute(value)) return { mappingName: value };
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch (error) {
    throw new Invalid(`cannot read the mapping file ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { mapping: "unreadable" });
  }
  try {
    return { mapping: JSON.parse(text) as unknown };
  } catch {
    throw new Invalid(`the mapping file ${value} is not JSON`, { mapping: "not JSON" });
  }
}

function describeProgress(job: JobView): string {
  const { done, total, message } = job.progress;
  const counts = total !== null ? `${done} of ${total}` : `${done}`;
  return `vigil: ${job.state === "queued" ? "waiting for a worker" : `${counts}${message ? ` (${message})` : ""}`}`;
}

/** Runs the job here (a server's runner may take it instead: either way it runs once) and reports its progress until it ends. */
async function follow(services: Services, actor: Actor, jobId: string, io: CommandOutput): Promise<JobView> {
  const runner = new JobRunner(services, [importJob], { workerId: `cli:${process.pid}`, concurrency: 1, pollMs: POLL_MS });
  runner.start();
  try {
    let last = "";
    for (;;) {
      const job = await readJob(services, actor, jobId);
      const line = describeProgress(job);
      if (line !== last && job.state !== "succeeded") io.err(line);
      last = line;
      if (job.state === "succeeded" || job.state === "failed" || job.state === "cancelled") return job;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await runner.stop();
  }
}

export const importCommand: Command = {
  name: "import",
  summary: "import records from a CSV file (with a column mapping) or FollowTheMoney JSON lines, progress on stderr",
  usage: "vigil import /absolute/FILE --as EMAIL [--mapping NAME|/absolute/mapping.json] [--format csv|ftm] [--dry-run] [--partial] [--org SLUG]",
  options: {
    file: { type: "string" }, mapping: { type: "string" }, as: { type: "string" }, format: { type: "string" }, org: { type: "string" },
    "dry-run": { type: "boolean" }, partial: { type: "boolean" },
  },
  positionals: ["file"],
  check(values) {
    if (!values.file) return "name the file: vigil import /absolute/FILE";
    // A running server reads the file (the command goes through its control socket), so a
    // relative path would be relative to the server's directory, not the caller's.
    if (!isAbsolute(String(values.file))) return `give the file as an absolute path, e.g. "$PWD/${String(values.file)}"`;
    if (!values.as) return "--as EMAIL names the member the import is made by";
    const format = values.format === undefined ? (/\.(jsonl|ndjson|json)$/i.test(String(values.file)) ? "ftm" : "csv") : String(values.format);
    if (format !== "csv" && format !== "ftm") return "--format is csv or ftm";
    if (format === "csv" && !values.mapping) return "a CSV file needs --mapping: the name of a saved mapping, or an absolute path to a mapping in JSON";
    if (values["dry-run"] && values.partial) return "--partial commits the valid rows: it cannot go with --dry-run";
    return null;
  },
  async run(services, values, _stdin, io) {
    try {
      const file = String(values.file);
      const format = values.format === undefined ? (/\.(jsonl|ndjson|json)$/i.test(file) ? "ftm" : "csv") : String(values.format);
      const actor = await importer(services, await orgIdForCommand(services, values.org as string | undefined), String(values.as));
      const source = createReadStream(file, { highWaterMark: 1 << 20 });
      const opened = new Promise<void>((resolve, reject) => {
        source.once("open", () => resolve());
        source.once("error", reject);
      });
      try {
        await opened;
      } catch (error) {
        io.err(`vigil: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return 1;
      }
      const uploaded = await receiveImport(services, CLI_ORIGIN, actor, { source, filename: file, format });
      io.err(`vigil: import ${uploaded.id}: ${uploaded.rowsTotal ?? 0} rows, ${uploaded.encoding}`);
      if (format === "csv") await setImportMapping(services, CLI_ORIGIN, actor, uploaded.id, mappingChoice(String(values.mapping)));
      const dryRun = values["dry-run"] === true;
      const started = dryRun ? await checkImport(services, CLI_ORIGIN, actor, uploaded.id) : await commitImport(services, CLI_ORIGIN, actor, uploaded.id, { partial: values.partial === true });
      const job = await follow(services, actor, started.job!.id, io);
      const done = await getImport(services, CLI_ORIGIN, actor, uploaded.id);
      let printed = 0;
      for await (const r of allRejections(services, CLI_ORIGIN, actor, uploaded.id)) {
        if (printed++ === MAX_PRINTED) {
          io.err(`vigil: … and ${(done.rowsRejected ?? printed) - MAX_PRINTED} more rejected rows: see /imports/${uploaded.id}`);
          break;
        }
        io.err(`vigil: line ${r.line}: ${r.reason}`);
      }
      if (job.state !== "succeeded") {
        io.err(`vigil: the import job ${job.state}${job.error ? `: ${job.error}` : ""}`);
        return 1;
      }
      if (dryRun) {
        io.out(`checked ${(done.rowsValid ?? 0) + (done.rowsRejected ?? 0)} rows: ${done.rowsValid ?? 0} valid, ${done.rowsRejected ?? 0} rejected; nothing was written (import ${done.id})`);
        return (done.rowsRejected ?? 0) > 0 ? 1 : 0;
      }
      if (done.state !== "imported") {
        io.err(`vigil: ${done.error ?? `the import is ${done.state}`}`);
        return 1;
      }
      io.out(`imported ${done.entitiesCreated ?? 0} records${(done.rowsRejected ?? 0) > 0 ? ` (${done.rowsRejected} ${done.rowsRejected === 1 ? "row" : "rows"} rejected and left out)` : ""}; every value cites the source ${done.sourceId} (import ${done.id})`);
      return 0;
    } catch (error) {
      if (error instanceof VigilError) {
        const fields = error instanceof Invalid ? Object.entries(error.fields).filter(([, v]) => v !== error.message).map(([k, v]) => `${k}: ${v}`) : [];
        io.err(`vigil: ${error.message}${fields.length ? `: ${fields.join("; ")}` : ""}`);
        return 1;
      }
      throw error;
    }
  },
};
