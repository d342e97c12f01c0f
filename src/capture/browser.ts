import { chromium, errors as playwrightErrors, type Browser, type Response } from "playwright-core";
import { Invalid, type VigilError } from "../core/index.ts";
import { CaptureFailed, CaptureTimeout, CaptureTooLarge } from "./errors.ts";
import { PAGE_FACTS_SCRIPT, type PageFacts } from "./page-facts.ts";
import { CaptureProxy, type Refusal } from "./proxy.ts";
import { CaptureRefused, type ReachPolicy, type Resolver } from "./target.ts";

/**
 * Drives a headless Chromium through one page: a browser of its own for each capture (a fresh
 * temporary profile that Playwright deletes, no cookies, no downloads, no service workers,
 * popups closed), JavaScript on because pages need it, and every connection through the
 * capture's guarding proxy. It keeps every HTTP exchange the page made, with headers and bodies
 * as the browser received them, and the rendered page: HTML, text and a full-page screenshot.
 */

export type Header = [name: string, value: string];

export interface Exchange {
  url: string;
  method: string;
  requestHeaders: Header[];
  requestBody: Buffer | null;
  status: number;
  statusText: string;
  /** "HTTP/1.1", "HTTP/2.0"… as the browser negotiated it. */
  httpVersion: string;
  responseHeaders: Header[];
  /** The body as the browser decoded it; null when the browser could not give it. */
  body: Buffer | null;
  time: Date;
  /** The address the proxy connected to for this host. */
  ipAddress: string | null;
}

export interface CapturedPage {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  statusText: string;
  responseHeaders: Header[];
  capturedAt: Date;
  facts: PageFacts;
  html: string;
  screenshot: Buffer;
  exchanges: Exchange[];
  refusals: Refusal[];
  userAgent: string;
  browserVersion: string;
}

export interface BrowseOptions {
  chromiumPath: string;
  timeoutMs: number;
  maxBytes: number;
  policy: ReachPolicy;
  now: () => Date;
  resolve?: Resolver;
}

// Chromium refuses to start its sandbox as root; elsewhere the sandbox stays on, since the pages
// captured are hostile by assumption.
const RUNNING_AS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

const CHROMIUM_ARGS = [
  ...(RUNNING_AS_ROOT ? ["--no-sandbox"] : []),
  "--disable-gpu",
  // QUIC runs over UDP, which an HTTP proxy does not carry; WebRTC would open UDP of its own.
  "--disable-quic",
  "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-default-apps",
  "--dns-prefetch-disable",
  "--mute-audio",
  "--hide-scrollbars",
];

/** How long after "load" we wait for the network to fall quiet (late images, scripts' requests). */
const SETTLE_MS = 5_000;

