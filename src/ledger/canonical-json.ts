import { LedgerError } from "./errors.ts";

/** The JSON data model RFC 8785 canonicalizes: I-JSON (RFC 7493) values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deep enough for any custody event; a bound keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 64;

/**
 * RFC 8785 JSON Canonicalization Scheme. Accepts only the JSON data model: plain objects,
 * arrays, strings, finite numbers, booleans and null. Anything JSON.stringify would silently
 * drop or coerce (undefined, functions, NaN, Dates, class instances) is refused, because two
 * parties hashing "the same" event must see the same bytes.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, 0, "$");
}

export function canonicalizeToBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), "utf8");
}

function serialize(value: unknown, depth: number, path: string): string {
  if (depth > MAX_DEPTH) fail(path, "nesting deeper than 64 levels");
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return serializeNumber(value, path);
    case "string":
      return serializeString(value, path);
    case "object":
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => serialize(item, depth + 1, `${path}[${i}]`)).join(",")}]`;
      }
      return serializeObject(value, depth, path);
    default:
      return fail(path, `${typeof value} is not a JSON value`);
  }
}

/**
 * RFC 8785 §3.2.2.3: numbers are serialized as ECMAScript's Number.prototype.toString does
 * (ECMA-262 §7.1.12.1), which is what String() gives; -0 becomes "0" by the same rule.
 * NaN and ±Infinity have no JSON form and are an error (§3.2.2.3).
 */
function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`);
  return Object.is(value, -0) ? "0" : String(value);
}

/**
 * RFC 8785 §3.2.2.2: JSON.stringify's string escaping is exactly the canonical one (\" \\ \b \f
 * \n \r \t, other controls as lowercase \u00xx, everything else literal). Lone surrogates are
 * refused: I-JSON (RFC 7493 §2.1) forbids them and they have no UTF-8 encoding.
 */
// In a /u pattern a valid surrogate pair is one code point, so only lone halves match \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) fail(path, "string contains a lone surrogate");
  return JSON.stringify(value);
}

function serializeObject(value: object, depth: number, path: string): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(path, "only plain objects are JSON objects");
  if (Object.getOwnPropertySymbols(value).length > 0) fail(path, "symbol keys are not JSON");
  const record = value as Record<string, unknown>;
  // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units; the default
  // string comparison in JavaScript is exactly that (not locale, not code points).
  const keys = Object.keys(record).sort();
  const members = keys.map((key) => {
    const member = record[key];
    return `${serializeString(key, path)}:${serialize(member, depth + 1, `${path}.${key}`)}`;
  });
  return `{${members.join(",")}}`;
}

function fail(path: string, reason: string): never {
  throw new LedgerError("non-canonical-json", `cannot canonicalize ${path}: ${reason}`);
}
