// Reading the records pages as a browser would: the fields of a form as it would submit them, and
// the text of a page without its markup. Enough to edit a record through its real editor.

function unescape(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function attribute(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]!) : null;
}

/** The HTML of the first form that posts to `action`. */
export function formHtml(html: string, action: string): string {
  const start = html.indexOf(`<form method="post" action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  return html.slice(start, html.indexOf("</form>", start));
}

/**
 * The fields a form sends as it stands: hidden and text inputs, ticked boxes and chosen radios,
 * each select's selected option (or its first), textareas. Submit buttons are left out: the
 * caller adds the one it presses.
 */
export function formFields(html: string, action: string): Record<string, string | string[]> {
  const form = formHtml(html, action);
  const fields: [string, string][] = [];
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const name = attribute(tag, "name");
    const type = attribute(tag, "type") ?? "text";
    if (!name || type === "submit") continue;
    if ((type === "checkbox" || type === "radio") && !/\schecked(="")?[\s/>]/.test(tag)) continue;
    fields.push([name, attribute(tag, "value") ?? (type === "checkbox" ? "on" : "")]);
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attribute(m[1]!, "name");
    if (!name) continue;
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>/g)].map((o) => o[1]!);
    const chosen = options.find((o) => /\sselected(="")?(\s|$)/.test(o)) ?? options[0];
    if (chosen !== undefined) fields.push([name, attribute(chosen, "value") ?? ""]);
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attribute(m[1]!, "name");
    if (name) fields.push([name, unescape(m[2]!)]);
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/** The rows of an editor form, by number: property, statement, value, source. */
export function editorRows(fields: Record<string, string | string[]>): { n: string; property: string; statement: string; value: string }[] {
  const numbers = Array.isArray(fields.row) ? fields.row : fields.row ? [fields.row] : [];
  return numbers.map((n) => ({ n, property: String(fields[`p-${n}`] ?? ""), statement: String(fields[`s-${n}`] ?? ""), value: String(fields[`v-${n}`] ?? "") }));
}

/** The first empty row of a property in an editor form. */
export function emptyRow(fields: Record<string, string | string[]>, property: string): string {
  const row = editorRows(fields).find((r) => r.property === property && r.statement === "" && r.value === "");
  if (!row) throw new Error(`no empty row for ${property}`);
  return row.n;
}

/** A page's main content as text, tags removed and spaces folded. */
export function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return unescape(main.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").trim();
}
