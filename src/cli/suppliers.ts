import { MAX_HOPS, screenSuppliers, supplierReportCsv } from "../accountability/index.ts";
import { Invalid, VigilError } from "../core/index.ts";
import { NO_ORIGIN, type Origin } from "../context.ts";
import { orgIdForCommand } from "../custody/index.ts";
import type { Command } from "./command.ts";

const CLI_ORIGIN: Origin = { ...NO_ORIGIN, userAgent: "vigil-cli" };

/** `vigil suppliers screen FILE.csv`: the supplier screening report as CSV on standard output. */
export const suppliersScreenCommand: Command = {
  name: "suppliers screen",
  summary: "screen a supplier list (CSV with a header) against the complicity registry and watch lists, directly or through ownership, and print the report as CSV",
  usage: "vigil suppliers screen FILE.csv [--hops N] [--threshold T] [--lists NAME,NAME] [--name-column H] [--address-column H] [--country-column H] [--org SLUG]",
  options: {
    hops: { type: "string" }, threshold: { type: "string" }, lists: { type: "string" }, org: { type: "string" }, file: { type: "string" },
    "name-column": { type: "string" }, "address-column": { type: "string" }, "country-column": { type: "string" },
  },
  positionals: ["file"],
  readsFile: "file",
  check(values) {
    if (!values.file) return "name the supplier list: vigil suppliers screen FILE.csv";
    if (values.hops !== undefined && !(/^\d$/.test(String(values.hops)) && Number(values.hops) <= MAX_HOPS)) return `--hops is a whole number from 0 to ${MAX_HOPS}`;
    if (values.threshold !== undefined && !/^(0(\.\d+)?|1(\.0+)?)$/.test(String(values.threshold))) return "--threshold is a number from 0 to 1";
    return null;
  },
  // stdin is the file's text, read by the `vigil` process (readsFile) as UTF-8.
  async run(services, values, stdin, io) {
    try {
      // Bytes that are not UTF-8 were read as U+FFFD: say so rather than screen garbled names.
      if (stdin.includes("\uFFFD")) {
        io.err("vigil: the file is not UTF-8 text (perhaps Windows-1252 or GBK): save it as CSV UTF-8");
        return 1;
      }
      const orgId = await orgIdForCommand(services, values.org as string | undefined);
      // The command sees what every member sees: restricted records and links stay out.
      const operator = { userId: "00000000-0000-0000-0000-000000000000", orgId, role: "viewer" as const, scopes: null };
      const option = (name: string) => (values[name] === undefined ? {} : { [name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]: String(values[name]) });
      const report = await screenSuppliers(services, CLI_ORIGIN, operator, stdin, {
        ...option("name-column"), ...option("address-column"), ...option("country-column"), ...option("hops"), ...option("threshold"),
        lists: values.lists === undefined ? [] : String(values.lists).split(",").map((l) => l.trim()).filter(Boolean),
      });
      io.out(supplierReportCsv(report).replace(/\r\n$/, ""));
      for (const r of report.rejected) io.err(`vigil: line ${r.line}: ${r.reason}`);
      io.err(`vigil: ${report.suppliers} suppliers screened, ${report.flagged} flagged, ${report.rejected.length} rows rejected`);
      return 0;
    } catch (error) {
      if (!(error instanceof VigilError)) throw error;
      const details = error instanceof Invalid ? Object.entries(error.fields).filter(([, v]) => !error.message.includes(v)) : [];
      io.err(`vigil: ${error.message}${details.length ? `: ${details.map(([k, v]) => `${k}: ${v}`).join("; ")}` : ""}`);
      return 1;
    }
  },
};
