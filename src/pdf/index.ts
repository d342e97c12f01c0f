// Printing: HTML to PDF through headless Chromium, for every document Vigil hands out as a PDF.
export { htmlToPdf, PdfUnavailable } from "./chromium.ts";
