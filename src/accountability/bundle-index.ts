// The bundle's human-readable index (index.pdf): the case, the checkpoint and its key, and each
// exhibit with its hashes, commitment, consent and custody history. Self-contained HTML for the
// shared Chromium printer; the strings are the exporter's locale.
import type { BundleManifest } from "./bundle.ts";

export interface BundleIndexLabels {
  title: string;
  case: string;
  forum: string;
  court: string;
  caseNumber: string;
  claims: string;
  defendants: string;
  created: string;
  purpose: string;
  mode: string;
  recipient: string;
  ledger: string;
  checkpoint: string;
  verifierKey: string;
  exhibits: string;
  exhibit: string;
  file: string;
  fileSha256: string;
  plaintextSha256: string;
  commitment: string;
  salt: string;
  received: string;
  party: string;
  consent: string;
  custody: string;
  howToVerify: string;
  verifyText: string;
}

function e(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function eventOf(leaf: string): { kind: string; time: string } {
  try {
    const event = JSON.parse(Buffer.from(leaf, "base64").toString("utf8")) as { kind: string; time: string };
    return { kind: event.kind, time: event.time };
  } catch {
    return { kind: "?", time: "" };
  }
}

export function bundleIndexHtml(m: BundleManifest, l: BundleIndexLabels, lang: string, dir: "ltr" | "rtl"): string {
  const row = (label: string, value: unknown, mono = false) => `<tr><th>${e(label)}</th><td${mono ? ' class="mono"' : ""}>${e(value)}</td></tr>`;
  const exhibits = m.exhibits
    .map(
      (x) => `<section class="exhibit"><h3>${e(l.exhibit)} ${e(x.label)}</h3>${x.description ? `<p>${e(x.description)}</p>` : ""}<table>
${row(l.file, `${x.path} (${x.fileSize} B, ${x.mediaType})`, true)}
${row(l.fileSha256, x.fileSha256, true)}
${row(l.plaintextSha256, x.plaintextSha256, true)}
${row(l.commitment, x.commitment, true)}
${row(l.salt, x.salt, true)}
${row(l.received, x.receivedAt)}
${x.party ? row(l.party, x.party) : ""}
${x.consent ? row(l.consent, `${x.consent.scope} — ${x.consent.givenAt}`) : ""}
</table><h4>${e(l.custody)}</h4><ol class="custody">${x.custody.map((c) => {
        const ev = eventOf(c.leaf);
        return `<li value="${c.index}">${e(ev.kind)} — ${e(ev.time)}</li>`;
      }).join("")}</ol></section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="${e(lang)}" dir="${dir}"><head><meta charset="utf-8"><title>${e(l.title)}</title><style>
@page { size: A4; margin: 18mm; }
body { font: 10.5pt/1.4 "Noto Sans", "Noto Sans Arabic", "Noto Sans CJK SC", sans-serif; }
table { border-collapse: collapse; inline-size: 100%; margin-block: 0.3em; }
th, td { text-align: start; vertical-align: top; padding: 0.15em 0.4em; border-block-end: 0.5pt solid #bbb; }
th { inline-size: 28%; font-weight: 600; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
.exhibit { break-inside: avoid-page; margin-block-start: 1em; }
pre { white-space: pre-wrap; font-size: 8.5pt; overflow-wrap: anywhere; }
</style></head><body>
<h1>${e(l.title)}</h1>
<h2>${e(l.case)}: ${e(m.case.name)}</h2>
<table>
${row(l.forum, m.case.forum)}
${m.case.court ? row(l.court, m.case.court) : ""}
${m.case.caseNumber ? row(l.caseNumber, m.case.caseNumber) : ""}
${m.case.claims.length ? row(l.claims, m.case.claims.join("; ")) : ""}
${m.case.defendants.length ? row(l.defendants, m.case.defendants.join("; ")) : ""}
${row(l.created, `${m.createdAt} (${m.createdBy})`)}
${row(l.purpose, m.purpose)}
${row(l.mode, m.mode)}
${m.recipient ? row(l.recipient, m.recipient, true) : ""}
</table>
<h2>${e(l.ledger)}</h2>
<table>${row(l.verifierKey, m.ledger.verifierKey, true)}</table>
<h3>${e(l.checkpoint)}</h3><pre>${e(m.ledger.checkpoint)}</pre>
<h2>${e(l.exhibits)}</h2>
${exhibits}
<h2>${e(l.howToVerify)}</h2><p>${e(l.verifyText)}</p>
</body></html>`;
}
