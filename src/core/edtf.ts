/**
 * Extended Date/Time Format (EDTF), the Library of Congress profile of ISO 8601-2:2019
 * (https://www.loc.gov/standards/datetime/, specification of 4 February 2019).
 *
 * Supported: all of level 0 (dates, date and time, intervals); all of level 1 (letter-prefixed
 * years, seasons 21–24, the qualifiers ? ~ %, unspecified digits X from the right, intervals with an
 * unknown ("") or open ("..") end, negative years); and from level 2 the forms documenters write:
 * unspecified digits anywhere (`156X-12-25`, `1XXX-XX`), the sub-year groupings 25–41 and sets
 * (`[1667,1668,1670..1672]` one of, `{1960,1961-12}` all of). Not supported: exponential years,
 * significant digits, and qualifiers on single components (`2004-?06-11`).
 *
 * A value is stored as written; `earliest` and `latest` are the first and last day it can mean, so
 * "2017?" sorts with 2017 and a filter on 2017-06 finds "2017". Uncertain (?) and approximate (~)
 * values keep the range of the date as written: how far "about 1969" stretches is a judgment for the
 * reader (the names matcher widens it on its own).
 */

export type EdtfQualifier = "uncertain" | "approximate" | "unspecified" | "interval" | "set" | "open" | "unknown";

export interface EdtfDate {
  /** The value as written (trimmed). */
  text: string;
  /** First day the value can mean, YYYY-MM-DD; years before 0000 are clamped to 0000-01-01. */
  earliest: string;
  /** Last day the value can mean, YYYY-MM-DD; years after 9999 (and open ends) are clamped to 9999-12-31. */
  latest: string;
  qualifiers: EdtfQualifier[];
}

export type EdtfResult = { ok: true; value: EdtfDate } | { ok: false; error: string };

/** Longest value we read: a set of a few dozen dates, never a pasted document. */
export const EDTF_MAX_LENGTH = 512;

const MIN_DAY: Day = { y: 0, m: 1, d: 1 };
const MAX_DAY: Day = { y: 9999, m: 12, d: 31 };

interface Day {
  y: number;
  m: number;
  d: number;
}

interface Span {
  from: Day;
  to: Day;
  qualifiers: Set<EdtfQualifier>;
}

class EdtfError extends Error {}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function isLeapYear(year: number): boolean {
  // Proleptic Gregorian calendar, as ISO 8601 counts: year 0000 (1 BC) is a leap year.
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The most days month `m` has in any year from first to last (29 for February when a leap year is among them). */
function longestMonth(first: number, last: number, m: number): number {
  if (m !== 2) return daysInMonth(2000, m);
  for (let y = first; y <= Math.min(last, first + 8); y++) if (isLeapYear(y)) return 29;
  return 28;
}

function compareDays(a: Day, b: Day): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

function formatDay(day: Day): string {
  const clamped = compareDays(day, MIN_DAY) < 0 ? MIN_DAY : compareDays(day, MAX_DAY) > 0 ? MAX_DAY : day;
  return `${String(clamped.y).padStart(4, "0")}-${String(clamped.m).padStart(2, "0")}-${String(clamped.d).padStart(2, "0")}`;
}

/** The values 1..max whose two-digit form matches a pattern with X for unspecified digits. */
function matching(pattern: string, max: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= max; n++) {
    const digits = String(n).padStart(2, "0");
    if ([...pattern].every((c, i) => c === "X" || c === digits[i])) out.push(n);
  }
  return out;
}

/**
 * Sub-year groupings (level 1: 21–24; level 2: 25–41) as [first month, last month], months past 12
 * running into the next year. Seasons follow the meteorological calendar of the northern hemisphere
 * when no hemisphere is given: winter 2001 is December 2001 to February 2002.
 */
const GROUPINGS: Record<number, [number, number]> = {
  21: [3, 5], 22: [6, 8], 23: [9, 11], 24: [12, 14],
  25: [3, 5], 26: [6, 8], 27: [9, 11], 28: [12, 14],
  29: [9, 11], 30: [12, 14], 31: [3, 5], 32: [6, 8],
  33: [1, 3], 34: [4, 6], 35: [7, 9], 36: [10, 12],
  37: [1, 4], 38: [5, 8], 39: [9, 12],
  40: [1, 6], 41: [7, 12],
};

function monthDay(year: number, month: number, lastDay: boolean): Day {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return { y, m, d: lastDay ? daysInMonth(y, m) : 1 };
}

