// verify.html: one self-contained page (no network, no external script, no style from elsewhere)
// holding verify-bundle.js and verify-page.js inline. Its strings come from the exporter's locale.
import { readFileSync } from "node:fs";

export interface VerifierLabels {
  title: string;
  intro: string;
  chooseZip: string;
  chooseFolder: string;
  pinKey: string;
  pinKeyHint: string;
  checking: string;
  passed: string;
  failed: string;
  allPassed: string;
  someFailed: string;
  unreadable: string;
  subject: string;
  check: string;
  detail: string;
  result: string;
}

function source(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
}

// Read once: the files ship with Vigil and do not change while it runs.
const CHECKS = source("verify-bundle.js").replace(/^export /gm, "");
const PAGE = source("verify-page.js");

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function verifierPage(labels: VerifierLabels, lang: string, dir: "ltr" | "rtl"): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="${e(lang)}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>${e(labels.title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-inline-size: 60rem; padding-inline: 1rem; color: #1a1a1a; }
label { display: block; margin-block: 0.75rem; font-weight: 600; }
table { border-collapse: collapse; inline-size: 100%; margin-block-start: 1rem; }
td, th { border-block-end: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: start; vertical-align: top; }
td.detail { font-family: ui-monospace, monospace; font-size: 0.85em; overflow-wrap: anywhere; }
.pass .status, #summary.pass { color: #0a5c1f; }
.fail .status, #summary.fail { color: #a30d0d; }
#summary { font-size: 1.2rem; font-weight: 700; margin-block: 1rem; }
</style>
</head>
<body>
<h1>${e(labels.title)}</h1>
<p>${e(labels.intro)}</p>
<label for="key">${e(labels.pinKey)}</label>
<p id="key-hint">${e(labels.pinKeyHint)}</p>
<input id="key" type="text" size="80" dir="ltr" spellcheck="false" aria-describedby="key-hint">
<label for="zip">${e(labels.chooseZip)}</label>
<input id="zip" type="file" accept=".zip,application/zip">
<label for="folder">${e(labels.chooseFolder)}</label>
<input id="folder" type="file" webkitdirectory multiple>
<p id="summary" role="status" aria-live="polite"></p>
<table>
<thead><tr><th>${e(labels.result)}</th><th>${e(labels.subject)}</th><th>${e(labels.check)}</th><th>${e(labels.detail)}</th></tr></thead>
<tbody id="checks"></tbody>
</table>
<script>
"use strict";
const LABELS = ${scriptJson(labels)};
${CHECKS}
${PAGE}
</script>
</body>
</html>
`;
}
