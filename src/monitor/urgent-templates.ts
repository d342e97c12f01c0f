// Urgent-action templates: the placeholder syntax, its checking and its rendering into blocks, and
// the templates shipped in English, Uyghur and Chinese. Pure code: no I/O.
//
// The syntax is deliberately tiny, so that a template an administrator writes can never run code:
//   {{name}}             the value of a placeholder (a list is joined; a missing value is "[unknown]")
//   {{#name}}…{{/name}}  what is between, only when the placeholder has a value
//   {{^name}}…{{/name}}  what is between, only when it has none
//   ## Heading           a line of its own that starts a section
//   {{concerns}}, {{requests}}, {{addressees}} alone in a paragraph: a list, or the addressees' blocks
// Paragraphs are separated by a blank line. Nothing is HTML: values and text are escaped where the
// document is drawn (urgent-document.ts).

export const URGENT_LANGUAGES = ["en", "ug", "zh"] as const;
export type UrgentLanguage = (typeof URGENT_LANGUAGES)[number];

export function isUrgentLanguage(value: unknown): value is UrgentLanguage {
  return typeof value === "string" && (URGENT_LANGUAGES as readonly string[]).includes(value);
}

/** The BCP 47 tag of a document language (what `lang` says and vocabularies are labelled in). */
export const LANGUAGE_TAG: Record<UrgentLanguage, "en" | "ug" | "zh-Hans"> = { en: "en", ug: "ug", zh: "zh-Hans" };
export const LANGUAGE_DIRECTION: Record<UrgentLanguage, "ltr" | "rtl"> = { en: "ltr", ug: "rtl", zh: "ltr" };

/** The facts read from the case, each a placeholder. */
export const FACT_PLACEHOLDERS = [
  "person",
  "person.aliases",
  "detention.date",
  "detention.place",
  "detention.agency",
  "detention.grounds",
  "status",
  "status.date",
  "facility",
  "treatment",
  "sentence",
  "sentence.court",
  "sentence.end",
] as const;
export type FactName = (typeof FACT_PLACEHOLDERS)[number];

/** Everything else a template may name. */
export const OTHER_PLACEHOLDERS = ["concerns", "requests", "addressees", "salutation", "organisation", "date", "reference"] as const;
export const PLACEHOLDERS: readonly string[] = [...FACT_PLACEHOLDERS, ...OTHER_PLACEHOLDERS];

const LIST_BLOCKS = new Set(["concerns", "requests"]);

export type Block =
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; name: "concerns" | "requests"; items: string[] }
  | { kind: "addressees" };

export type Values = Partial<Record<string, string | readonly string[]>>;

/** Words the renderer itself needs, per language. */
export const UNKNOWN: Record<UrgentLanguage, string> = { en: "[unknown]", ug: "[نامەلۇم]", zh: "[不详]" };
export const LIST_SEPARATOR: Record<UrgentLanguage, string> = { en: ", ", ug: "، ", zh: "、" };
export const DEFAULT_SALUTATION: Record<UrgentLanguage, string> = { en: "Dear Sir or Madam", ug: "ھۆرمەتلىك ئەپەندى ياكى خانىم", zh: "尊敬的先生/女士" };

export interface TemplateContent {
  subject: string;
  body: string;
  concerns: string[];
  requests: string[];
}

type Token = { kind: "text"; text: string } | { kind: "value"; name: string } | { kind: "open"; name: string; inverted: boolean } | { kind: "close"; name: string };