const DATE = /^(?:Y(-?\d{5,})|(-?[0-9X]{4}))(?:-([0-9X]{2})(?:-([0-9X]{2}))?)?(?:T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}(?::\d{2})?)?)?([?~%])?$/;

/** One date: a year, a month or season, or a day, each part possibly unspecified, possibly qualified. */
function parseDate(text: string): Span {
  if (/^Y-?\d+E\d+/.test(text)) throw new EdtfError(`"${text}": exponential years are not supported`);
  if (/S\d+[?~%]?$/.test(text)) throw new EdtfError(`"${text}": significant digits are not supported`);
  if (/^[?~%]|-[?~%]/.test(text)) throw new EdtfError(`"${text}": put ?, ~ or % at the end of the date; qualifying one part of a date is not supported`);
  const match = DATE.exec(text);
  if (!match) throw new EdtfError(`"${text}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (X for an unknown digit)`);
  const [, longYear, year = "", month, day, hour, minute, second, , qualifier] = match;
  const qualifiers = new Set<EdtfQualifier>();
  if (qualifier === "?" || qualifier === "%") qualifiers.add("uncertain");
  if (qualifier === "~" || qualifier === "%") qualifiers.add("approximate");

  let firstYear: number;
  let lastYear: number;
  if (longYear !== undefined) {
    // Level 1: the Y prefix is for years of more than four digits only.
    if (month !== undefined) throw new EdtfError(`"${text}": a Y-prefixed year cannot have a month or day`);
    firstYear = lastYear = Number(longYear);
  } else {
    const negative = year.startsWith("-");
    const digits = negative ? year.slice(1) : year;
    if (digits.includes("X")) qualifiers.add("unspecified");
    const low = Number(digits.replace(/X/g, "0"));
    const high = Number(digits.replace(/X/g, "9"));
    if (negative && high === 0) throw new EdtfError(`"${text}": year -0000 does not exist; write 0000`);
    [firstYear, lastYear] = negative ? [-high, -low] : [low, high];
  }

  if (month === undefined) {
    if (hour !== undefined) throw new EdtfError(`"${text}": a time needs a full date`);
    return { from: { y: firstYear, m: 1, d: 1 }, to: { y: lastYear, m: 12, d: 31 }, qualifiers };
  }

  if (!month.includes("X") && Number(month) >= 21) {
    const grouping = GROUPINGS[Number(month)];
    if (!grouping) throw new EdtfError(`"${text}": ${month} is neither a month (01–12) nor a season (21–41)`);
    if (day !== undefined) throw new EdtfError(`"${text}": a season cannot have a day`);
    return { from: monthDay(firstYear, grouping[0], false), to: monthDay(lastYear, grouping[1], true), qualifiers };
  }
  const months = matching(month, 12);
  if (months.length === 0) {
    throw new EdtfError(month.includes("X") ? `"${text}": no month matches ${month}` : `"${text}": month ${Number(month)} does not exist (months run 01–12)`);
  }
  if (month.includes("X")) qualifiers.add("unspecified");
  const firstMonth = months[0]!;
  const lastMonth = months[months.length - 1]!;

  if (day === undefined) {
    return { from: { y: firstYear, m: firstMonth, d: 1 }, to: { y: lastYear, m: lastMonth, d: daysInMonth(lastYear, lastMonth) }, qualifiers };
  }
  if (day.includes("X")) {
    qualifiers.add("unspecified");
    if (hour !== undefined) throw new EdtfError(`"${text}": a time needs a full date`);
    const days = matching(day, 31);
    if (days.length === 0) throw new EdtfError(`"${text}": no day matches ${day}`);
    const firstDay = days[0]!;
    // The last matching day that exists in the last possible month, so 2019-02-3X is refused.
    const lastDay = days.filter((d) => d <= daysInMonth(lastYear, lastMonth)).pop();
    if (lastDay === undefined || firstDay > daysInMonth(lastYear, lastMonth)) throw new EdtfError(`"${text}": no day of ${MONTH_NAMES[lastMonth - 1]} matches ${day}`);
    return { from: { y: firstYear, m: firstMonth, d: firstDay }, to: { y: lastYear, m: lastMonth, d: lastDay }, qualifiers };
  }
  const d = Number(day);
  if (d < 1 || d > 31) throw new EdtfError(`"${text}": day ${d} does not exist (days run 01–31)`);
  if (!month.includes("X") && !year.includes("X") && longYear === undefined) {
    const m = firstMonth;
    const length = daysInMonth(firstYear, m);
    if (d > length) {
      throw new EdtfError(
        m === 2 && d === 29
          ? `"${text}": ${firstYear} is not a leap year, so February has 28 days`
          : `"${text}": ${MONTH_NAMES[m - 1]} has ${length} days, not ${d}`,
      );
    }
  } else if (months.every((m) => d > longestMonth(firstYear, lastYear, m))) {
    throw new EdtfError(`"${text}": no month matching ${month} has a day ${d}`);
  }
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)) {
    throw new EdtfError(`"${text}": ${hour}:${minute}:${second} is not a time of day`);
  }
  return { from: { y: firstYear, m: firstMonth, d }, to: { y: lastYear, m: lastMonth, d: Math.min(d, daysInMonth(lastYear, lastMonth)) }, qualifiers };
}

