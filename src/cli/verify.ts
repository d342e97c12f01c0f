// `vigil verify BUNDLE.zip [--key VERIFIER_KEY]`: checks a court bundle offline, with no database;
// prints each check and exits 1 if any failed.
import { parseArgs } from "node:util";
import { verifyBundleFile } from "../accountability/index.ts";

export const VERIFY_USAGE = "vigil verify BUNDLE.zip|FOLDER [--key VERIFIER_KEY]";

export async function verifyCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { key: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true });
  } catch (error) {
    console.error(`vigil verify: ${(error as Error).message}\nUsage: ${VERIFY_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`Usage: ${VERIFY_USAGE}\nChecks every hash, inclusion proof and signature of a court bundle, offline.`);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(`vigil verify: name one bundle\nUsage: ${VERIFY_USAGE}`);
    return 2;
  }
  const path = parsed.positionals[0]!;
  let result;
  try {
    result = await verifyBundleFile(path, parsed.values.key !== undefined ? { key: parsed.values.key } : {});
  } catch (error) {
    console.error(`vigil verify: cannot read ${path}: ${(error as Error).message}`);
    return 1;
  }
  for (const check of result.checks) console.log(`${check.ok ? "PASS" : "FAIL"}  ${check.subject}: ${check.check}${check.detail ? `  ${check.detail}` : ""}`);
  const failed = result.checks.filter((c) => !c.ok).length;
  if (failed > 0) {
    console.error(`vigil verify: ${failed} of ${result.checks.length} checks failed`);
    return 1;
  }
  console.log(`verified: all ${result.checks.length} checks passed`);
  return 0;
}
