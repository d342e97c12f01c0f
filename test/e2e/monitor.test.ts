import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";

/**
 * The detainee-monitoring issue's "done when", in Chromium: a documenter records an arrest from the
 * person's page, adds a transfer to a facility, finds the person on the "Who has gone silent"
 * dashboard and the facility on the map coloured by silence, generates an urgent action from the
 * detention and opens its PDF. The person, the facility and the testimony exist beforehand (the
 * records pages that make them are walked by records.test.ts).
 */
describe("monitoring a detainee in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();
  const ids = { person: "", facility: "", testimony: "" };

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil({}, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      const admin = await sessionFor(services, org.adminEmail);
      const { principal } = await addMember(services, admin.principal, "editor", "documenter@watch.example");
      const editor = principal.actor;
      ids.person = (await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Gulshan Abbas", { value: "گۈلشەن ئابباس", lang: "ug" }] } })).id;
      ids.facility = (await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { name: ["Urumqi No. 2 prison"], placeType: ["prison"], latitude: ["43.86"], longitude: ["87.55"] } })).id;
      ids.testimony = (await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Testimony of her sister"], sourceType: ["testimony"] } })).id;
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  it("records an arrest and a transfer, finds the person on the silence dashboard and the facility map, and opens an urgent action's PDF", { timeout: 180_000 }, async () => {
    const context = await watch.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInPage(page, "documenter@watch.example");

    // The arrest, from the person's page.
    await page.goto(`/records/${ids.person}`);
    await page.getByRole("link", { name: "Record a detention" }).click();
    await page.waitForURL(/\/monitor\/detentions\/new\?person=/);
    await axe.scan("record a detention", page);
    await page.getByLabel("Detained since").fill("2018-09-11");
    await page.getByLabel("Source", { exact: true }).selectOption(ids.testimony);
    await page.getByLabel("Stated grounds").fill("none given");
    await submit(page, page.getByRole("button", { name: "Record the detention" }));
    const detentionPath = new URL(page.url()).pathname;
    assert.match(detentionPath, /^\/monitor\/detentions\/[0-9a-f-]{36}$/);
    const detentionId = detentionPath.split("/").pop()!;
    assert.match(await page.locator(".notice").first().innerText(), /The detention was recorded\./);

    // The transfer to a facility, cited.
    const statusForm = page.locator("form#statuses");
    await statusForm.getByLabel("Status", { exact: true }).selectOption("transferred");
    await statusForm.getByLabel("Date", { exact: true }).fill("2019-03");
    await statusForm.getByLabel("Source", { exact: true }).selectOption(ids.testimony);
    await statusForm.getByLabel("Facility", { exact: true }).selectOption(ids.facility);
    await submit(page, statusForm.getByRole("button", { name: "Add the status change" }));
    assert.match(await page.locator(".notice").first().innerText(), /The status change was added\./);
    const timeline = await page.locator("#timeline").innerText();
    assert.match(timeline, /Transferred/);
    assert.match(timeline, /Urumqi No\. 2 prison/);
    await axe.scan("detention timeline", page);

    // Silent since the arrest: at the top of the dashboard, never heard from.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Detainees/ }).click();
    await page.waitForURL(/\/monitor$/);
    const row = page.locator("table tbody tr").filter({ hasText: "Gulshan Abbas" });
    assert.equal(await row.count(), 1);
    const rowText = await row.innerText();
    assert.match(rowText, /Transferred/);
    assert.match(rowText, /Urumqi No\. 2 prison/);
    await axe.scan("who has gone silent", page);

    // The facility on the map, coloured by the silence of who is held there, linked to its page.
    await page.goto("/monitor/map");
    const marker = page.locator(`svg a[href="/monitor/facilities/${ids.facility}"]`);
    assert.equal(await marker.count(), 1, "the facility is drawn on the map and links to its page");
    assert.match(await page.locator("main").innerText(), /Urumqi No\. 2 prison/);
    await axe.scan("facility map", page);

    // An urgent action from the detention, and its PDF.
    await page.goto(`/records/${detentionId}`);
    await page.getByRole("link", { name: "Generate an urgent action" }).click();
    await page.waitForURL("**/urgent-actions/new/**");
    await submit(page, page.getByRole("button", { name: "Generate", exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/urgent-actions\/[0-9a-f-]{36}$/);
    assert.match(await page.locator("article.ua-document").innerText(), /Gulshan Abbas/);
    const pdfHref = await page.getByRole("link", { name: "Printable PDF" }).getAttribute("href");
    const pdf = await context.request.get(new URL(pdfHref!, vigil.url).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()["content-type"], "application/pdf");
    const body = Buffer.from(await pdf.body());
    assert.equal(body.subarray(0, 5).toString("latin1"), "%PDF-");
    assert.ok(containsText(pdfText(body), "Gulshan Abbas"), "the PDF names the person");

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
