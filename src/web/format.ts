/** Formats shared by the pages. */

/** A route parameter that must be a UUID: anything else is a 404 before any handler runs. */
export const UUID_PARAM = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** A moment, in the reader's language, in UTC so that people in different places agree. */
export function formatTime(locale: string, date: Date | null): string {
  if (!date) return "—";
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date)} UTC`;
}

/** A size in bytes, in binary units, in the reader's number format. */
export function formatSize(locale: string, bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}
