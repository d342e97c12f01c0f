import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { recordComplicity } from "../../src/accountability/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

/**
 * A company's compliance officer screens its supplier list: one supplier is owned, two hops up, by a
 * company in the complicity registry. The report shows the path and the finding at its end; the
 * graph page recentres on a click. Every page checked with axe, in English and in Uyghur.
 */
describe("supplier screening in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  const ids = {} as Record<"registered" | "holding" | "supplier", string>;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil({}, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      const { actor } = (await sessionFor(services, org.adminEmail)).principal;
      const company = async (name: string) => (await createEntity(services, NO_ORIGIN, actor, { schema: "Company", properties: { name: [name], country: ["cn"] } })).id;
      const source = (await createEntity(services, NO_ORIGIN, actor, { schema: "Source", properties: { name: ["Procurement notice 2018-44"] } })).id;
      ids.registered = await company("Tianshan Vision Technology Co., Ltd.");
      ids.holding = await company("Aksu Textile Holdings");
      ids.supplier = await company("Kashgar Cotton Trading");
      await createEntity(services, NO_ORIGIN, actor, { schema: "Ownership", properties: { owner: [ids.registered], asset: [ids.holding], percentage: ["60"] } });
      await createEntity(services, NO_ORIGIN, actor, { schema: "Ownership", properties: { owner: [ids.holding], asset: [ids.supplier], percentage: ["100"] } });
      await recordComplicity(services, NO_ORIGIN, actor, { organization: ids.registered, complicityType: "surveillance-technology", source, summary: "Supplied cameras to internment camps" });
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  it("uploads a supplier CSV and sees the two-hop finding with its path, then explores the graph", { timeout: 180_000 }, async () => {
    const context = await watch.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInPage(page);

    await page.goto("/suppliers");
    await axe.scan("supplier screening form", page);
    await page.getByLabel("Supplier list (CSV file, UTF-8)").setInputFiles({
      name: "suppliers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("Vendor,Street,Country\nKashgar Cotton Trading,1 Market Road,China\nNordic Wool Cooperative,Oslo,Norway\n"),
    });
    await submit(page, page.getByRole("button", { name: "Screen the suppliers", exact: true }), 200);
    assert.match(await page.getByRole("status").first().innerText(), /2 suppliers screened, 1 flagged/);
    const path = page.locator("ol.path").first();
    assert.deepEqual(
      (await path.locator("li").allInnerTexts()).map((t) => t.trim()),
      ["Kashgar Cotton Trading", "owned 100% by Aksu Textile Holdings", "owned 60% by Tianshan Vision Technology Co., Ltd."],
    );
    const row = page.locator("tbody tr").first();
    assert.match(await row.innerText(), /In the complicity registry: Surveillance technology/);
    assert.match(await row.innerText(), /Procurement notice 2018-44/);
    await axe.scan("supplier screening report", page);

    // The end of the path leads to the ownership graph; a click on a record recentres it.
    await page.goto(`/complicity/graph/${ids.registered}?depth=2`);
    await axe.scan("ownership graph", page);
    assert.match(await page.locator(".graph-text").innerText(), /owns 60% of/);
    await page.locator(`svg a[href="/complicity/graph/${ids.supplier}?depth=2"]`).click();
    await page.waitForURL(`**/complicity/graph/${ids.supplier}?depth=2`);
    assert.match(await page.locator("h1").innerText(), /Kashgar Cotton Trading/);

    await page.goto("/complicity");
    await axe.scan("complicity registry", page);
    await page.goto("/language/ug");
    await page.goto("/complicity");
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
    await axe.scan("complicity registry, in Uyghur", page);
    await page.goto(`/complicity/graph/${ids.holding}`);
    await axe.scan("ownership graph, in Uyghur", page);

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
