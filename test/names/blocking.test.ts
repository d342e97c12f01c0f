import { test } from "node:test";
import assert from "node:assert/strict";
import { birthDecades, blockingKeys, compareBirthDates, planCandidateKeys } from "../../src/names/index.ts";

const shareKey = (a: string, b: string) => {
  const ka = new Set(blockingKeys([a]));
  return blockingKeys([b]).some((k) => ka.has(k));
};

test("puts spellings of one name in a common block", () => {
  const forms = ["Ilham Tohti", "ئىلھام توختى", "Илһам Тохти", "伊力哈木·土赫提", "Yilihamu Tuheti", "TOHTI, Ilham"];
  for (const a of forms) for (const b of forms) assert.ok(shareKey(a, b), `${a} / ${b}`);
  assert.ok(shareKey("Чэнь Цюаньго", "陳全國"));
  assert.ok(shareKey("Abdu Rahman", "Abdurahman"));
});

test("yields a few short keys per name", () => {
  const keys = blockingKeys(["Ilham Tohti"]);
  assert.ok(keys.length > 0 && keys.length <= 8, keys.join(","));
  assert.ok(keys.every((k) => k.length < 32));
  assert.deepEqual(blockingKeys([""]), []);
});

test("plans the rarest keys within a candidate budget", () => {
  const sizes: Record<string, number> = { "p:A|B": 40, "t:A": 90_000, "t:B": 300, "j:AB": 35 };
  const size = (k: string) => ({ size: sizes[k] ?? 0, capped: false });
  // A common name part is not read beside the pair: it would bring records sharing nothing else.
  assert.deepEqual(planCandidateKeys(Object.keys(sizes), size, 500), { keys: [{ key: "j:AB", limit: 35 }, { key: "p:A|B", limit: 40 }], truncated: false });
  // A rare one is, as insurance for a spelling whose other part's skeleton differs.
  const rare = (k: string) => ({ size: k === "t:B" ? 30 : (sizes[k] ?? 0), capped: false });
  assert.deepEqual(planCandidateKeys(Object.keys(sizes), rare, 500).keys.map((k) => k.key), ["j:AB", "p:A|B", "t:B"]);
  // A one-word name has single keys only: they are read, rarest first, within the budget.
  assert.deepEqual(planCandidateKeys(["t:A", "t:B"], size, 500), { keys: [{ key: "t:B", limit: 300 }], truncated: false });
  // Pair keys come first even when a single key is smaller.
  const smallSingle = (k: string) => ({ size: k === "t:B" ? 200 : k === "p:A|B" ? 400 : 0, capped: false });
  assert.deepEqual(planCandidateKeys(["t:B", "p:A|B"], smallSingle, 500).keys.map((k) => k.key), ["p:A|B"]);
});

test("reads only part of a block larger than the budget, and says so", () => {
  // Counted up to budget + 1: a capped block is "at least" that big.
  const size = (k: string) => (k === "t:A" ? { size: 501, capped: true } : { size: 0, capped: false });
  assert.deepEqual(planCandidateKeys(["t:A", "p:A|Z"], size, 500), { keys: [{ key: "t:A", limit: 500 }], truncated: true });
  // A second over-budget key is never added to the first.
  const two = (k: string) => ({ size: k === "p:A|B" ? 400 : 501, capped: k !== "p:A|B" });
  assert.deepEqual(planCandidateKeys(["t:A", "p:A|B", "j:AB"], two, 500), { keys: [{ key: "p:A|B", limit: 400 }], truncated: false });
  assert.deepEqual(planCandidateKeys([], size, 500), { keys: [], truncated: false });
});

test("keys birth dates by decade, so that every compatible pair of dates shares one", () => {
  assert.deepEqual(birthDecades(["1969-10-25"]), [196]);
  assert.deepEqual(birthDecades(["1969", "1971~"]), [196, 197]);
  assert.deepEqual(birthDecades(["1968/1972"]), [196, 197]);
  // Too vague to key: the record meets queries of every decade.
  assert.equal(birthDecades(["19XX"]), null);
  assert.equal(birthDecades(["../1990"]), null);
  assert.deepEqual(birthDecades(["1950", "1970", "1990"]), [195, 197, 199]);
  assert.equal(birthDecades(["1950", "1970", "1990", "2010"]), null);
  assert.equal(birthDecades([]), null);
  assert.equal(birthDecades(["not a date"]), null);
  const dates = ["1969", "1969-10-25", "1970~", "196X", "1958/1961", "[1968,1980]", "1979-12-31", "1980-01-01", "2001", "1990?"];
  for (const a of dates) {
    for (const b of dates) {
      const [da, db] = [birthDecades([a]), birthDecades([b])];
      if (compareBirthDates([a], [b]) === "mismatch" || da === null || db === null) continue;
      assert.ok(da.some((d) => db.includes(d)), `${a} and ${b} are compatible but share no decade`);
    }
  }
});
