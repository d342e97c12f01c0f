import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { recordPost } from "../../src/accountability/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";

/**
 * A referral dossier as an advocate makes one: from the official's record to their career and
 * responsibility map, a dismissed link, drafting the dossier, filling in the programme and the
 * measures, then its PDF opened and read; every page checked with axe, in Uyghur too.
 */
describe("officials and referral dossiers in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  let officialId = "";
  let unitId = "";
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil({}, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      const { actor } = (await sessionFor(services, org.adminEmail)).principal;
      const source = await createEntity(services, NO_ORIGIN, actor, { schema: "Source", properties: { name: ["Leaked personnel roster"], reliability: ["confirmed"] } });
      const prefecture = await createEntity(services, NO_ORIGIN, actor, { schema: "PublicBody", properties: { name: ["Aksu Prefecture Public Security Bureau"] } });
      const county = await createEntity(services, NO_ORIGIN, actor, { schema: "PublicBody", properties: { name: ["Onsu County Public Security Bureau"], parentUnit: [prefecture.id] } });
      unitId = county.id;
      const camp = await createEntity(services, NO_ORIGIN, actor, { schema: "Address", properties: { full: ["Onsu detention centre"], placeType: ["detention-facility"], operator: [county.id] } });
      const official = await createEntity(services, NO_ORIGIN, actor, { schema: "Person", properties: { name: ["Zhao Kezhi", { value: "赵克志", lang: "zh" }] } });
      officialId = official.id;
      await recordPost(services, NO_ORIGIN, actor, official.id, { title: "Party secretary", unit: prefecture.id, startDate: "2017", endDate: "2020", source: source.id });
      await createEntity(services, NO_ORIGIN, actor, { schema: "Incident", properties: { name: ["Mass arrests in Onsu"], violation: ["arbitrary-arrest"], date: ["2018-03"], place: [{ value: camp.id, source: source.id }] } });
      await createEntity(services, NO_ORIGIN, actor, { schema: "Incident", properties: { name: ["Beating reported later"], violation: ["ill-treatment"], date: ["2019"], place: [camp.id] } });
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  it("goes from an official's career to a referral dossier and opens its PDF, every page accessible", { timeout: 180_000 }, async () => {
    const context = await watch.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInPage(page);

    await page.goto(`/records/${officialId}`);
    const career = page.locator("section.career-panel");
    assert.match(await career.innerText(), /Party secretary/);
    assert.match(await career.innerText(), /2017 – 2020/);
    await axe.scan("person with career", page);
    await career.getByRole("link", { name: /Responsibility map/ }).click();
    await page.waitForURL(`**/officials/${officialId}`);
    await axe.scan("responsibility map", page);
    const command = await page.locator("#command-h").locator("xpath=..").innerText();
    assert.match(command, /Mass arrests in Onsu/);
    assert.match(command, /Aksu Prefecture Public Security Bureau › Onsu County Public Security Bureau/);
    assert.match(command, /Leaked personnel roster/);

    // Dismissing a link needs a reason: refused without, recorded with one.
    const beating = page.locator("li.link", { hasText: "Beating reported later" });
    await beating.getByLabel("Decision").selectOption("dismissed");
    await submit(page, beating.getByRole("button", { name: "Record the decision" }), 422);
    const again = page.locator("li.link", { hasText: "Beating reported later" });
    await again.getByLabel("Decision").selectOption("dismissed");
    await again.getByLabel(/^Why/).fill("a different detention centre of the same name");
    await submit(page, again.getByRole("button", { name: "Record the decision" }));
    assert.match(await page.locator("li.link.dismissed").innerText(), /different detention centre/);

    await page.goto(`/units/${unitId}`);
    await axe.scan("unit", page);
    assert.match(await page.locator("main").innerText(), /Onsu detention centre/);

    await page.goto(`/officials/${officialId}`);
    await submit(page, page.getByRole("button", { name: "Draft a referral dossier" }));
    assert.match(new URL(page.url()).pathname, /^\/dossiers\/[0-9a-f-]{36}$/);
    await axe.scan("dossier", page);
    await page.locator("summary", { hasText: "Edit the dossier" }).click();
    await page.getByLabel("Programme", { exact: true }).fill("US Global Magnitsky (E.O. 13818)");
    await page.getByLabel("Measures requested").fill("Asset freeze\nVisa ban");
    await submit(page, page.getByRole("button", { name: "Save the dossier" }));
    const documentText = await page.locator("section.ua-frame").innerText();
    assert.match(documentText, /Zhao Kezhi/);
    assert.match(documentText, /Mass arrests in Onsu/);
    assert.doesNotMatch(documentText, /Beating reported later/, "the dismissed link is left out");
    assert.match(documentText, /Asset freeze/);

    const pdfHref = await page.getByRole("link", { name: "PDF", exact: true }).getAttribute("href");
    const pdf = await context.request.get(new URL(pdfHref!, vigil.url).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()["content-type"], "application/pdf");
    const bytes = Buffer.from(await pdf.body());
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    assert.match(bytes.toString("latin1"), /\/Producer \(Skia\/PDF/, "drawn by Chromium");
    const text = pdfText(bytes);
    assert.ok(containsText(text, "Zhao Kezhi"), text.slice(0, 400));
    assert.ok(containsText(text, "US Global Magnitsky"));

    const print = await context.newPage();
    await print.goto(new URL(`${new URL(page.url()).pathname}/print`, vigil.url).href);
    assert.match(await print.locator("h1").innerText(), /Zhao Kezhi/);
    await print.close();

    await page.goto("/language/ug");
    await page.goto(`/officials/${officialId}`);
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
    await axe.scan("responsibility map, in Uyghur", page);
    await page.goto("/dossiers");
    await axe.scan("dossiers, in Uyghur", page);

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
