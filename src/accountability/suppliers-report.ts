// The supplier screening report as CSV, one line per finding, then one per rejected row; formulas
// defused by the one CSV writer (src/core/csv.ts).
import { csvLine } from "../core/index.ts";
import type { SupplierFinding, SupplierReport } from "./suppliers.ts";

function pathText(f: SupplierFinding): string {
  return f.path.map((step, i) => {
    const share = i > 0 ? f.links[i - 1]?.percentage : null;
    return `${i > 0 ? (share ? `owned ${share}% by ` : "owned by ") : ""}${step.caption ?? step.id}`;
  }).join(" → ");
}

function reasonColumns(f: SupplierFinding): string[] {
  const r = f.reason;
  if (r.kind === "complicity") {
    return ["complicity", "", "", [...new Set(r.findings.flatMap((x) => x.types))].join("; "), [...new Set(r.findings.flatMap((x) => x.sources.map((s) => s.caption ?? s.id)))].join("; "), String(r.findings.reduce((n, x) => n + x.evidence, 0)), r.findings.map((x) => x.id).join("; ")];
  }
  if (r.kind === "watch-list") return ["watch list", r.list, "", "", "", "", ""];
  return ["list", r.list, r.jurisdiction ?? "", r.entry, "", "", ""];
}

export function supplierReportCsv(report: SupplierReport): string {
  let out = csvLine(["line", "supplier", "address", "country", "matched_record", "matched_caption", "score", "hops", "path", "reason", "list", "jurisdiction", "complicity_types_or_entry", "sources", "evidence_files", "findings"]);
  for (const f of report.findings) {
    out += csvLine([f.line, f.supplier.name, f.supplier.address ?? "", f.supplier.country ?? "", f.matched?.id ?? "", f.matched?.caption ?? "", f.matched ? f.matched.score.toFixed(3) : "", f.hops, f.matched ? pathText(f) : f.supplier.name, ...reasonColumns(f)]);
  }
  for (const r of report.rejected) out += csvLine([r.line, "", "", "", "", "", "", "", "", "rejected", "", "", "", "", "", r.reason]);
  return out;
}
