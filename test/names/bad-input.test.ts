import { test } from "node:test";
import assert from "node:assert/strict";
import { blockingKeys, matchNames, MAX_NAME_CHARS, normalizeCompanyName, normalizeName } from "../../src/names/index.ts";

const person = (...names: string[]) => ({ schema: "Person" as const, names });

test("scores empty names and names of only punctuation as 0 without throwing", () => {
  for (const name of ["", "   ", "!!!", "·-·,", "\u200f\u200e\u0640"]) {
    assert.deepEqual(normalizeName(name).readings, []);
    assert.equal(matchNames(person(name), person("Ilham Tohti")).score, 0);
    assert.deepEqual(blockingKeys([name]), []);
  }
  assert.equal(matchNames(person(), person()).score, 0);
});

// The bound is structural, not timed (timings belong in bench/): a 10,000-character name is cut to
// MAX_NAME_CHARS before any work, so it costs exactly what its first MAX_NAME_CHARS characters cost.
test("bounds the work on a 10,000-character name by cutting it first", () => {
  for (const huge of ["a".repeat(10_000), "伊".repeat(10_000), "ئى".repeat(5_000), "Ab ".repeat(3_400), "Чэнь".repeat(2_500)]) {
    const head = [...huge].slice(0, MAX_NAME_CHARS).join("");
    const [a, b] = [normalizeName(huge), normalizeName(head)];
    assert.deepEqual([a.cleaned, a.readings], [b.cleaned, b.readings], "the tail beyond the cut changes nothing");
    assert.ok([...normalizeName(huge).cleaned].length <= MAX_NAME_CHARS);
    assert.deepEqual(blockingKeys([huge]), blockingKeys([head]));
    assert.ok(blockingKeys([huge]).length <= 64);
    const value = matchNames(person(huge, huge), person(huge, "Ilham Tohti"));
    assert.ok(value.score >= 0 && value.score <= 1);
    assert.deepEqual(normalizeCompanyName(huge), normalizeCompanyName(huge + " Holdings Ltd".repeat(1_000)), "company names are cut before work too");
  }
  assert.ok(matchNames(person("Ilham Tohti"), person("Ilham Toxti")).match);
});

test("reads mixed scripts inside one token", () => {
  const mixed = normalizeName("Ilhamتوختى");
  assert.deepEqual(mixed.readings[0]?.tokens, ["ilham", "toxti"]);
  assert.ok(matchNames(person("Ilhamتوختى"), person("Ilham Tohti")).match);
  assert.ok(normalizeName("陈Quanguo").readings.length > 0);
});

test("survives non-string values at runtime", () => {
  const bogus = [null, undefined, 42] as unknown as string[];
  assert.doesNotThrow(() => matchNames(person(...bogus), person("Ilham Tohti")));
  assert.deepEqual(normalizeName(null as unknown as string).readings, []);
});
