// HTML to PDF through headless Chromium (the same one web capture drives), with JavaScript off and
// every network request refused, so the PDF holds exactly the HTML Vigil wrote and the browser
// reaches nothing. Used by urgent actions and court bundles.
export { PdfUnavailable, printHtmlToPdf } from "./chromium-pdf.ts";
