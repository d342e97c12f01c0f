import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startServer } from "../../src/web/server.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage } from "../helpers/browser.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";
import { PAGE_TITLE, startSite, type Site } from "../capture/site.ts";

/**
 * "Capture this page" as a person does it, without JavaScript needed: an administrator allows
 * the local test site (private addresses are refused by default), captures a page from the
 * evidence list, follows the new Source to its record page and finds the four files on its
 * evidence panel with their hashes, preview, downloads and custody history; then captures again
 * from the Source's own panel, and is told plainly when an address is refused.
 */
describe("web capture in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let server: Awaited<ReturnType<typeof startServer>>;
  let site: Site;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    const target = databaseTargets().find((t) => t.name === "pglite")!;
    services = await openTestServices(target, { port: 0, host: "127.0.0.1", dataDir: tempDir("vigil-e2e-capture-") });
    const org = await setUpOrganisation(services);
    await makeKeys(services, org.orgId);
    server = await startServer(services, null);
    site = await startSite();
    watch = new BrowserWatch(browser, server.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await site?.close();
    await server?.close();
    await services?.close();
  });


  it("captures a local page from the form and shows its files on the Source's evidence panel", async () => {
    const page = await watch.newPage();
    // A capture answers when the browser on the server is done with the page: seconds, not milliseconds.
    page.setDefaultTimeout(120_000);
    await signInPage(page);

    // Refused by default: the test site is on 127.0.0.1.
    await page.goto("/evidence");
    await page.getByRole("link", { name: "Capture a web page" }).click();
    await page.waitForURL("**/captures/new");
    await axe.scan("capture form", page);
    await page.getByLabel("Address of the page").fill(site.url("/start"));
    await submit(page, page.getByRole("button", { name: "Capture", exact: true }), 422);
    assert.match(await page.locator(".error-summary").innerText(), /127\.0\.0\.1 is a loopback address, which captures may not reach\. An administrator can allow private addresses/);
    await axe.scan("capture form, refused", page);

    await page.getByRole("link", { name: "Web capture", exact: true }).click();
    await page.waitForURL("**/admin/capture");
    await page.getByLabel("Allow captures of private and local addresses").check();
    await submit(page, page.getByRole("button", { name: "Save" }));
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /saved/);
    await axe.scan("capture settings", page);

    await page.goto("/captures/new");
    await page.getByLabel("Address of the page").fill(site.url("/start"));
    await submit(page, page.getByRole("button", { name: "Capture", exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/captures\/[0-9a-f-]{36}$/);
    assert.match(await page.locator(".notice:not(#vault-sealed)").first().innerText(), /The page was captured/);
    await axe.scan("capture", page);

    // The Source the capture made, and its evidence panel on the record's page.
    await page.locator("dl.facts").getByRole("link", { name: PAGE_TITLE }).click();
    await page.waitForURL("**/records/**");
    assert.equal(await page.locator("h1").innerText(), PAGE_TITLE);
    const panel = page.locator("#evidence");
    const items = panel.locator("article.evidence-item");
    assert.equal(await items.count(), 4);
    const headings = new Set(await panel.locator("article.evidence-item h3").allInnerTexts());
    assert.deepEqual([...headings].sort(), ["Rendered HTML", "Screenshot", "Text of the page", "Web archive (WARC)"]);
    assert.deepEqual((await panel.locator(".evidence-type").allInnerTexts()).sort(), ["application/warc", "image/png", "text/html", "text/plain"]);
    assert.equal(await panel.locator("code.plaintext-sha256").count(), 4, "the content hashes, read while unsealed");
    assert.equal(await panel.locator("a.download").count(), 4);
    const preview = panel.locator("img.preview");
    assert.equal(await preview.count(), 1, "the screenshot is previewed");
    await preview.evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((resolve) => img.addEventListener("load", resolve))));
    assert.ok((await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)) > 0, "the preview loads");
    assert.match(await panel.locator("code.url").first().innerText(), /\/start$/);
    const warc = items.filter({ has: page.locator("h3", { hasText: "Web archive (WARC)" }) });
    await warc.locator("details.custody-history > summary").click();
    assert.match(await warc.locator("table.custody").innerText(), /captured[\s\S]*linked/);
    await axe.scan("source record with its evidence", page);

    // Capture again from the Source's own panel: the form carries the Source.
    await panel.getByRole("link", { name: "Capture a web page" }).click();
    await page.waitForURL("**/captures/new?source=**");
    await page.getByLabel("Address of the page").fill(site.url("/removed-post"));
    await submit(page, page.getByRole("button", { name: "Capture", exact: true }));
    assert.match(await page.locator("main").innerText(), /The site answered with status 404/);
    assert.equal(await page.locator("#evidence article.evidence-item").count(), 8);

    // A redirect to file:// is refused, and said so.
    await page.goto("/captures/new");
    await page.getByLabel("Address of the page").fill(site.url("/to-file"));
    await submit(page, page.getByRole("button", { name: "Capture", exact: true }), 422);
    assert.match(await page.locator(".error-summary").innerText(), /redirects to an address that is not http or https/);

    assert.deepEqual(watch.problems(), []);
    assert.deepEqual(axe.report(), []);
  });
});
