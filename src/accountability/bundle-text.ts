// The strings a bundle carries (its PDF index and verify.html), in the exporter's language, taken
// from the locale files under cases.bundle.index.* and cases.bundle.verifier.*.
import type { BundleIndexLabels } from "./bundle-index.ts";
import type { BundleText } from "./bundle.ts";
import type { VerifierLabels } from "./verifier/page.ts";

const INDEX_KEYS: (keyof BundleIndexLabels)[] = [
  "title", "case", "forum", "court", "caseNumber", "claims", "defendants", "created", "purpose", "mode", "recipient", "ledger", "checkpoint",
  "verifierKey", "exhibits", "exhibit", "file", "fileSha256", "plaintextSha256", "commitment", "salt", "received", "party", "consent", "custody",
  "howToVerify", "verifyText",
];
const VERIFIER_KEYS: (keyof VerifierLabels)[] = ["title", "intro", "pinKey", "pinKeyHint", "chooseZip", "chooseFolder", "checking", "passed", "failed", "allPassed", "someFailed", "unreadable", "subject", "check", "detail", "result"];

export function bundleTextFor(translate: (key: string) => string, lang: string, dir: "ltr" | "rtl"): BundleText {
  return {
    index: Object.fromEntries(INDEX_KEYS.map((k) => [k, translate(`cases.bundle.index.${k}`)])) as unknown as BundleIndexLabels,
    verifier: Object.fromEntries(VERIFIER_KEYS.map((k) => [k, translate(`cases.bundle.verifier.${k}`)])) as unknown as VerifierLabels,
    lang,
    dir,
  };
}
