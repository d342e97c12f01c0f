// Birth dates as EDTF (ISO 8601-2:2019 / Library of Congress Extended Date/Time Format, levels 0–1
// and the set notation of level 2: https://www.loc.gov/standards/datetime/) read as day intervals, so
// that "1969" and "1969-05-03" are compatible, "1969" and "1985" are not, and "1969~", "196X" and
// "1968/1970" widen the interval as they should.

/** Inclusive interval of days encoded as yyyymmdd integers (comparable, no calendar arithmetic needed). */
export interface DateInterval {
  start: number;
  end: number;
  /** True when the value names a single day. */
  exact: boolean;
}

const OPEN_START = 1_0101;
const OPEN_END = 9999_1231;

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// One EDTF date (no interval): YYYY, YYYY-MM, YYYY-MM-DD, with X for unspecified digits and a
// trailing ?, ~ or % qualifier (uncertain / approximate / both). Approximate and uncertain dates are
// widened by one year either side: a witness's "about 1969" should not exclude 1968.
function parseDate(raw: string): DateInterval | null {
  const m = /^(-?)([0-9X]{4})(?:-([0-9X]{2}))?(?:-([0-9X]{2}))?([?~%]?)$/.exec(raw);
  if (!m || m[1] === "-") return null;
  const [, , y = "", mo, d, q] = m;
  const yStart = Number(y.replace(/X/g, "0"));
  const yEnd = Number(y.replace(/X/g, "9"));
  let startMonth = 1;
  let endMonth = 12;
  if (mo && !mo.includes("X")) {
    startMonth = endMonth = Number(mo);
    if (startMonth < 1 || startMonth > 12) return null;
  }
  let startDay = 1;
  let endDay = lastDayOfMonth(yEnd, endMonth);
  if (d && !d.includes("X") && mo && !mo.includes("X")) {
    startDay = endDay = Number(d);
    if (startDay < 1 || startDay > lastDayOfMonth(yStart, startMonth)) return null;
  }
  const widen = q ? 1 : 0;
  const exact = !q && !y.includes("X") && startMonth === endMonth && startDay === endDay && !!d;
  return {
    start: (yStart - widen) * 10000 + startMonth * 100 + startDay,
    end: (yEnd + widen) * 10000 + endMonth * 100 + endDay,
    exact,
  };
}

/**
 * Parses an EDTF value into the intervals it allows: one for a date or an interval (A/B, ../B, A/..),
 * several for a set ([1968,1970], {1968..1970} read as its members and ranges). Returns [] for
 * anything unreadable, which callers treat as "no date".
 */
export function parseEdtfIntervals(value: string): DateInterval[] {
  const v = (typeof value === "string" ? value : "").trim().slice(0, 200);
  if (!v) return [];
  const set = /^[[{](.*)[\]}]$/.exec(v);
  if (set) {
    return (set[1] ?? "")
      .split(",")
      .slice(0, 20)
      .flatMap((member) => {
        const [a, b] = member.trim().split("..");
        if (b === undefined) return parseEdtfIntervals(a ?? "");
        return parseRange(a ?? "", b);
      });
  }
  if (v.includes("/")) {
    const [a = "", b = ""] = v.split("/");
    return parseRange(a, b);
  }
  // Tolerate a timestamp where a date was expected (1969-05-03T00:00:00Z).
  const date = parseDate(/^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 10) : v);
  return date ? [date] : [];
}

function parseRange(a: string, b: string): DateInterval[] {
  const start = a === "" || a === ".." ? { start: OPEN_START, end: OPEN_START, exact: false } : parseDate(a);
  const end = b === "" || b === ".." ? { start: OPEN_END, end: OPEN_END, exact: false } : parseDate(b);
  if (!start || !end || start.start > end.end) return [];
  return [{ start: start.start, end: end.end, exact: false }];
}

export type DateComparison = "same-day" | "compatible" | "mismatch" | "unknown";

/** Compares two lists of EDTF birth dates: any overlap is compatible; same-day when both name one day. */
export function compareBirthDates(a: readonly string[], b: readonly string[]): DateComparison {
  const left = a.slice(0, 10).flatMap(parseEdtfIntervals);
  const right = b.slice(0, 10).flatMap(parseEdtfIntervals);
  if (left.length === 0 || right.length === 0) return "unknown";
  let compatible = false;
  for (const x of left) {
    for (const y of right) {
      if (x.exact && y.exact && x.start === y.start) return "same-day";
      if (x.start <= y.end && y.start <= x.end) compatible = true;
    }
  }
  return compatible ? "compatible" : "mismatch";
}
