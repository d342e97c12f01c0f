import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalize, LedgerError } from "../../src/ledger/index.ts";

const hex = (s: string): string => Buffer.from(s, "utf8").toString("hex");

test("serializes the RFC 8785 §3.2.2 sample exactly", () => {
  // Input and expected output from RFC 8785 §3.2.2 (the numbers/string/literals example),
  // parsed by JSON.parse as the RFC's input JSON would be.
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
      '"literals": [null, true, false]}',
  ) as unknown;
  assert.equal(
    canonicalize(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

test("sorts keys by UTF-16 code units as in RFC 8785 §3.2.3", () => {
  // RFC 8785 §3.2.3 sorting example: the expected order is \r, 1, \u0080, \u00f6, \u20ac, 😀, \ufb33
  // (😀 = \ud83d\ude00 sorts before \ufb33 by code unit though after it by code point).
  const input = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
  };
  // (Object.keys would put "1" first, as JavaScript orders integer-like keys, so read the text.)
  const keys = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  assert.deepEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
  // RFC 8785 §3.2.4 gives the UTF-8 of the first member, {"\r":"Carriage Return", as 7b 22 5c 72 22 3a …
  assert.ok(hex(canonicalize(input)).startsWith("7b225c72223a"));
});

test("formats numbers as RFC 8785 Appendix B lists", () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
  const cases: [string, string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  for (const [bits, expected] of cases) {
    const value = Buffer.from(bits, "hex").readDoubleBE(0);
    assert.equal(canonicalize(value), expected, bits);
  }
});

test("escapes control characters in lowercase hex and leaves other characters literal", () => {
  assert.equal(canonicalize("\u0000\u001f\u007f\b\t\n\f\r\"\\/é"), '"\\u0000\\u001f\u007f\\b\\t\\n\\f\\r\\"\\\\/é"');
  assert.equal(canonicalize({ b: [1, { d: 1, c: 2 }], a: "x" }), '{"a":"x","b":[1,{"c":2,"d":1}]}');
});

test("refuses values JSON cannot represent faithfully", () => {
  const refused: unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    undefined,
    { a: undefined },
    [1, undefined],
    () => 1,
    Symbol("s"),
    10n,
    new Date(0),
    new Map(),
    "\ud800",
    { "\udc00": 1 },
    { [Symbol("k")]: 1 },
  ];
  for (const value of refused) {
    assert.throws(() => canonicalize(value), (e: unknown) => e instanceof LedgerError && e.code === "non-canonical-json", String(value));
  }
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => canonicalize(deep), LedgerError);
});
