// The one place where database values become JavaScript values, shared by the PGlite worker and
// the PostgreSQL driver so both give the same types. Plain JavaScript so the worker can load it.
// OIDs from PostgreSQL's pg_type catalogue.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;

function parseInt8(value) {
  const n = Number(value);
  // Counters and ledger indices stay far below 2^53; refuse silently wrong values.
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
  return n;
}

export const typeParsers = {
  [INT8]: parseInt8,
  // Exact decimals stay strings: no float rounding of money or coordinates.
  [NUMERIC]: (value) => value,
  // Calendar dates stay as written: no time-zone shift.
  [DATE]: (value) => value,
  [TIMESTAMPTZ]: (value) => new Date(value),
  [TIMESTAMP]: (value) => new Date(`${value}Z`),
};