function headerValue(headers: readonly Header[], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

async function collect(response: Response, now: () => Date, proxy: CaptureProxy): Promise<Exchange | null> {
  const request = response.request();
  const url = response.url();
  if (!/^https?:/i.test(url)) return null;
  const [requestHeaders, responseHeaders, httpVersion] = await Promise.all([
    request.headersArray(),
    response.headersArray(),
    response.httpVersion().catch(() => "HTTP/1.1"),
  ]);
  const status = response.status();
  const redirect = status >= 300 && status < 400 && headerValue(responseHeaders.map((h) => [h.name, h.value]), "location") !== undefined;
  // A redirect has no body the browser keeps; anything else may fail to give one (a page gone, a body evicted).
  const body = redirect ? Buffer.alloc(0) : await response.body().catch(() => null);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return {
    url,
    method: request.method(),
    // HTTP/2 pseudo-headers (":authority") are not headers of an HTTP/1.1-framed WARC record.
    requestHeaders: requestHeaders.filter((h) => !h.name.startsWith(":")).map((h) => [h.name, h.value]),
    requestBody: request.postDataBuffer(),
    status,
    statusText: response.statusText(),
    httpVersion: /^HTTP\/\d(\.\d)?$/i.test(httpVersion) ? httpVersion.toUpperCase() : "HTTP/1.1",
    responseHeaders: responseHeaders.filter((h) => !h.name.startsWith(":")).map((h) => [h.name, h.value]),
    body,
    time: now(),
    ipAddress: proxy.addresses.get(host) ?? null,
  };
}

/** Why the navigation failed, in words a person can act on. */
function explain(error: unknown, proxy: CaptureProxy, timeoutSeconds: number): VigilError {
  if (error instanceof playwrightErrors.TimeoutError) return new CaptureTimeout(timeoutSeconds);
  const message = error instanceof Error ? error.message : String(error);
  // The navigation's own refusal is the last one the proxy saw before the browser gave up.
  const refusal = proxy.refusals.at(-1);
  if (refusal?.error instanceof CaptureRefused) {
    return new CaptureRefused(`the page leads to an address captures may not reach: ${refusal.reason}`, refusal.error.reason, refusal.error.host, true);
  }
  if (refusal) return new CaptureFailed(`the page leads to an address that cannot be reached: ${refusal.reason}`, refusal.error?.host ?? null);
  if (/ERR_UNSAFE_REDIRECT/.test(message)) {
    return new CaptureRefused("the page redirects to an address that is not http or https (a file:// address, say), which captures do not follow", "redirect-scheme", null, true);
  }
  if (/Download is starting/i.test(message)) return new Invalid("the address is a file to download, not a page: upload the file instead");
  const net = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  return new CaptureFailed(net ? `the page could not be loaded (${net})` : "the page could not be loaded", net ?? null);
}

/**
 * Captures one page. The time limit counts from the moment the browser is ready; when it runs
 * out, or the size limit is passed, the browser is closed at once and nothing is returned.
 */
export async function capturePage(url: URL, options: BrowseOptions): Promise<CapturedPage> {
  let stopForLimit: (error: Error) => void = () => undefined;
  const limitReached = new Promise<never>((_, reject) => {
    stopForLimit = reject;
  });
  limitReached.catch(() => undefined);
  const proxy = new CaptureProxy({ policy: options.policy, limit: options.maxBytes, resolve: options.resolve, onLimit: () => stopForLimit(new CaptureTooLarge(options.maxBytes)) });
  const server = await proxy.start();
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    browser = await chromium.launch({
      executablePath: options.chromiumPath,
      args: CHROMIUM_ARGS,
      proxy: { server, username: proxy.username, password: proxy.password },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 60_000,
    });
    const seconds = Math.round(options.timeoutMs / 1000);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CaptureTimeout(seconds)), options.timeoutMs);
    });
    const work = browse(browser, url, options, proxy, seconds);
    work.catch(() => undefined);
    return await Promise.race([work, timedOut, limitReached]);
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await proxy.stop();
  }
}

async function browse(browser: Browser, url: URL, options: BrowseOptions, proxy: CaptureProxy, seconds: number): Promise<CapturedPage> {
  const started = Date.now();
  const remaining = () => Math.max(1, options.timeoutMs - (Date.now() - started));
  const context = await browser.newContext({
    acceptDownloads: false,
    javaScriptEnabled: true,
    serviceWorkers: "block",
    viewport: { width: 1280, height: 800 },
    ignoreHTTPSErrors: false,
    bypassCSP: false,
  });
  const page = await context.newPage();
  // Popups and new windows are not part of the page.
  context.on("page", (other) => {
    if (other !== page) void other.close().catch(() => undefined);
  });
  const pending: Promise<Exchange | null>[] = [];
  page.on("response", (response) => {
    const collected = collect(response, options.now, proxy);
    collected.catch(() => undefined);
    pending.push(collected);
  });
  const capturedAt = options.now();
  let main: Response | null;
  try {
    main = await page.goto(url.href, { waitUntil: "load", timeout: remaining() });
  } catch (error) {
    if (proxy.overLimit) throw new CaptureTooLarge(options.maxBytes);
    throw explain(error, proxy, seconds);
  }
  if (!main) throw new CaptureFailed("the page could not be loaded");
  await page.waitForLoadState("networkidle", { timeout: Math.min(SETTLE_MS, remaining()) }).catch(() => undefined);
  const facts = (await page.evaluate(PAGE_FACTS_SCRIPT)) as PageFacts;
  const html = await page.content();
  const screenshot = await page.screenshot({ fullPage: true, type: "png", animations: "disabled", timeout: remaining() });
  const exchanges = (await Promise.all(pending)).filter((e): e is Exchange => e !== null);
  const mainHeaders = (await main.headersArray()).filter((h) => !h.name.startsWith(":")).map((h): Header => [h.name, h.value]);
  const userAgent = await page.evaluate("navigator.userAgent") as string;
  const total = exchanges.reduce((sum, e) => sum + (e.body?.length ?? 0), 0) + screenshot.length + Buffer.byteLength(html);
  if (total > options.maxBytes) throw new CaptureTooLarge(options.maxBytes);
  return {
    requestedUrl: url.href,
    finalUrl: page.url(),
    status: main.status(),
    statusText: main.statusText(),
    responseHeaders: mainHeaders,
    capturedAt,
    facts: { title: String(facts.title ?? ""), dates: Array.isArray(facts.dates) ? facts.dates.map(String) : [], text: String(facts.text ?? "") },
    html,
    screenshot,
    exchanges,
    refusals: [...proxy.refusals],
    userAgent,
    browserVersion: browser.version(),
  };
}
