import { inflateSync, constants } from "node:zlib";

/**
 * The text of a PDF as Chromium (Skia) writes it, for tests: objects in the open (no object
 * streams), Flate-compressed content, fonts with ToUnicode maps. Each font's codes are mapped
 * through its map; text runs are joined in the order the content stream draws them. Right-to-left
 * runs are drawn in visual order, so callers compare Arabic-script text reversed as well (see
 * `containsText`).
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString("latin1");
  const objects = new Map<number, { dict: string; stream: Buffer | null }>();
  const objectPattern = /(\d+) 0 obj\s*/g;
  let match: RegExpExecArray | null;
  while ((match = objectPattern.exec(source))) {
    const start = match.index + match[0].length;
    const end = source.indexOf("endobj", start);
    const body = source.slice(start, end);
    const streamAt = body.indexOf("stream");
    let stream: Buffer | null = null;
    let dict = body;
    if (streamAt !== -1 && /\/Length/.test(body.slice(0, streamAt))) {
      dict = body.slice(0, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? "0");
      let dataStart = start + streamAt + "stream".length;
      if (source[dataStart] === "\r") dataStart++;
      if (source[dataStart] === "\n") dataStart++;
      const raw = pdf.subarray(dataStart, dataStart + length);
      stream = /\/FlateDecode/.test(dict) ? inflateSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }) : raw;
    }
    objects.set(Number(match[1]), { dict, stream });
    objectPattern.lastIndex = end;
  }
  // Font resource names → their ToUnicode maps (Skia names fonts uniquely within a document).
  const maps = new Map<string, { bytes: number; map: Map<number, string> }>();
  for (const { dict } of objects.values()) {
    const fonts = /\/Font\s*<<([^>]*)>>/.exec(dict)?.[1];
    if (!fonts) continue;
    for (const [, name, ref] of fonts.matchAll(/\/(\S+?)\s+(\d+) 0 R/g)) {
      const font = objects.get(Number(ref));
      const toUnicode = font && /\/ToUnicode (\d+) 0 R/.exec(font.dict)?.[1];
      const cmap = toUnicode ? objects.get(Number(toUnicode))?.stream?.toString("latin1") : undefined;
      if (cmap) maps.set(name!, parseCMap(cmap));
    }
  }
  const lines: string[] = [];
  for (const { dict, stream } of objects.values()) {
    if (!stream || /\/(Type|Subtype|Length1)\b/.test(dict) || /\/ToUnicode|begincmap/.test(stream.toString("latin1", 0, 200))) continue;
    const content = stream.toString("latin1");
    let font: { bytes: number; map: Map<number, string> } | undefined;
    for (const token of content.matchAll(/\/(\S+)\s+[\d.]+\s+Tf|(\[(?:[^\]]*)\]\s*TJ|<[0-9A-Fa-f\s]*>\s*Tj)/g)) {
      if (token[1]) {
        font = maps.get(token[1]);
        continue;
      }
      if (!font) continue;
      let text = "";
      for (const [, hex] of token[2]!.matchAll(/<([0-9A-Fa-f\s]*)>/g)) {
        const digits = hex!.replace(/\s/g, "");
        const width = font.bytes * 2;
        for (let i = 0; i + width <= digits.length; i += width) text += font.map.get(parseInt(digits.slice(i, i + width), 16)) ?? "";
      }
      lines.push(text);
    }
  }
  // Fonts map glyphs to presentation forms (Arabic contextual forms, Kangxi radicals): NFKC gives
  // back the letters that were written.
  return lines.join("").normalize("NFKC");
}

function parseCMap(cmap: string): { bytes: number; map: Map<number, string> } {
  const map = new Map<number, string>();
  const range = /begincodespacerange\s*<([0-9A-Fa-f]+)>/.exec(cmap);
  const bytes = range ? range[1]!.length / 2 : 2;
  const utf16 = (hex: string) => {
    const units: number[] = [];
    for (let i = 0; i < hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...units);
  };
  for (const [, block] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, src, dst] of block!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(src!, 16), utf16(dst!));
  }
  for (const [, block] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
      const from = parseInt(lo!, 16);
      const to = parseInt(hi!, 16);
      if (rest!.startsWith("[")) {
        [...rest!.matchAll(/<([0-9A-Fa-f]+)>/g)].forEach(([, dst], i) => map.set(from + i, utf16(dst!)));
      } else {
        const base = rest!.slice(1, -1);
        const first = parseInt(base.slice(-4), 16);
        for (let code = from; code <= to; code++) map.set(code, utf16(base.slice(0, -4)) + String.fromCharCode(first + (code - from)));
      }
    }
  }
  return { bytes, map };
}

/**
 * Whether the PDF's text holds `wanted`, ignoring spaces, in logical or (right-to-left runs)
 * visual order. Uyghur ە (U+06D5) is drawn with the glyphs of ه (U+0647), whose code the font's
 * map gives back: both are folded to one letter.
 */
export function containsText(text: string, wanted: string): boolean {
  const squeeze = (s: string) => s.normalize("NFKC").replace(/\u06D5/g, "\u0647").replace(/\s+/g, "");
  const flat = squeeze(text);
  return flat.includes(squeeze(wanted)) || flat.includes([...squeeze(wanted)].reverse().join(""));
}
