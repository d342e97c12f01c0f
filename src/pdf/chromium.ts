// HTML to PDF through headless Chromium (the same one web capture drives), with JavaScript off and
// every network request refused, so the PDF holds exactly what Vigil wrote and the browser reaches
// nothing. Urgent actions and referral dossiers print through it.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { VigilError } from "../core/index.ts";

/** No browser to draw the PDF with: the printable page still works. */
export class PdfUnavailable extends VigilError {
  readonly status = 503;
  readonly code = "pdf-unavailable";
  constructor(detail: string) {
    super(`the PDF cannot be made on this server (${detail}): open the printable page and print it to PDF from your browser instead`);
  }
}

const RUNNING_AS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

// One PDF at a time per process: each is a browser of its own, and a small server has few cores.
// A few more wait their turn; past that, readers are told to come back rather than pile up.
let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;
const MAX_WAITING = 4;

/** A PDF of a self-contained HTML document (styles inline, nothing fetched). */
export async function htmlToPdf(html: string, chromiumPath: string, timeoutMs = 60_000): Promise<Buffer> {
  if (!existsSync(chromiumPath)) throw new PdfUnavailable(`no Chromium at ${chromiumPath}: set VIGIL_CHROMIUM`);
  if (waiting >= MAX_WAITING) throw new PdfUnavailable("too many PDFs are being made at this moment: try again in a minute");
  waiting++;
  const run = queue.then(() => draw(html, chromiumPath, timeoutMs)).finally(() => waiting--);
  queue = run.catch(() => undefined);
  return run;
}

async function draw(html: string, chromiumPath: string, timeoutMs: number): Promise<Buffer> {
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...(RUNNING_AS_ROOT ? ["--no-sandbox"] : []), "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions", "--dns-prefetch-disable"],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: timeoutMs,
    });
  } catch (error) {
    throw new PdfUnavailable(`Chromium did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: false, serviceWorkers: "block", offline: true });
    await context.route("**/*", (route) => route.abort("blockedbyclient"));
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: "load", timeout: timeoutMs });
    const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true, tagged: true });
    return Buffer.from(pdf);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
