// Precision and recall of the names engine on test/fixtures/names/pairs.jsonl, beside two baselines
// measured in the same run: PostgreSQL pg_trgm similarity on the raw names, and Jaro–Winkler on
// any-ascii transliterations. Figures are printed for all pairs and for the held-out quarter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import anyAscii from "any-ascii";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { DEFAULT_THRESHOLD, jaroWinkler, matchNames } from "../../src/names/index.ts";

interface Pair {
  a: string;
  b: string;
  label: "same" | "different";
  category: string;
  source: string[];
  split: "tune" | "holdout";
}

const pairs: Pair[] = readFileSync(fileURLToPath(new URL("../fixtures/names/pairs.jsonl", import.meta.url)), "utf8")
  .split("\n")
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Pair);

interface Figures {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

function figuresAt(scores: number[], labels: boolean[], threshold: number): Figures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    const predicted = s >= threshold;
    if (predicted && labels[i]) tp++;
    else if (predicted) fp++;
    else if (labels[i]) fn++;
  });
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, precision, recall, f1 };
}

function bestF1(scores: number[], labels: boolean[]): Figures {
  let best = figuresAt(scores, labels, 1);
  for (const t of [...new Set(scores)].sort((x, y) => x - y)) {
    const f = figuresAt(scores, labels, t);
    if (f.f1 > best.f1) best = f;
  }
  return best;
}

const fmt = (f: Figures): string =>
  `t=${f.threshold.toFixed(3)} P=${f.precision.toFixed(3)} R=${f.recall.toFixed(3)} F1=${f.f1.toFixed(3)}`;

test("the evaluation set has at least 300 cited pairs with hard negatives", () => {
  assert.ok(pairs.length >= 300);
  assert.ok(pairs.every((p) => p.source.length > 0 && p.a && p.b));
  assert.ok(pairs.filter((p) => p.label === "different").length >= 50);
});

test("reaches recall ≥ 0.95 at precision ≥ 0.97 at the default threshold, beside pg_trgm and Jaro–Winkler baselines", async () => {
  const db = await PGlite.create({ extensions: { pg_trgm } });
  try {
    await db.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    const trgm = await db.query<{ s: number }>(
      "SELECT similarity(a, b) AS s FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(a, b, n) ORDER BY n",
      [pairs.map((p) => p.a), pairs.map((p) => p.b)],
    );
    const systems: Record<string, { scores: number[]; defaultThreshold: number }> = {
      vigil: {
        scores: pairs.map((p) => matchNames({ schema: "Person", names: [p.a] }, { schema: "Person", names: [p.b] }).score),
        defaultThreshold: DEFAULT_THRESHOLD,
      },
      // pg_trgm's own default for the % operator (pg_trgm.similarity_threshold).
      pg_trgm: { scores: trgm.rows.map((r) => Number(r.s)), defaultThreshold: 0.3 },
      // A common screening default for Jaro–Winkler.
      "jaro-winkler(any-ascii)": {
        scores: pairs.map((p) => jaroWinkler(anyAscii(p.a).toLowerCase(), anyAscii(p.b).toLowerCase())),
        defaultThreshold: 0.9,
      },
    };
    const results: Record<string, Record<string, Figures>> = {};
    const lines: string[] = [];
    for (const [subset, keep] of [
      ["all", () => true],
      ["holdout", (p: Pair) => p.split === "holdout"],
      ["tune", (p: Pair) => p.split === "tune"],
    ] as const) {
      const idx = pairs.map((p, i) => (keep(p) ? i : -1)).filter((i) => i >= 0);
      const labels = idx.map((i) => pairs[i]?.label === "same");
      lines.push(`${subset} (${idx.length} pairs, ${labels.filter(Boolean).length} same)`);
      for (const [name, sys] of Object.entries(systems)) {
        const scores = idx.map((i) => sys.scores[i] ?? 0);
        const atDefault = figuresAt(scores, labels, sys.defaultThreshold);
        const best = bestF1(scores, labels);
        (results[subset] ??= {})[name] = atDefault;
        lines.push(`  ${name.padEnd(24)} default ${fmt(atDefault)} | best ${fmt(best)}`);
      }
    }
    console.log(lines.join("\n"));
    const vigil = results.all?.vigil;
    assert.ok(vigil);
    assert.ok(vigil.precision >= 0.97, `precision ${vigil.precision}`);
    assert.ok(vigil.recall >= 0.95, `recall ${vigil.recall}`);
  } finally {
    await db.close();
  }
});
