// The records services explain a refusal in English, often naming the property or the value
// ("birthDate is not a valid EDTF date: …", "the record is at revision 4, not 3"). The pages show
// the explanation beside the field in the reader's language: known shapes are recognised here and
// translated with their particulars kept; exact messages go through the message catalogue.
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { translateMessage, type Translate } from "../i18n.ts";
import { formProblem, type FormProblem } from "../render.tsx";
import { schemaLabel } from "./labels.ts";

type Shape = [RegExp, (t: Translate, m: RegExpExecArray) => string];

const SHAPES: Shape[] = [
  [/^is not a valid EDTF date: (.+)$/, (t, m) => t("records.errors.edtf", { detail: m[1]! })],
  [/^is empty$/, (t) => t("records.errors.empty")],
  [/^is longer than (\d+) characters$/, (t, m) => t("records.errors.tooLong", { n: m[1]! })],
  [/^"(.*)" is not a term of the ([a-z-]+) vocabulary$/, (t, m) => t("records.errors.notATerm", { value: m[1]! })],
  [/^"(.*)" is a retired term of the ([a-z-]+) vocabulary: choose a current one$/, (t, m) => t("records.errors.retired", { value: m[1]! })],
  [/^"(.*)" is not a known .* code$/, (t, m) => t("records.errors.unknownCode", { value: m[1]! })],
  [/^is not an email address$/, (t) => t("records.errors.email")],
  [/^is not an http or https address$/, (t) => t("records.errors.url")],
  [/^is not a phone number$/, (t) => t("records.errors.phone")],
  [/^is not a number$/, (t) => t("records.errors.number")],
  [/^must be the id of a record$/, (t) => t("records.errors.notARecord")],
  [/^contains invalid characters$/, (t) => t("records.errors.invalidCharacters")],
  [/^must be a ([A-Za-z]+) record, not a ([A-Za-z]+)$/, (t, m) => t("records.errors.wrongKind", { kind: schemaLabel(t, m[1]!), actual: schemaLabel(t, m[2]!) })],
  [/^(?:the|this) record is at revision (\d+), not (\d+)/, (t, m) => t("records.errors.stale", { current: m[1]!, yours: m[2]! })],
  [/^the duplicate is at revision (\d+), not (\d+)/, (t, m) => t("records.errors.staleDuplicate", { current: m[1]!, yours: m[2]! })],
  [/^a ([A-Za-z]+) needs (.+)$/, (t, m) => t("records.errors.needs", { kind: schemaLabel(t, m[1]!), properties: m[2]! })],
];

/** A records service's message in the reader's language; the property name a field message starts with is left out (the field is labelled). */
export function translateFieldMessage(t: Translate, message: string): string {
  const own = /^[a-z][A-Za-z0-9]*:? (.+)$/.exec(message);
  for (const candidate of own && !/^(the|this|a|an|some|no|must|is|only|say|at)$/.test(message.split(/[: ]/)[0]!) ? [own[1]!, message] : [message]) {
    for (const [pattern, render] of SHAPES) {
      const m = pattern.exec(candidate);
      if (m) return render(t, m);
    }
  }
  return translateMessage(t, message);
}

/** formProblem, with the records services' messages translated as above. */
export function recordProblem(c: Context<AppEnv>, error: unknown): FormProblem {
  const problem = formProblem(c, error);
  const raw = error instanceof Error ? error.message : "";
  const fields = (error as { fields?: Record<string, string> }).fields ?? {};
  return {
    status: problem.status,
    message: translateFieldMessage(c.var.t, raw) || problem.message,
    errors: Object.fromEntries(Object.keys(problem.errors).map((k) => [k, translateFieldMessage(c.var.t, fields[k] ?? problem.errors[k]!)])),
  };
}
