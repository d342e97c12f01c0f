// `vigil sanctions import FILE --format F --list NAME`: a sanctions or watch list file streamed from
// disk into a new version of the list, in one transaction, progress and rejected lines on stderr.
import { createReadStream, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { importListFile, LIST_FORMATS, listImportFields } from "../accountability/index.ts";
import { Invalid, VigilError } from "../core/index.ts";
import { NO_ORIGIN, type Origin } from "../context.ts";
import { orgIdForCommand } from "../custody/index.ts";
import type { Command } from "./command.ts";
import { memberActor } from "./import.ts";

const CLI_ORIGIN: Origin = { ...NO_ORIGIN, userAgent: "vigil-cli" };
/** Rejected lines printed on stderr; all of them are on the import's page and in the API. */
const MAX_PRINTED = 1000;

function mappingOption(value: string | undefined): string | undefined {
  // An absolute path to a JSON file holds a mapping; anything else names a shipped one (uflpa).
  if (value === undefined || !isAbsolute(value)) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new Invalid(`cannot read the mapping file ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { mapping: "unreadable" });
  }
}

export const sanctionsImportCommand: Command = {
  name: "sanctions import",
  summary: "import a sanctions or watch list file as a new version of a named list (all or nothing unless --skip-bad)",
  usage: `vigil sanctions import /absolute/FILE --format ${LIST_FORMATS.join("|")} --list NAME --as EMAIL [--title T] [--jurisdictions US,UK] [--publisher P] [--kind sanctions|watch|trade] [--published YYYY-MM-DD] [--mapping uflpa|/absolute/mapping.json] [--skip-bad] [--org SLUG]`,
  options: {
    file: { type: "string" }, format: { type: "string" }, list: { type: "string" }, as: { type: "string" }, title: { type: "string" }, jurisdictions: { type: "string" },
    publisher: { type: "string" }, kind: { type: "string" }, published: { type: "string" }, mapping: { type: "string" }, "skip-bad": { type: "boolean" }, org: { type: "string" },
  },
  positionals: ["file"],
  check(values) {
    if (!values.file) return "name the file: vigil sanctions import /absolute/FILE";
    if (!isAbsolute(String(values.file))) return `give the file as an absolute path, e.g. "$PWD/${String(values.file)}"`;
    if (!values.format) return `--format is one of ${LIST_FORMATS.join(", ")}`;
    if (!values.list) return "--list NAME names the list (a new name makes a new list)";
    if (!values.as) return "--as EMAIL names the member the import is made by";
    return null;
  },
  async run(services, values, _stdin, io) {
    try {
      const file = String(values.file);
      const actor = await memberActor(services, await orgIdForCommand(services, values.org as string | undefined), String(values.as));
      const options = listImportFields({
        list: values.list as string, format: values.format as string, title: values.title as string | undefined, jurisdictions: values.jurisdictions as string | undefined,
        publisher: values.publisher as string | undefined, kind: values.kind as string | undefined, publishedOn: values.published as string | undefined,
        mapping: mappingOption(values.mapping as string | undefined), skipBad: values["skip-bad"] === true ? "true" : undefined,
      });
      const source = createReadStream(file, { highWaterMark: 1 << 20 });
      try {
        await new Promise<void>((resolve, reject) => {
          source.once("open", () => resolve());
          source.once("error", reject);
        });
      } catch (error) {
        io.err(`vigil: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return 1;
      }
      let reported = 0;
      const v = await importListFile(services, CLI_ORIGIN, actor, options, { source, filename: file }, (entries) => {
        if (entries - reported >= 100_000) {
          reported = entries;
          io.err(`vigil: ${entries} entries`);
        }
      });
      v.errors.slice(0, MAX_PRINTED).forEach((e) => io.err(`vigil: line ${e.line}: ${e.reason}`));
      if (v.rejected > MAX_PRINTED) io.err(`vigil: … and ${v.rejected - MAX_PRINTED} more rejected lines: see /sanctions/imports/${v.id}`);
      if (v.state !== "imported") {
        io.err(`vigil: ${v.error ?? `the import is ${v.state}`}`);
        return 1;
      }
      io.out(`list ${v.list} version ${v.version}: ${v.added} added, ${v.changed} changed, ${v.delisted} delisted, ${v.unchanged} unchanged${v.rejected > 0 ? `, ${v.rejected} lines rejected and left out` : ""} (sha256 ${v.sha256})`);
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
