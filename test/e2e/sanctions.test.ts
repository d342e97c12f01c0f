import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { sdnXml } from "../accountability/list-fixtures.ts";

/**
 * An analyst's way through sanctions: upload the SDN list on the page (its upload progress bar
 * and the import's own progress page), match our records against it, confirm that the official
 * documented in an incident is the listed one, and find them in the gap table — sanctioned by the
 * United States, not by the United Kingdom or the European Union. Every page checked with axe.
 */
describe("sanctions in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil({}, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      const { actor } = (await sessionFor(services, org.adminEmail)).principal;
      const official = await createEntity(services, NO_ORIGIN, actor, { schema: "Person", properties: { name: ["陈全国"], birthDate: ["1955-11"] } });
      const incident = await createEntity(services, NO_ORIGIN, actor, { schema: "Incident", properties: { name: ["Torture at the Urumqi No. 3 detention centre"], violation: ["torture"] } });
      await createEntity(services, NO_ORIGIN, actor, { schema: "Involvement", properties: { incident: [incident.id], participant: [official.id], role: ["alleged-perpetrator"] } });
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  it("imports the SDN list on the page, confirms the official's match and finds them in the gap table", { timeout: 180_000 }, async () => {
    const context = await watch.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInPage(page);

    await page.goto("/sanctions");
    await axe.scan("sanctions lists", page);
    await page.getByLabel("List name").fill("ofac-sdn");
    await page.getByLabel("Title (for a new list)").fill("OFAC SDN list");
    await page.getByLabel("Format").selectOption("sdn-xml");
    await page.getByLabel("File").setInputFiles({
      name: "sdn.xml",
      mimeType: "application/xml",
      buffer: Buffer.from(sdnXml("07/31/2020", [
        { uid: "28000", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"], dob: "Nov 1955", title: "Party Secretary of the Xinjiang Uyghur Autonomous Region" },
        { uid: "28001", type: "Entity", lastName: "XINJIANG PUBLIC SECURITY BUREAU", programs: ["GLOMAG"] },
      ])),
    });
    // The form is sent by the upload script (its progress bar), which then goes to the import's page.
    await page.getByRole("button", { name: "Upload and import" }).click();
    await page.waitForURL(/\/sanctions\/imports\/[0-9a-f-]{36}$/);
    for (let i = 0; i < 40 && (await page.locator("#import-state").innerText()) !== "Imported"; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    assert.equal(await page.locator("#import-state").innerText(), "Imported");
    assert.match(await page.locator("#import-changes").innerText(), /2 added, 0 changed, 0 delisted/);
    await axe.scan("import", page);

    await submit(page, page.getByRole("button", { name: "Match our records against the lists" }));
    assert.match(await page.locator("[role=status]").first().innerText(), /1 new possible match/);
    await axe.scan("matches", page);
    await page.getByRole("link", { name: "Review" }).first().click();
    await page.waitForURL(/\/sanctions\/matches\/[0-9a-f-]{36}$/);
    assert.match(await page.locator("dl.summary").innerText(), /陈全国/);
    assert.match(await page.locator("dl.summary").innerText(), /Quanguo CHEN/);
    await axe.scan("match", page);
    await page.getByLabel("Confirm: the same person or organisation").check();
    await page.getByLabel("Reason").fill("Same birth month; Party Secretary of Xinjiang 2016–2021");
    await submit(page, page.getByRole("button", { name: "Save the decision" }));
    assert.equal(await page.locator("#match-status").innerText(), "Confirmed");

    await page.goto("/sanctions/gaps");
    const row = page.locator("table.gap-table tbody tr").first();
    assert.match(await row.innerText(), /陈全国/);
    assert.match(await row.innerText(), /Sanctioned by United States, not by United Kingdom or European Union/);
    await axe.scan("gap table", page);
    await page.getByRole("link", { name: "Printable page" }).click();
    await page.waitForURL(/\/sanctions\/gaps\/print/);
    assert.match(await page.locator("table.gap-table").innerText(), /陈全国/);

    await page.goto("/language/ug");
    await page.goto("/sanctions/gaps");
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
    await axe.scan("gap table, in Uyghur", page);

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
