// An urgent action's printable PDF: the document's HTML, self-contained, drawn by the shared
// headless-Chromium printer (src/pdf).
import { htmlToPdf } from "../pdf/index.ts";
import { documentHtml, type UrgentDocument } from "./urgent-document.ts";

export { PdfUnavailable } from "../pdf/index.ts";

export async function renderPdf(doc: UrgentDocument, chromiumPath: string, timeoutMs = 60_000): Promise<Buffer> {
  return htmlToPdf(documentHtml(doc, { inline: true }), chromiumPath, timeoutMs);
}
