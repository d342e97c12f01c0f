import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import {  } from "../helpers/fixtures.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, startVigil, signInPage } from "../helpers/browser.ts";
import { buildMapWorld } from "../map/fixture.ts";

/**
 * The map in Chromium, with JavaScript (the canvas, its worker, clicking clusters) and without it
 * (the SVG, its links and the table by region), as a viewer who may not see some incidents. Set
 * VIGIL_E2E_SCREENSHOTS to a folder to keep pictures of both maps and the timeline.
 */

const SCREENSHOTS = process.env.VIGIL_E2E_SCREENSHOTS;
const CLUSTER = [164, 22, 26];
const POINT = [11, 92, 173];

describe("the incident map in the browser", () => {
  let browser: Browser;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil();
    await buildMapWorld(vigil.services);
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });


  /** The centre of the pixels of one colour on the canvas, in CSS pixels, or null when there are none. */
  async function centreOf(page: Page, rgb: number[]): Promise<{ x: number; y: number } | null> {
    return page.locator("canvas.map-canvas").evaluate((canvas: HTMLCanvasElement, [r, g, b]) => {
      const context = canvas.getContext("2d")!;
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = 4 * (y * width + x);
          if (Math.abs(data[i]! - r!) < 8 && Math.abs(data[i + 1]! - g!) < 8 && Math.abs(data[i + 2]! - b!) < 8) {
            sx += x;
            sy += y;
            n++;
          }
        }
      }
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      return n === 0 ? null : { x: sx / n / ratio, y: sy / n / ratio };
    }, rgb);
  }

  it("draws clusters on a canvas with JavaScript, zooms into one, and lists what is at a spot", async () => {
    const page = await watch.newPage();
    await signInPage(page, "viewer@watch.example");
    await page.goto("/map?lat=40&lon=82&z=2");
    await page.locator("#incident-map[data-state=ready]").waitFor();
    assert.equal(await page.locator("#incident-map svg").count(), 0, "the canvas has taken the SVG's place");
    // Kashgar (4 incidents) and Ghulja (1) are one cluster at zoom 2; the viewer may see 6 incidents in all.
    const status = page.locator("#incident-map [role=status]");
    const before = (await status.textContent()) ?? "";
    assert.match(before, /circles shown, 6 in view/);
    const cluster = await centreOf(page, CLUSTER);
    assert.ok(cluster, "a cluster (two places or more) is drawn");
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "map-canvas.png"), fullPage: true });

    await page.locator("canvas.map-canvas").click({ position: cluster });
    // Zoomed in, the cluster parts into places of their own.
    await page.waitForFunction((was) => document.querySelector("#incident-map [role=status]")?.textContent !== was, before);
    assert.equal(await centreOf(page, CLUSTER), null, "no cluster left once zoomed in");
    assert.ok(await centreOf(page, POINT), "single places are drawn once parted");

    // Urumqi has two places at one spot, but the viewer may see an incident at one of them only.
    await page.goto("/map?lat=43.83&lon=87.62&z=16");
    await page.locator("#incident-map[data-state=ready]").waitFor();
    assert.equal(await centreOf(page, CLUSTER), null, "no cluster betrays the place whose incident is hidden");
    const single = await centreOf(page, POINT);
    assert.ok(single);
    await page.locator("canvas.map-canvas").click({ position: single });
    const panel = page.locator(".map-panel");
    await panel.locator("ol.incident-list li").first().waitFor();
    assert.deepEqual(await panel.locator("ol.incident-list li > a").allTextContents(), ["Beating at the police station"]);
    assert.match((await panel.textContent()) ?? "", /Urumqi police station/);
    await axe.scan("map with JavaScript", page);
  });

  it("keeps two places at one spot apart: however close one zooms, a click lists both", async () => {
    const page = await watch.newPage();
    await signInPage(page, "admin@watch.example");
    await page.goto("/map?lat=43.83&lon=87.62&z=16");
    await page.locator("#incident-map[data-state=ready]").waitFor();
    const spot = await centreOf(page, CLUSTER);
    assert.ok(spot, "the two places are one cluster");
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.waitForTimeout(100);
    const closer = await centreOf(page, CLUSTER);
    assert.ok(closer, "still one cluster past the deepest level");
    await page.locator("canvas.map-canvas").click({ position: closer });
    const panel = page.locator(".map-panel");
    await panel.locator("ol.incident-list li").nth(1).waitFor();
    assert.deepEqual((await panel.locator("ol.incident-list li > a").allTextContents()).sort(), ["Beating at the police station", "Restricted incident in Urumqi"]);
  });

  it("pans with the keyboard and zooms with the buttons", async () => {
    const page = await watch.newPage();
    await signInPage(page, "viewer@watch.example");
    await page.goto("/map?lat=40&lon=82&z=5");
    await page.locator("#incident-map[data-state=ready]").waitFor();
    const before = await centreOf(page, POINT);
    assert.ok(before);
    await page.locator("canvas.map-canvas").focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(100);
    const after = await centreOf(page, POINT);
    assert.ok(after && after.x < before.x - 40, "the map moved west under a press of the right arrow");
    await page.getByRole("button", { name: "Zoom out" }).click();
    await page.waitForTimeout(100);
    assert.match((await page.locator("#incident-map [role=status]").textContent()) ?? "", /circles shown, 6 in view/);
  });

  it("shows the SVG map, its clusters as links, and the incidents by region without JavaScript", async () => {
    const context = await watch.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPage(page, "viewer@watch.example");
    await page.goto("/map");
    const svg = page.locator("#incident-map svg.cluster-map");
    await svg.waitFor();
    assert.ok(await svg.isVisible());
    assert.equal(await page.locator("canvas").count(), 0);
    const links = svg.locator("a");
    assert.ok((await links.count()) >= 1);
    const table = page.locator("table.region-table");
    assert.match((await table.textContent()) ?? "", /Xinjiang/);
    assert.match((await page.locator("main [role=status]").first().textContent()) ?? "", /6 incidents at 3 places/);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "map-svg.png"), fullPage: true });

    // Follow the region: its incidents are listed under the map, none the viewer may not see.
    await table.getByRole("link", { name: "Xinjiang" }).click();
    await page.waitForURL(/region=CHN-1756/);
    const listed = await page.locator("#here ol.incident-list li > a").allTextContents();
    assert.ok(listed.includes("Beating at the police station"));
    assert.ok(!listed.includes("Restricted incident in Urumqi"));

    // Zoom in by links until Urumqi is a spot of its own, and list it.
    await page.goto("/map?lat=43.83&lon=87.62&z=12");
    await page.locator('#incident-map svg a[aria-label$="list them"]').first().click();
    await page.waitForURL(/bbox=/);
    assert.deepEqual(await page.locator("#here ol.incident-list li > a").allTextContents(), ["Beating at the police station"]);
  });

  it("shows the timeline without JavaScript", async () => {
    const context = await watch.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPage(page, "viewer@watch.example");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Timeline" }).click();
    await page.waitForURL(/\/timeline$/);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Timeline");
    assert.ok((await page.locator("svg.range-bar").count()) >= 5);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "timeline.png"), fullPage: true });
  });

  it("passes axe on the SVG map and the timeline (scanned with the map's script left out: axe needs JavaScript)", async () => {
    const context = await watch.newContext();
    await context.route("**/static/map.js", (route) => route.fulfill({ status: 200, contentType: "text/javascript", body: "" }));
    const page = await context.newPage();
    await signInPage(page, "viewer@watch.example");
    await page.goto("/map?region=CHN-1756");
    assert.equal(await page.locator("#incident-map svg.cluster-map").count(), 1);
    await axe.scan("map without JavaScript", page);
    await page.goto("/timeline");
    await axe.scan("timeline", page);
  });

  it("has no serious or critical accessibility violations", async () => {
    assert.deepEqual(axe.scannedPages(), ["map with JavaScript", "map without JavaScript", "timeline"]);
    assert.deepEqual(axe.report(), []);
  });

  it("shows no console error, uncaught exception or CSP violation", async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
