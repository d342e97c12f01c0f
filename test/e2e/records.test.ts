import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startServer } from "../../src/web/server.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage } from "../helpers/browser.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

/**
 * The "done when", in Chromium: a documenter records an incident with two victims and a
 * perpetrator unit, cites a testimony, corrects a date with a reason, reads the history's
 * difference, merges a duplicate and undoes it, finds the incident by a word of the testimony and
 * sees it on the map; a viewer without access to a restricted incident finds no trace of it in
 * lists, counts, search or the map. Then the same editor and search work with JavaScript off.
 */
describe("documenting in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let server: Awaited<ReturnType<typeof startServer>>;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();
  const paths = new Map<string, string>();
  const refused: string[] = [];

  before(async () => {
    browser = await launchChromium();
    const target = databaseTargets().find((t) => t.name === "pglite")!;
    services = await openTestServices(target, { port: 0, host: "127.0.0.1" });
    const org = await setUpOrganisation(services);
    const admin = await sessionFor(services, org.adminEmail);
    await addMember(services, admin.principal, "editor", "documenter@watch.example");
    await addMember(services, admin.principal, "viewer", "viewer@watch.example");
    server = await startServer(services, null);
    watch = new BrowserWatch(browser, server.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await server?.close();
    await services?.close();
  });


  /** From the navigation to a kind's list, then to the editor of a new record of that kind. */
  async function startRecord(page: Page, list: string, button: string): Promise<void> {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Records" }).click();
    await page.waitForURL(/\/records$/);
    await page.getByRole("navigation", { name: "Kinds of record" }).getByRole("link", { name: list }).click();
    await page.waitForURL(/\/records\/[a-z]+$/);
    await page.getByRole("link", { name: button, exact: true }).click();
    await page.waitForURL(/\/records\/new\?schema=/);
  }

  /** The first empty row's value field of a property in the editor. */
  const newValue = (page: Page, property: string) => page.locator(`#prop-${property} .value-row:not(:has(input[name^="s-"])) [name^="v-"]`).first();
  const newSource = (page: Page, property: string) => page.locator(`#prop-${property} .value-row:not(:has(input[name^="s-"])) select[name^="src-"]`).first();

  async function save(page: Page, name: string): Promise<string> {
    await submit(page, page.getByRole("button", { name: "Save", exact: true }).first());
    const path = new URL(page.url()).pathname;
    assert.match(path, /^\/records\/[0-9a-f-]{36}$/);
    paths.set(name, path);
    return path;
  }

  /** Adds a relationship from the record's page: finds the other record by typing (the script searches as one types), says how, cites the testimony. */
  async function relate(page: Page, words: string, name: string, role: string): Promise<void> {
    await page.getByRole("link", { name: "Add a relationship" }).click();
    await page.waitForURL(/\/relate$/);
    await page.locator("#f-q").fill(words);
    const choice = page.locator("#candidates").getByLabel(new RegExp(name));
    await choice.waitFor();
    await choice.check();
    await page.locator("#f-how").selectOption({ label: role });
    await page.locator("#f-source").selectOption({ label: "Testimony T-12" });
    await submit(page, page.getByRole("button", { name: "Add the relationship" }));
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /The relationship was added\./);
  }

  it("records an incident with two victims and a perpetrator unit on a testimony, corrects its date, merges a duplicate and undoes it, finds it by a word of the testimony and on the map", async () => {
    const page = await watch.newPage();
    await signInPage(page, "documenter@watch.example");

    await startRecord(page, "Sources", "New: Source");
    await newValue(page, "name").fill("Testimony T-12");
    await newValue(page, "sourceType").selectOption({ label: "Testimony" });
    await newValue(page, "bodyText").fill("At dawn the police surrounded the bazaar and took the two brothers away.");
    await axe.scan("editor, new source", page);
    await save(page, "testimony");
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /The record was added\./);

    await startRecord(page, "Places", "New: Place");
    await newValue(page, "full").fill("Kashgar central bazaar");
    await newValue(page, "placeType").selectOption({ label: "City" });
    await newValue(page, "latitude").fill("39.47");
    await newValue(page, "longitude").fill("75.99");
    await save(page, "bazaar");

    for (const person of ["Abdukerim Ablet", "Mehmet Tursun"]) {
      await startRecord(page, "People", "New: Person");
      await newValue(page, "name").fill(person);
      await newSource(page, "name").selectOption({ label: "Testimony T-12" });
      await save(page, person);
    }
    await startRecord(page, "Organisations", "New: Public body");
    await newValue(page, "name").fill("Kashgar public security bureau, unit 7");
    await save(page, "unit");

    await startRecord(page, "Incidents", "New: Incident");
    await newValue(page, "name").fill("Mass detention at Kashgar bazaar");
    await newValue(page, "violation").selectOption({ label: "Arbitrary detention" });
    await newValue(page, "date").fill("2017-06-05");
    await newSource(page, "date").selectOption({ label: "Testimony T-12" });
    await newValue(page, "place").selectOption({ label: "Kashgar central bazaar" });
    const incident = await save(page, "incident");

    await relate(page, "Abdukerim", "Abdukerim Ablet", "Victim");
    await axe.scan("incident with a victim", page);
    await relate(page, "Tursun", "Mehmet Tursun", "Victim");
    await relate(page, "unit 7", "Kashgar public security bureau, unit 7", "Alleged perpetrator");
    const rows = await page.locator("table.relationships tbody tr").allInnerTexts();
    assert.equal(rows.length, 3);
    assert.equal(rows.filter((r) => /Victim/.test(r)).length, 2);
    assert.ok(rows.some((r) => /Alleged perpetrator[\s\S]*unit 7/.test(r)));
    assert.match(await page.locator("#statements").innerText(), /2017-06-05[\s\S]*per Testimony T-12/);

    // The testimony gives Tuesday the 6th: the date is corrected, with the reason.
    await page.getByRole("link", { name: "Edit" }).click();
    await page.waitForURL(/\/edit$/);
    await page.locator('#prop-date input[value="2017-06-05"]').fill("2017-06-06");
    await page.getByLabel("Reason").fill("the testimony says Tuesday, the 6th");
    await axe.scan("editor, correcting a date", page);
    await submit(page, page.getByRole("button", { name: "Save", exact: true }).first());
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /saved as a new revision/);
    await page.getByRole("link", { name: "History" }).click();
    await page.waitForURL(/\/history$/);
    const diff = await page.locator("#diff").innerText();
    assert.match(diff, /withdrawn\s+Date:\s+2017-06-05/);
    assert.match(diff, /added\s+Date:\s+2017-06-06/);
    assert.match(await page.locator("table.revisions").innerText(), /the testimony says Tuesday, the 6th/);
    await axe.scan("history", page);

    // The same man entered twice: merged, then the merge undone.
    await startRecord(page, "People", "New: Person");
    await newValue(page, "name").fill("Abdukerim Ablet");
    await newValue(page, "birthDate").fill("1988");
    const duplicate = await save(page, "duplicate");
    await page.goto(paths.get("Abdukerim Ablet")!);
    await page.getByRole("link", { name: "Merge a duplicate" }).click();
    await page.waitForURL(/\/merge$/);
    await page.locator(`#candidates a[href$="duplicate=${duplicate.split("/").pop()}"]`).click();
    await page.waitForURL(/duplicate=/);
    await axe.scan("merge, both records side by side", page);
    await page.getByLabel("Reason").fill("the same man, entered from two testimonies");
    await submit(page, page.getByRole("button", { name: "Merge", exact: true }));
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /The duplicate was merged into this record/);
    assert.match(await page.locator("#statements").innerText(), /1988/);
    await page.locator("#merges").getByLabel("Reason").fill("they are cousins of the same name");
    await submit(page, page.getByRole("button", { name: "Undo this merge" }));
    assert.match(await page.locator(".notice:not(#vault-sealed)").innerText(), /The merge was undone/);
    assert.doesNotMatch(await page.locator("main").innerText(), /1988/);
    await page.goto(duplicate);
    assert.match(await page.locator("#statements").innerText(), /1988/);

    // A word of the testimony finds it; the testimony leads to the incident, and the incident to the map.
    await page.locator("#top-q").fill("bazaar brothers");
    await page.locator("#top-q").press("Enter");
    await page.waitForURL(/\/search\?q=/);
    await page.locator("ol.hits").getByRole("link", { name: "Testimony T-12" }).click();
    await page.waitForURL((url) => url.pathname === paths.get("testimony"));
    await page.locator("#cited-by").getByRole("link", { name: "Mass detention at Kashgar bazaar" }).click();
    await page.waitForURL((url) => url.pathname === incident);
    await page.getByRole("link", { name: "Show on the map the incidents at" }).click();
    await page.waitForURL(/\/map\?place=/);
    assert.match((await page.locator("main [role=status]").first().textContent()) ?? "", /1 incidents at 1 places/);
  });

  it("leaves no trace of a restricted incident for a viewer without access: not in lists, counts, search or the map", async () => {
    const page = await watch.newPage();
    await signInPage(page, "documenter@watch.example");
    await startRecord(page, "Places", "New: Place");
    await newValue(page, "full").fill("Internment camp east of Kashgar");
    await newValue(page, "latitude").fill("39.51");
    await newValue(page, "longitude").fill("76.10");
    await save(page, "camp");
    await startRecord(page, "Incidents", "New: Incident");
    await newValue(page, "name").fill("Torture of detainees in the east wing");
    await newValue(page, "violation").selectOption({ label: "Torture" });
    await newValue(page, "date").fill("2018~");
    await newValue(page, "place").selectOption({ label: "Internment camp east of Kashgar" });
    await page.getByLabel(/^Restricted:/).check();
    const hidden = await save(page, "hidden");
    assert.match(await page.locator("h1 + p").innerText(), /restricted/);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Records" }).click();
    const seenByDocumenter = Number(/Records: (\d+)/.exec(await page.locator("#record-count").innerText())![1]);
    assert.match(await page.locator("nav.tabs").innerText(), /Incidents \(2\)/);

    const viewer = await watch.newPage();
    await signInPage(viewer, "viewer@watch.example");
    await viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Records" }).click();
    assert.equal(Number(/Records: (\d+)/.exec(await viewer.locator("#record-count").innerText())![1]), seenByDocumenter - 1);
    assert.match(await viewer.locator("nav.tabs").innerText(), /Incidents \(1\)/);
    await viewer.getByRole("navigation", { name: "Kinds of record" }).getByRole("link", { name: "Incidents" }).click();
    assert.match(await viewer.locator("#record-count").innerText(), /Records: 1\b/);
    assert.doesNotMatch(await viewer.locator("main").innerText(), /Torture of detainees|east wing/);
    await axe.scan("incidents, as a viewer", viewer);
    await viewer.locator('footer a[hreflang="ug"]').click();
    await viewer.waitForURL(/\/records\/incidents$/);
    assert.equal(await viewer.locator("html").getAttribute("dir"), "rtl");
    assert.match(await viewer.locator("h1").innerText(), /ۋەقەلەر/);
    await axe.scan("incidents in Uyghur, right to left", viewer);
    await viewer.locator('footer a[hreflang="en"]').click();
    await viewer.waitForURL(/\/records\/incidents$/);
    await viewer.goto(paths.get("camp")!);
    assert.doesNotMatch(await viewer.locator("main").innerText(), /Torture of detainees|east wing/);

    await viewer.locator("#top-q").fill("torture east wing");
    await viewer.locator("#top-q").press("Enter");
    await viewer.waitForURL(/\/search\?q=/);
    assert.match(await viewer.locator("main").innerText(), /No record you may see matches this search\./);

    await viewer.goto("/map");
    assert.match((await viewer.locator("main [role=status]").first().textContent()) ?? "", /^1 incidents at 1 places/);
    assert.doesNotMatch(await viewer.locator("main").innerText(), /Torture of detainees|east wing/);

    const direct = await viewer.goto(hidden);
    assert.equal(direct?.status(), 404);
    refused.push(hidden);
    assert.doesNotMatch(await viewer.locator("main").innerText(), /Torture of detainees|east wing/);
  });

  it("works with JavaScript off: another value in the editor, a name in Uyghur, and a relationship found with the search button", async () => {
    const context = await watch.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPage(page, "documenter@watch.example");
    await page.goto(`${paths.get("Mehmet Tursun")!}/edit`);
    await submit(page, page.getByRole("button", { name: "Another value: Name" }), 200);
    const rows = page.locator('#prop-name .value-row:not(:has(input[name^="s-"]))');
    assert.equal(await rows.count(), 2, "one more empty row, nothing saved");
    await rows.nth(0).locator('[name^="v-"]').fill("مەھمەت تۇرسۇن");
    await rows.nth(0).locator('[name^="lang-"]').fill("ug");
    await page.getByLabel("Reason").fill("his name in Uyghur, from the testimony");
    await submit(page, page.getByRole("button", { name: "Save", exact: true }).first());
    assert.equal(await page.locator('#statements, .names').locator('span[lang="ug"][dir="rtl"]').first().innerText(), "مەھمەت تۇرسۇن");

    await page.getByRole("link", { name: "Add a relationship" }).click();
    await page.locator("#f-kind").selectOption({ label: "Member of an organisation" });
    await page.getByRole("button", { name: "Choose" }).click();
    await page.waitForURL(/kind=Membership\.member/);
    await page.locator("#f-q").fill("unit 7");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.waitForURL(/q=unit/);
    await page.getByLabel(/Kashgar public security bureau, unit 7/).check();
    await page.locator("#f-how").fill("detainee held by the unit");
    await submit(page, page.getByRole("button", { name: "Add the relationship" }));
    assert.match(await page.locator("table.relationships").innerText(), /Membership[\s\S]*detainee held by the unit[\s\S]*unit 7/);
  });

  it("has no serious or critical accessibility violations", async () => {
    assert.deepEqual(axe.scannedPages(), ["editor, new source", "incident with a victim", "editor, correcting a date", "history", "merge, both records side by side", "incidents, as a viewer", "incidents in Uyghur, right to left"]);
    assert.deepEqual(axe.report(), []);
  });

  it("shows no console error, uncaught exception or CSP violation", async () => {
    assert.deepEqual(watch.problems().filter((p) => !refused.some((path) => p.includes(path))), []);
  });
});
