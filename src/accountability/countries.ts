import { model } from "../records/index.ts";

/**
 * A country as lists and supplier files write it — an ISO code, FtM's label, the runtime's English
 * region name, or a common alias — to the lower-case ISO 3166 code FtM uses, so the names engine
 * compares nationalities as codes. A name it cannot place gives null: left out rather than
 * counted as a different country.
 */
let codes: Map<string, string> | null = null;

function table(): Map<string, string> {
  if (codes) return codes;
  codes = new Map();
  const regions = new Intl.DisplayNames(["en"], { type: "region" });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const label = regions.of(code);
      if (label && label !== code) {
        codes.set(label.toLowerCase(), code.toLowerCase());
        codes.set(code.toLowerCase(), code.toLowerCase());
      }
    }
  }
  const ftm = (model.types as unknown as { country: { values: Map<string, string> | Record<string, string> } }).country.values;
  for (const [code, label] of ftm instanceof Map ? ftm : Object.entries(ftm)) {
    codes.set(label.toLowerCase(), code);
    codes.set(code.toLowerCase(), code);
  }
  for (const [alias, code] of [
    ["usa", "us"], ["united states of america", "us"], ["united states", "us"], ["uk", "gb"], ["great britain", "gb"], ["united kingdom", "gb"],
    ["prc", "cn"], ["people's republic of china", "cn"], ["china, people's republic of", "cn"], ["hong kong", "hk"], ["taiwan", "tw"],
    ["south korea", "kr"], ["korea, south", "kr"], ["korea", "kr"], ["north korea", "kp"], ["korea, north", "kp"],
    ["russia", "ru"], ["iran", "ir"], ["burma", "mm"], ["syria", "sy"], ["vietnam", "vn"],
  ] as const) {
    codes.set(alias, code);
  }
  return codes;
}

export function countryCode(value: string): string | null {
  // Names before codes: "UK" is the United Kingdom (gb), not a code of its own.
  return table().get(value.trim().toLowerCase().replace(/\s+/g, " ")) ?? null;
}