const TAG = /\{\{\s*([#^/]?)\s*([a-z][a-zA-Z]*(?:\.[a-z][a-zA-Z]*)*)\s*\}\}/g;

/** Splits a template into text and tags; returns the problems it finds instead of throwing. */
function tokenise(source: string): { tokens: Token[]; problems: string[] } {
  const tokens: Token[] = [];
  const problems: string[] = [];
  let last = 0;
  const stack: string[] = [];
  for (const match of source.matchAll(TAG)) {
    const text = source.slice(last, match.index);
    if (text.includes("{{") || text.includes("}}")) problems.push(`"${excerpt(text)}" has braces that are not a placeholder: write {{name}}`);
    if (text) tokens.push({ kind: "text", text });
    last = match.index + match[0].length;
    const [, sigil, name] = match as unknown as [string, string, string];
    if (!PLACEHOLDERS.includes(name)) {
      problems.push(`{{${name}}} is not a placeholder: use one of ${PLACEHOLDERS.join(", ")}`);
      continue;
    }
    if (sigil === "#" || sigil === "^") {
      stack.push(name);
      tokens.push({ kind: "open", name, inverted: sigil === "^" });
    } else if (sigil === "/") {
      const open = stack.pop();
      if (open !== name) problems.push(open ? `{{/${name}}} closes {{#${open}}}: close the inner section first` : `{{/${name}}} closes a section that was not opened`);
      tokens.push({ kind: "close", name });
    } else tokens.push({ kind: "value", name });
  }
  const rest = source.slice(last);
  if (rest.includes("{{") || rest.includes("}}")) problems.push(`"${excerpt(rest)}" has braces that are not a placeholder: write {{name}}`);
  if (rest) tokens.push({ kind: "text", text: rest });
  for (const open of stack) problems.push(`{{#${open}}} is never closed: add {{/${open}}}`);
  return { tokens, problems };
}

function excerpt(text: string): string {
  const at = Math.max(0, Math.min(text.indexOf("{{") === -1 ? text.indexOf("}}") : text.indexOf("{{"), text.length) - 10);
  return text.slice(at, at + 30).replace(/\s+/g, " ");
}

/** The problems of a template text, empty when it is well formed. */
export function checkTemplateText(source: string): string[] {
  return tokenise(source).problems;
}

function hasValue(value: string | readonly string[] | undefined): boolean {
  if (value === undefined) return false;
  return typeof value === "string" ? value.trim() !== "" : value.some((v) => v.trim() !== "");
}

/** Fills a template text: sections kept or dropped, values put in; the text stays plain. */
export function fillText(source: string, values: Values, language: UrgentLanguage): string {
  const { tokens, problems } = tokenise(source);
  if (problems.length > 0) throw new Error(`template not checked before use: ${problems[0]}`);
  let out = "";
  // Whether each open section is shown; inside a dropped section nothing is written.
  const shown: boolean[] = [];
  const visible = () => shown.length === 0 || shown[shown.length - 1]!;
  for (const token of tokens) {
    if (token.kind === "open") shown.push(visible() && hasValue(values[token.name]) !== token.inverted);
    else if (token.kind === "close") shown.pop();
    else if (!visible()) continue;
    else if (token.kind === "text") out += token.text;
    else {
      const value = values[token.name];
      if (!hasValue(value)) out += token.name === "salutation" ? DEFAULT_SALUTATION[language] : UNKNOWN[language];
      else out += typeof value === "string" ? value : (value as readonly string[]).filter((v) => v.trim() !== "").join(LIST_SEPARATOR[language]);
    }
  }
  return out;
}

/** Renders a template's body into blocks, in the document's language. */
export function renderBlocks(body: string, values: Values, language: UrgentLanguage): Block[] {
  const blocks: Block[] = [];
  const paragraphs = body.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/);
  for (const raw of paragraphs) {
    const trimmed = raw.trim();
    const alone = /^\{\{\s*([a-z]+)\s*\}\}$/.exec(trimmed)?.[1];
    if (alone && LIST_BLOCKS.has(alone)) {
      const value = values[alone];
      const items = (typeof value === "string" ? [value] : (value ?? [])).map((v) => v.trim()).filter((v) => v !== "");
      if (items.length > 0) blocks.push({ kind: "list", name: alone as "concerns" | "requests", items });
      continue;
    }
    if (alone === "addressees") {
      blocks.push({ kind: "addressees" });
      continue;
    }
    const text = fillText(trimmed, values, language).trim();
    if (!text) continue;
    if (text.startsWith("## ")) blocks.push({ kind: "heading", text: text.slice(3).trim() });
    else blocks.push({ kind: "paragraph", text: text.replace(/[ \t]*\n[ \t]*/g, "\n") });
  }
  return blocks;
}

/** The same document as plain text: for the email draft. */
export function blocksToText(blocks: readonly Block[], addressees: readonly string[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if (block.kind === "heading") parts.push(block.text.toUpperCase() === block.text ? block.text : `${block.text}\n${"-".repeat(Math.min(60, [...block.text].length))}`);
    else if (block.kind === "paragraph") parts.push(block.text);
    else if (block.kind === "list") parts.push(block.items.map((item) => `- ${item}`).join("\n"));
    else parts.push(addressees.join("\n\n"));
  }
  return `${parts.join("\n\n")}\n`;
}

// ——— the templates shipped with Vigil ———

const EN: TemplateContent = {
  subject: "Urgent Action: {{person}}",
  body: `## Urgent Action: {{person}}

{{date}}{{#reference}} · {{reference}}{{/reference}}

{{salutation}},

{{person}}{{#person.aliases}} (also known as {{person.aliases}}){{/person.aliases}} was detained{{#detention.date}} on {{detention.date}}{{/detention.date}}{{#detention.place}} at {{detention.place}}{{/detention.place}}{{#detention.agency}} by {{detention.agency}}{{/detention.agency}}.{{#detention.grounds}} The stated grounds are: {{detention.grounds}}.{{/detention.grounds}}

{{#status}}The latest information we hold{{#status.date}} ({{status.date}}){{/status.date}}: {{status}}.{{/status}}{{#facility}} {{person}} is believed to be held at {{facility}}.{{/facility}}{{#sentence}} Sentence: {{sentence}}{{#sentence.court}}, {{sentence.court}}{{/sentence.court}}{{#sentence.end}}, to end on {{sentence.end}}{{/sentence.end}}.{{/sentence}}

{{#treatment}}We have received reports of: {{treatment}}.{{/treatment}}

## Our concerns

{{concerns}}

## We call on you to

{{requests}}

Yours sincerely,
{{organisation}}

## Please write to

{{addressees}}`,
  concerns: [
    "{{person}} is held without access to a lawyer of their choice or to their family, and is at risk of torture and other ill-treatment.",
    "The detention appears to be arbitrary: a response to the peaceful exercise of the rights to freedom of expression, religion and association.",
  ],
  requests: [
    "Release {{person}} immediately and unconditionally, unless charged with an internationally recognised offence and tried in proceedings that meet international fair trial standards.",
    "Disclose the whereabouts and legal status of {{person}} to their family, and allow regular access to family, to lawyers of their choice and to medical care.",
    "Ensure that {{person}} is protected from torture and other ill-treatment while in custody.",
  ],
};

const UG: TemplateContent = {
  subject: "جىددىي ھەرىكەت: {{person}}",
  body: `## جىددىي ھەرىكەت: {{person}}

{{date}}{{#reference}} · {{reference}}{{/reference}}

{{salutation}}،

{{person}}{{#person.aliases}} (باشقا ئىسىملىرى: {{person.aliases}}){{/person.aliases}} تۇتقۇن قىلىنغان.{{#detention.date}} تۇتقۇن قىلىنغان ۋاقتى: {{detention.date}}.{{/detention.date}}{{#detention.place}} ئورنى: {{detention.place}}.{{/detention.place}}{{#detention.agency}} تۇتقۇن قىلغان ئورگان: {{detention.agency}}.{{/detention.agency}}{{#detention.grounds}} ئوتتۇرىغا قويۇلغان سەۋەب: {{detention.grounds}}.{{/detention.grounds}}

{{#status}}قولىمىزدىكى ئەڭ يېڭى ئۇچۇر{{#status.date}} ({{status.date}}){{/status.date}}: {{status}}.{{/status}}{{#facility}} تۇتۇپ تۇرۇلۇۋاتقان ئورنى: {{facility}}.{{/facility}}{{#sentence}} جازا مۇددىتى: {{sentence}}{{#sentence.court}}، {{sentence.court}}{{/sentence.court}}{{#sentence.end}}، ئاخىرلىشىدىغان ۋاقتى: {{sentence.end}}{{/sentence.end}}.{{/sentence}}

{{#treatment}}بىز تۆۋەندىكى مۇئامىلىلەر ھەققىدە خەۋەر تاپشۇرۇۋالدۇق: {{treatment}}.{{/treatment}}

## ئەندىشىلىرىمىز

{{concerns}}

## سىزدىن تەلەپ قىلىمىز

{{requests}}

ھۆرمەت بىلەن،
{{organisation}}

## تۆۋەندىكىلەرگە خەت يېزىڭ

{{addressees}}`,
  concerns: [
    "{{person}} ئۆزى تاللىغان ئادۋوكات ۋە ئائىلىسى بىلەن كۆرۈشەلمەيدۇ، قىيىن-قىستاق ۋە باشقا ناچار مۇئامىلىگە ئۇچراش خەۋپى بار.",
    "بۇ تۇتقۇن ئىختىيارىي تۇتقۇندەك قىلىدۇ: پىكىر، دىن ۋە ئۇيۇشۇش ئەركىنلىكىنى تىنچ يول بىلەن ئىشلەتكەنلىكى ئۈچۈن.",
  ],
  requests: [
    "{{person}} نى دەرھال ۋە شەرتسىز قويۇپ بېرىڭ، خەلقئارادا ئېتىراپ قىلىنغان جىنايەت بىلەن ئەيىبلەنمىگەن ۋە خەلقئارالىق ئادىل سوت ئۆلچىمىگە ئۇيغۇن سوتلانمىغان بولسا.",
    "{{person}} نىڭ قەيەردە ئىكەنلىكى ۋە قانۇنىي ئەھۋالىنى ئائىلىسىگە ئۇقتۇرۇڭ، ئائىلىسى، ئۆزى تاللىغان ئادۋوكات ۋە داۋالاش بىلەن دائىم ئۇچرىشىشىغا يول قويۇڭ.",
    "{{person}} نىڭ قاماقتا قىيىن-قىستاق ۋە باشقا ناچار مۇئامىلىدىن ساقلىنىشىغا كاپالەتلىك قىلىڭ.",
  ],
};

const ZH: TemplateContent = {
  subject: "紧急行动：{{person}}",
  body: `## 紧急行动：{{person}}

{{date}}{{#reference}} · {{reference}}{{/reference}}

{{salutation}}：

{{person}}{{#person.aliases}}（又名{{person.aliases}}）{{/person.aliases}}{{#detention.date}}于{{detention.date}}{{/detention.date}}{{#detention.place}}在{{detention.place}}{{/detention.place}}{{#detention.agency}}被{{detention.agency}}拘留。{{/detention.agency}}{{^detention.agency}}遭到拘留。{{/detention.agency}}{{#detention.grounds}}官方所称理由：{{detention.grounds}}。{{/detention.grounds}}

{{#status}}我们掌握的最新信息{{#status.date}}（{{status.date}}）{{/status.date}}：{{status}}。{{/status}}{{#facility}}据信{{person}}目前被关押在{{facility}}。{{/facility}}{{#sentence}}刑期：{{sentence}}{{#sentence.court}}，{{sentence.court}}{{/sentence.court}}{{#sentence.end}}，刑满日期：{{sentence.end}}{{/sentence.end}}。{{/sentence}}

{{#treatment}}我们收到的报告涉及：{{treatment}}。{{/treatment}}

## 我们的关切

{{concerns}}

## 我们请求您

{{requests}}

此致
敬礼
{{organisation}}

## 请致函

{{addressees}}`,
  concerns: [
    "{{person}}无法会见其自行选择的律师和家人，面临遭受酷刑和其他虐待的危险。",
    "此次拘留似属任意拘留，起因是和平行使言论、宗教和结社自由的权利。",
  ],
  requests: [
    "立即无条件释放{{person}}，除非其被控以国际公认的罪行，并在符合国际公正审判标准的程序中受审。",
    "向其家人告知{{person}}的下落和法律状况，并允许其定期会见家人、自行选择的律师并获得医疗。",
    "确保{{person}}在羁押期间免遭酷刑和其他虐待。",
  ],
};

export const DEFAULT_TEMPLATES: Record<UrgentLanguage, TemplateContent> = { en: EN, ug: UG, zh: ZH };
