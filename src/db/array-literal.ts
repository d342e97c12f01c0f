// A PostgreSQL array in its text form ('{"a","b",NULL}'), to be sent as one text parameter and cast
// in the query (`${arrayLiteral(ids)}::uuid[]`). The drivers would turn a JavaScript array into the
// same text, but element by element through general-purpose conversion and two regular-expression
// replacements each; an import sends millions of elements (ids, values, keys), and this one quotes
// with a scan only when an element holds a quote or a backslash. Every string element is quoted, so
// 'NULL', '' and values with commas, braces or spaces stay themselves.

export type ArrayElement = string | number | boolean | null | undefined;

/** A string that needs no escaping inside double quotes: most of what an import sends (ids, codes, names). */
function plainString(value: ArrayElement): boolean {
  return typeof value === "string" && value.indexOf('"') === -1 && value.indexOf("\\") === -1;
}

function quoted(text: string): string {
  if (plainString(text)) return `"${text}"`;
  return `"${text.replace(/[\\"]/g, "\\$&")}"`;
}

/** The text form of a one-dimensional array; null and undefined elements are SQL NULL. */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  if (values.every(plainString)) return values.length === 0 ? "{}" : `{"${(values as readonly string[]).join('","')}"}`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "string") parts[i] = quoted(v);
    else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new RangeError(`an array element must be a finite number, not ${v}`);
      parts[i] = String(v);
    } else parts[i] = v ? "t" : "f";
  }
  return `{${parts.join(",")}}`;
}
