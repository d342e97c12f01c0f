import { test } from "node:test";
import assert from "node:assert/strict";
import { blockingKeys, planCandidateKeys } from "../../src/names/index.ts";

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
  assert.deepEqual(planCandidateKeys(Object.keys(sizes), (k) => sizes[k] ?? 0, 500), ["j:AB", "p:A|B", "t:B"]);
  assert.deepEqual(planCandidateKeys(["t:A"], (k) => sizes[k] ?? 0, 500), ["t:A"]);
});
