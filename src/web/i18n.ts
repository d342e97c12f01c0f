import { readFileSync } from "node:fs";

export const LOCALES = ["en", "ug", "zh-Hans"] as const;
export type Locale = (typeof LOCALES)[number];

type Catalogue = Record<string, string>;

const RTL: ReadonlySet<Locale> = new Set(["ug"]);
const LOCALES_DIR = new URL("../../locales/", import.meta.url);

function flatten(tree: Record<string, unknown>, prefix = "", out: Catalogue = {}): Catalogue {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[path] = value;
    else if (value && typeof value === "object") flatten(value as Record<string, unknown>, path, out);
  }
  return out;
}

const catalogues = new Map<Locale, Catalogue>(
  LOCALES.map((locale) => [locale, flatten(JSON.parse(readFileSync(new URL(`${locale}.json`, LOCALES_DIR), "utf8")))]),
);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function direction(locale: Locale): "rtl" | "ltr" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Looks a key up in the locale, then in English; a missing key shows itself so it is noticed. */
export function translator(locale: Locale): Translate {
  const own = catalogues.get(locale)!;
  const english = catalogues.get("en")!;
  return (key, params) => {
    const template = own[key] ?? english[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
  };
}

/**
 * Services speak English; their messages are looked up by their text under `messages.`. A message
 * carrying a number ("wait 16 seconds") is looked up with the number as `{n}` and the number put back.
 */
export function translateMessage(t: Translate, message: string): string {
  const key = `messages.${message}`;
  const translated = t(key);
  if (translated !== key) return translated;
  const number = /\d+/.exec(message)?.[0];
  if (number === undefined) return message;
  const patternKey = `messages.${message.replace(/\d+/, "{n}")}`;
  const pattern = t(patternKey);
  return pattern === patternKey ? message : pattern.replace("{n}", number);
}

/** Picks the best supported locale from an Accept-Language header (RFC 9110 §12.5.4). */
export function negotiateLocale(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const ranges = header
    .split(",")
    .slice(0, 20)
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranges) {
    if (tag.startsWith("ug")) return "ug";
    if (tag === "zh" || tag.startsWith("zh-hans") || tag === "zh-cn" || tag === "zh-sg") return "zh-Hans";
    if (tag.startsWith("en")) return "en";
  }
  return fallback;
}

export function allKeys(locale: Locale): string[] {
  return Object.keys(catalogues.get(locale)!);
}
