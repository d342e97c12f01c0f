import { VigilError } from "../core/index.ts";
import { orgIdForSlug } from "../custody/index.ts";
import { rebuildDetentions } from "../monitor/index.ts";
import type { Command } from "./command.ts";

/** Recomputes the detention rows the silence dashboard and alert rules read, from the records. */
export const monitorRebuildCommand: Command = {
  name: "monitor rebuild",
  summary: "recompute the monitored detentions (monitor_detentions) from the records, for one organisation or all",
  usage: "vigil monitor rebuild [--org SLUG]",
  options: { org: { type: "string" } },
  async run(services, values, _stdin, io) {
    const slug = values.org as string | undefined;
    try {
      const result = await rebuildDetentions(services, slug === undefined ? null : await orgIdForSlug(services, slug));
      io.out(`recomputed ${result.detentions} detentions`);
      return 0;
    } catch (error) {
      if (!(error instanceof VigilError)) throw error;
      io.err(`vigil: ${error.message}`);
      return 1;
    }
  },
};
