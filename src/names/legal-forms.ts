// Company legal forms, so that "Xinjiang Huafu Co., Ltd.", "XINJIANG HUAFU COMPANY LIMITED" and
// "新疆华孚有限公司" compare on what names them rather than on their legal suffix. Forms are mapped to a
// short canonical tag (reported as a feature) and removed from the name. Sources: the ISO 20275
// Entity Legal Forms code list (https://www.gleif.org/en/about-lei/code-lists/iso-20275-entity-legal-forms-code-list)
// for the Latin and Cyrillic forms; the PRC Company Law (公司法, 2018) art. 2 for 有限责任公司 and 股份有限公司.

/** Latin and Cyrillic legal-form phrases (folded: lowercase, no punctuation) → canonical tag. */
const WORD_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["company limited by shares", "jsc"],
  ["public joint stock company", "pjsc"],
  ["open joint stock company", "pjsc"],
  ["closed joint stock company", "jsc"],
  ["joint stock company", "jsc"],
  ["limited liability company", "llc"],
  ["limited liability partnership", "llp"],
  ["gesellschaft mit beschrankter haftung", "gmbh"],
  ["общество с ограниченной ответственностью", "llc"],
  ["публичное акционерное общество", "pjsc"],
  ["открытое акционерное общество", "pjsc"],
  ["закрытое акционерное общество", "jsc"],
  ["акционерное общество", "jsc"],
  ["товарищество с ограниченной ответственностью", "llp"],
  ["company limited", "ltd"],
  ["co ltd", "ltd"],
  ["pte ltd", "ltd"],
  ["pty ltd", "ltd"],
  ["limited", "ltd"],
  ["ltd", "ltd"],
  ["llc", "llc"],
  ["llp", "llp"],
  ["plc", "plc"],
  ["incorporated", "inc"],
  ["inc", "inc"],
  ["corporation", "corp"],
  ["corp", "corp"],
  ["company", "co"],
  ["co", "co"],
  ["gmbh", "gmbh"],
  ["ag", "ag"],
  ["jsc", "jsc"],
  ["ojsc", "pjsc"],
  ["pjsc", "pjsc"],
  ["cjsc", "jsc"],
  ["oao", "pjsc"],
  ["zao", "jsc"],
  ["ooo", "llc"],
  ["ооо", "llc"],
  ["оао", "pjsc"],
  ["пао", "pjsc"],
  ["зао", "jsc"],
  ["ао", "jsc"],
  ["тоо", "llp"],
  ["sa", "sa"],
  ["sarl", "sarl"],
  ["srl", "srl"],
  ["spa", "spa"],
  ["bv", "bv"],
  ["nv", "nv"],
  ["group", "group"],
  ["holding", "holding"],
  ["holdings", "holding"],
];

/** Chinese legal forms, longest first since they nest (股份有限公司 ⊃ 有限公司 ⊃ 公司). */
const HAN_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["股份有限公司", "jsc"],
  ["有限责任公司", "llc"],
  ["有限責任公司", "llc"],
  ["有限公司", "ltd"],
  ["集团公司", "group"],
  ["集團公司", "group"],
  ["集团", "group"],
  ["集團", "group"],
  ["控股", "holding"],
  ["公司", "co"],
  ["株式会社", "kk"],
];

export interface CompanyName {
  /** The name without legal forms, cleaned and lowercased. */
  name: string;
  /** Canonical tags of the legal forms found, in order. */
  legalForms: string[];
}

// Punctuation inside forms ("Co., Ltd.", "L.L.C.", "S.A.") is removed before matching phrases.
function foldWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/(?<=\b\p{L})\.(?=\p{L}\.)/gu, "")
    .replace(/[^\p{L}\p{N}\p{Script=Han}]+/gu, " ")
    .trim()
    .split(" ")
    .filter((w) => w.length > 0);
}

const PHRASES = WORD_FORMS.map(([phrase, tag]) => [phrase.split(" "), tag] as const).sort((a, b) => b[0].length - a[0].length);

/**
 * Strips and normalises legal forms. Forms are recognised as whole words anywhere in a Latin or
 * Cyrillic name (sanctions lists put them first or last: "LLC Alfa", "Alfa LLC") and as suffixes or
 * infixes in Han names. A name that is nothing but a legal form keeps its words.
 */
export function normalizeCompanyName(raw: string): CompanyName {
  const text = typeof raw === "string" ? raw.slice(0, 800).normalize("NFKC") : "";
  const legalForms: string[] = [];
  let han = text;
  for (const [form, tag] of HAN_FORMS) {
    if (han.includes(form)) {
      han = han.split(form).join(" ");
      legalForms.push(tag);
    }
  }
  // "L.L.C." → "llc": join dotted single letters first.
  const words = foldWords(han.replace(/\b((?:\p{L}\.){2,})/gu, (m) => m.replace(/\./g, "")));
  const kept: string[] = [];
  for (let i = 0; i < words.length; ) {
    let matched = false;
    for (const [phrase, tag] of PHRASES) {
      if (i + phrase.length <= words.length && phrase.every((p, k) => words[i + k] === p)) {
        legalForms.push(tag);
        i += phrase.length;
        matched = true;
        break;
      }
    }
    if (!matched) kept.push(words[i++] ?? "");
  }
  const name = kept.length > 0 ? kept.join(" ") : words.join(" ");
  return { name, legalForms: [...new Set(legalForms)] };
}
