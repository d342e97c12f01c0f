import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";

/**
 * An urgent action as an administrator makes one: an addressee, the
 * Uyghur template, generating from a detention's page, the right-to-left document, its PDF, a
 * letter logged as sent; every page checked with axe in English and in Uyghur.
 */
describe("urgent actions in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  let detentionId = "";
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil({}, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      const { actor } = (await sessionFor(services, org.adminEmail)).principal;
      const person = await createEntity(services, NO_ORIGIN, actor, { schema: "Person", properties: { name: ["Ekpar Asat", { value: "ئەكپەر ئەسەت", lang: "ug" }] } });
      detentionId = (await createEntity(services, NO_ORIGIN, actor, { schema: "Detention", properties: { person: [person.id], startDate: ["2016-04"], grounds: ["inciting ethnic hatred"] } })).id;
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  it("generates a Uyghur urgent action from a detention, opens its PDF and logs a letter, every page accessible", { timeout: 180_000 }, async () => {
    // axe needs scripts in the page; the pages themselves have none to run (the form walk without
    // scripts is test/monitor/urgent-web.test.ts).
    const context = await watch.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInPage(page);

    await page.goto("/urgent-actions/addressees");
    await axe.scan("addressees", page);
    await page.getByLabel("Name", { exact: true }).fill("Erkin Tuniyaz");
    await page.getByLabel("Title or post").fill("Chairman");
    await page.getByLabel("Email").fill("chairman@xinjiang.example");
    await page.getByLabel("Salutation").fill("ھۆرمەتلىك رەئىس");
    await page.getByLabel("Language of letters to them").selectOption("ug");
    await submit(page, page.getByRole("button", { name: "Add", exact: true }));
    assert.match(await page.locator(".notice").first().innerText(), /added/);

    await page.goto("/urgent-actions/templates/ug");
    await axe.scan("template", page);

    await page.goto(`/records/${detentionId}`);
    await page.getByRole("link", { name: "Generate an urgent action" }).click();
    await page.waitForURL("**/urgent-actions/new/**");
    await axe.scan("generate form", page);
    await page.getByRole("radio", { name: "Uyghur (ئۇيغۇرچە)" }).check();
    await page.getByLabel(/Erkin Tuniyaz/).check();
    await submit(page, page.getByRole("button", { name: "Generate", exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/urgent-actions\/[0-9a-f-]{36}$/);
    const documentText = await page.locator("article.ua-document").innerText();
    assert.match(documentText, /ئەكپەر ئەسەت/);
    assert.match(documentText, /ھۆرمەتلىك رەئىس،/);
    assert.equal(await page.locator("article.ua-document").getAttribute("dir"), "rtl");
    await axe.scan("urgent action", page);

    const pdfHref = await page.getByRole("link", { name: "Printable PDF" }).getAttribute("href");
    const pdf = await context.request.get(new URL(pdfHref!, vigil.url).href);
    assert.equal(pdf.status(), 200);
    assert.ok(containsText(pdfText(Buffer.from(await pdf.body())), "ئەكپەر ئەسەت"));

    await page.getByLabel("Date").first().fill("2026-05-30");
    await submit(page, page.getByRole("button", { name: "Record as sent" }));
    assert.match(await page.locator("table").last().innerText(), /Erkin Tuniyaz/);
    assert.match(await page.locator("dl.facts").innerText(), /Sent/);

    await page.goto("/language/ug");
    await page.goto("/urgent-actions");
    await axe.scan("urgent actions, in Uyghur", page);
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
