import { test } from "node:test";
import assert from "node:assert/strict";
import { blockingKeys, matchNames, normalizeCompanyName, normalizeName } from "../../src/names/index.ts";

const person = (...names: string[]) => ({ schema: "Person" as const, names });

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

test("scores empty names and names of only punctuation as 0 without throwing", () => {
  for (const name of ["", "   ", "!!!", "·-·,", "\u200f\u200e\u0640"]) {
    assert.deepEqual(normalizeName(name).readings, []);
    assert.equal(matchNames(person(name), person("Ilham Tohti")).score, 0);
    assert.deepEqual(blockingKeys([name]), []);
  }
  assert.equal(matchNames(person(), person()).score, 0);
});

test("bounds the work on a 10,000-character name", () => {
  const warm = matchNames(person("Ilham Tohti"), person("Ilham Toxti"));
  assert.ok(warm.match);
  for (const huge of ["a".repeat(10_000), "伊".repeat(10_000), "ئى".repeat(5_000), "Ab ".repeat(3_400), "Чэнь".repeat(2_500)]) {
    const { value, ms } = timed(() => matchNames(person(huge, huge), person(huge, "Ilham Tohti")));
    assert.ok(value.score >= 0 && value.score <= 1);
    assert.ok(ms < 50, `${ms} ms`);
    assert.ok(timed(() => blockingKeys([huge])).ms < 50);
    assert.ok(timed(() => normalizeCompanyName(huge)).ms < 50);
  }
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