function parseInterval(text: string): Span {
  const parts = text.split("/");
  if (parts.length !== 2) throw new EdtfError(`"${text}": an interval has one slash, between its start and its end`);
  const [start = "", end = ""] = parts;
  if ((start === "" || start === "..") && (end === "" || end === "..")) throw new EdtfError(`"${text}": an interval needs a start or an end`);
  const qualifiers = new Set<EdtfQualifier>(["interval"]);
  const side = (part: string): Span | null => {
    if (part === "") {
      qualifiers.add("unknown");
      return null;
    }
    if (part === "..") {
      qualifiers.add("open");
      return null;
    }
    const span = parseDate(part);
    for (const q of span.qualifiers) qualifiers.add(q);
    return span;
  };
  const from = side(start);
  const to = side(end);
  if (from && to && compareDays(from.from, to.to) > 0) throw new EdtfError(`"${text}": the interval ends (${end}) before it begins (${start})`);
  return { from: from?.from ?? MIN_DAY, to: to?.to ?? MAX_DAY, qualifiers };
}

function parseSet(text: string): Span {
  const inner = text.slice(1, -1).trim();
  if (inner === "") throw new EdtfError(`"${text}": a set needs at least one date`);
  const qualifiers = new Set<EdtfQualifier>(["set"]);
  const spans: Span[] = [];
  for (const raw of inner.split(",")) {
    const member = raw.trim();
    const range = member.split("..");
    if (range.length > 2) throw new EdtfError(`"${text}": "${member}" has more than one ..`);
    if (range.length === 2) {
      const [a = "", b = ""] = range;
      if (a === "" && b === "") throw new EdtfError(`"${text}": ".." alone is not a member`);
      const from = a === "" ? null : parseDate(a);
      const to = b === "" ? null : parseDate(b);
      if (from && to && compareDays(from.from, to.to) > 0) throw new EdtfError(`"${text}": the range ${member} ends before it begins`);
      if (!from || !to) qualifiers.add("open");
      spans.push({ from: from?.from ?? MIN_DAY, to: to?.to ?? MAX_DAY, qualifiers: new Set([...(from?.qualifiers ?? []), ...(to?.qualifiers ?? [])]) });
    } else {
      spans.push(parseDate(member));
    }
  }
  for (const span of spans) for (const q of span.qualifiers) qualifiers.add(q);
  const from = spans.map((s) => s.from).sort(compareDays)[0]!;
  const to = spans.map((s) => s.to).sort(compareDays).pop()!;
  return { from, to, qualifiers };
}

/** Reads an EDTF value, or says exactly what is wrong with it. */
export function parseEdtf(input: string): EdtfResult {
  const text = input.trim();
  if (text === "") return { ok: false, error: "the date is empty" };
  if (text.length > EDTF_MAX_LENGTH) return { ok: false, error: `a date is at most ${EDTF_MAX_LENGTH} characters` };
  try {
    const span = /^\[.*\]$|^\{.*\}$/.test(text) ? parseSet(text) : text.includes("/") ? parseInterval(text) : parseDate(text);
    return { ok: true, value: { text, earliest: formatDay(span.from), latest: formatDay(span.to), qualifiers: [...span.qualifiers].sort() } };
  } catch (error) {
    if (error instanceof EdtfError) return { ok: false, error: error.message };
    throw error;
  }
}

export function isEdtf(input: string): boolean {
  return parseEdtf(input).ok;
}
