import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PASSWORD, setUpOrganisation } from "../helpers/fixtures.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, startVigil, submit } from "../helpers/browser.ts";

/**
 * The interface in every language it ships, and without JavaScript (Tor Browser's safest level).
 * Set VIGIL_E2E_SCREENSHOTS to a folder to keep a picture of the Uyghur dashboard and the English
 * account page for a human to look at.
 */

const ADMIN_EMAIL = "admin@watch.example";
const SCREENSHOTS = process.env.VIGIL_E2E_SCREENSHOTS;

describe("languages in the browser", () => {
  let browser: Browser;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil();
    await setUpOrganisation(vigil.services);
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });

  // Field ids, not labels: the labels change with the language under test.
  async function signIn(page: Page): Promise<void> {
    await page.goto("/login");
    await page.locator("#f-email").fill(ADMIN_EMAIL);
    await page.locator("#f-password").fill(PASSWORD);
    await submit(page, page.locator("main form button[type=submit]"));
    assert.equal(new URL(page.url()).pathname, "/");
  }

  async function documentLanguage(page: Page): Promise<{ lang: string | null; dir: string | null }> {
    const root = page.locator("html");
    return { lang: await root.getAttribute("lang"), dir: await root.getAttribute("dir") };
  }

  /** Where the user's name and the sign-out button sit in the header, left to right. */
  async function headerGeometry(page: Page) {
    const name = await page.locator(".who > span").boundingBox();
    const signOut = await page.locator(".who button[type=submit]").boundingBox();
    const brand = await page.locator(".top a.brand").boundingBox();
    assert.ok(name && signOut && brand, "the header shows the brand, the user's name and the sign-out button");
    return { name, signOut, brand };
  }

  it("lays the Uyghur interface out right to left, and Chinese left to right", async () => {
    const page = await watch.newPage();
    await signIn(page);
    const english = await headerGeometry(page);
    assert.ok(english.signOut.x >= english.name.x + english.name.width, "in English the sign-out button follows the name, on its right");

    await page.locator('footer a[hreflang="ug"]').click();
    await page.waitForURL((url) => url.pathname === "/");
    const dom = await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
    assert.deepEqual(dom, { dir: "rtl", lang: "ug" });
    const navDirection = await page.locator("body > nav").evaluate((nav) => getComputedStyle(nav).direction);
    assert.equal(navDirection, "rtl");

    const uyghur = await headerGeometry(page);
    assert.ok(uyghur.signOut.x + uyghur.signOut.width <= uyghur.name.x, "in Uyghur the sign-out button lies left of the name");
    assert.ok(uyghur.brand.x > uyghur.name.x, "and the brand moves to the right edge");
    // The first two links: the navigation may wrap onto a second line, which starts at the right again.
    const firstLink = await page.locator("body > nav li").nth(0).boundingBox();
    const secondLink = await page.locator("body > nav li").nth(1).boundingBox();
    assert.ok(firstLink && secondLink && firstLink.y === secondLink.y && firstLink.x > secondLink.x, "the navigation runs from right to left");
    await axe.scan("Uyghur dashboard", page);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "dashboard-ug.png"), fullPage: true });

    await page.locator('footer a[hreflang="zh-Hans"]').click();
    await page.waitForURL((url) => url.pathname === "/");
    assert.deepEqual(await documentLanguage(page), { lang: "zh-Hans", dir: "ltr" });
    const chinese = await headerGeometry(page);
    assert.ok(chinese.signOut.x >= chinese.name.x + chinese.name.width, "Chinese reads left to right again");
    await axe.scan("Chinese dashboard", page);

    await page.locator('footer a[hreflang="en"]').click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.goto("/account");
    assert.deepEqual(await documentLanguage(page), { lang: "en", dir: "ltr" });
    await axe.scan("account", page);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "account-en.png"), fullPage: true });
  });

  it("lets a browser without JavaScript sign in and change the language", async () => {
    const context = await watch.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Welcome, Ayla Admin");

    await page.locator('footer a[hreflang="ug"]').click();
    await page.waitForURL((url) => url.pathname === "/");
    assert.deepEqual(await documentLanguage(page), { lang: "ug", dir: "rtl" });

    // The saved preference, from the account page's form, outranks the footer's cookie.
    await page.goto("/account");
    await page.locator("#f-locale").selectOption("zh-Hans");
    await submit(page, page.locator('form[action="/account/preferences"] button[type=submit]'));
    assert.match(page.url(), /\/account\?done=preferences-saved$/);
    assert.deepEqual(await documentLanguage(page), { lang: "zh-Hans", dir: "ltr" });
    await page.goto("/");
    assert.deepEqual(await documentLanguage(page), { lang: "zh-Hans", dir: "ltr" });

    await submit(page, page.locator(".who button[type=submit]"));
    assert.match(page.url(), /\/login\?done=signed-out$/);
  });

  it("has no serious or critical accessibility violations in any language", async () => {
    assert.deepEqual(axe.scannedPages(), ["Uyghur dashboard", "Chinese dashboard", "account"]);
    assert.deepEqual(axe.report(), []);
  });

  it("shows no console error, uncaught exception or CSP violation on any page", async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
