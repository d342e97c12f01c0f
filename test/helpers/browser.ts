import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from "playwright-core";
import type { Config } from "../../src/config.ts";
import { startServer } from "../../src/web/server.ts";
import { databaseTargets, openTestServices, type TestServices } from "./database.ts";
import { PASSWORD } from "./fixtures.ts";

/**
 * The browser tests drive Debian's own Chromium; nothing is downloaded. CI installs the package, so
 * a missing binary is a failure to fix, never a reason to skip.
 */
export const CHROMIUM = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: install it with "apt-get install chromium"`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * One fresh installation of Vigil on the embedded database, listening on a free local port;
 * `prepare` runs on its services before the server starts (records, keys, evidence to begin with).
 */
export async function startVigil(
  config: Partial<Config> = {},
  prepare: (services: TestServices) => Promise<void> = async () => undefined,
): Promise<{ services: TestServices; url: string; close(): Promise<void> }> {
  const target = databaseTargets().find((t) => t.name === "pglite")!;
  const services = await openTestServices(target, { port: 0, host: "127.0.0.1", ...config });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    await prepare(services);
    server = await startServer(services, null);
  } catch (error) {
    await services.close();
    throw error;
  }
  return {
    services,
    url: server.url,
    async close() {
      await server.close();
      await services.close();
    },
  };
}

interface ConsoleError {
  pageUrl: string;
  text: string;
  sourceUrl: string;
}

// Injected before any page script: the CSP has no report-uri, so violations are logged where the console watch sees them.
const REPORT_CSP_VIOLATIONS = `document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI);
});`;

/**
 * Watches every page of the contexts it opens for console errors, uncaught exceptions, CSP violations
 * and server errors. Chromium logs "Failed to load resource" for a page the server answered with
 * 4xx on purpose (a 404 page, a refused form); that one line is forgiven for the document itself,
 * never for a stylesheet, script or image.
 */
export class BrowserWatch {
  readonly #browser: Browser;
  readonly #baseURL: string;
  readonly #consoleErrors: ConsoleError[] = [];
  readonly #otherProblems: string[] = [];
  readonly #documentsRefused = new Set<string>();
  readonly #contexts = new Set<BrowserContext>();

  constructor(browser: Browser, baseURL: string) {
    this.#browser = browser;
    this.#baseURL = baseURL;
  }

  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.#browser.newContext({ baseURL: this.#baseURL, locale: "en-GB", ...options });
    this.#contexts.add(context);
    // Pages answer in milliseconds here; a step that waits longer is stuck, and should say so soon.
    context.setDefaultTimeout(10_000);
    await context.addInitScript(REPORT_CSP_VIOLATIONS);
    context.on("page", (page) => this.#watch(page));
    return context;
  }

  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    return (await this.newContext(options)).newPage();
  }

  #watch(page: Page): void {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      this.#consoleErrors.push({ pageUrl: page.url(), text: message.text(), sourceUrl: message.location().url });
    });
    page.on("pageerror", (error) => this.#otherProblems.push(`uncaught exception on ${page.url()}: ${error.message}`));
    page.on("response", (response) => {
      const request = response.request();
      if (response.status() >= 500) this.#otherProblems.push(`${response.status()} for ${request.method()} ${response.url()}`);
      else if (response.status() >= 400 && request.isNavigationRequest()) this.#documentsRefused.add(response.url());
    });
  }

  /** Everything that went wrong in the pages, as readable lines; empty when all was well. */
  problems(): string[] {
    const forgiven = (e: ConsoleError) => e.text.startsWith("Failed to load resource: the server responded with a status of 4") && this.#documentsRefused.has(e.sourceUrl);
    return [...this.#consoleErrors.filter((e) => !forgiven(e)).map((e) => `console error on ${e.pageUrl}: ${e.text} (${e.sourceUrl})`), ...this.#otherProblems];
  }

  async closeContexts(): Promise<void> {
    for (const context of this.#contexts) await context.close();
    this.#contexts.clear();
  }
}

/**
 * Clicks a form's submit button and checks the server's answer to that POST before any redirect is
 * followed (303 unless told otherwise), so a refusal fails with what the page said rather than with
 * a wait that runs out. Returns once the page it leads to (the answer itself, or where the redirect
 * points) has loaded.
 */
export async function submit(page: Page, button: Locator, expectedStatus = 303): Promise<void> {
  const from = new URL(page.url()).pathname;
  const arrived = page.waitForEvent("framenavigated", (frame) => frame === page.mainFrame());
  arrived.catch(() => undefined); // awaited below only when the answer was the one expected
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
    button.click(),
  ]);
  const status = response.status();
  if (status !== expectedStatus) {
    const redirected = status >= 300 && status < 400;
    const html = redirected ? "" : await response.text();
    const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
    const said = redirected ? `redirect to ${response.headers()["location"] ?? "?"}` : main.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
    assert.fail(`the form on ${from} was answered ${status}, not ${expectedStatus}: ${said}`);
  }
  await arrived;
  await page.waitForLoadState();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResultsLike {
  violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * Runs axe-core on the page as it is now, WCAG 2.1 A and AA plus best practices, and returns the
 * serious and critical violations. The source is evaluated through the DevTools protocol, which the
 * page's CSP (no inline script) does not apply to.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(() => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }).axe;
    return axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] });
  })) as AxeResultsLike;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(" ")) }));
}

/** Collects axe findings page by page, so a suite can scan where its story goes and judge once. */
export class AccessibilityLedger {
  readonly #scanned = new Map<string, AxeFinding[]>();

  async scan(label: string, page: Page): Promise<void> {
    this.#scanned.set(label, await seriousAxeViolations(page));
  }

  scannedPages(): string[] {
    return [...this.#scanned.keys()];
  }

  /** One line per violation: page, rule, impact, and the elements it was found on. */
  report(): string[] {
    return [...this.#scanned].flatMap(([label, findings]) =>
      findings.map((f) => `${label}: ${f.id} (${f.impact}: ${f.help}) at ${f.targets.join(", ")}`),
    );
  }
}

/** Signs in on the sign-in page as a person would; the fields are found by id, so any language works. */
export async function signInPage(page: Page, email = "admin@watch.example", password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.locator("#f-email").fill(email);
  await page.locator("#f-password").fill(password);
  await submit(page, page.locator("main form button[type=submit]"));
}
