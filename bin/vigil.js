#!/usr/bin/env node
// The `vigil` command. Loads the TypeScript sources through tsx, so the repository runs as cloned.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
