import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { decodeHash, hashLeaf, verifyInclusion } from "../../src/ledger/index.ts";
import { startServer } from "../../src/web/server.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage } from "../helpers/browser.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { setUpOrganisation } from "../helpers/fixtures.ts";
import { filesUnder, jpegWithGps, makeKeys, PASSPHRASE, tags, tempDir } from "../evidence/helpers.ts";

/**
 * The "done when": an administrator uploads a photo with GPS data while the vault is
 * sealed, is refused its download with a message saying so, unseals the vault, makes the redacted
 * copy, downloads it without GPS, and sees the upload's inclusion proof in the custody history.
 */
describe("the evidence vault in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let server: Awaited<ReturnType<typeof startServer>>;
  let watch: BrowserWatch;
  let dataDir: string;
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    dataDir = tempDir("vigil-e2e-evidence-");
    const target = databaseTargets().find((t) => t.name === "pglite")!;
    services = await openTestServices(target, { port: 0, host: "127.0.0.1", dataDir });
    const org = await setUpOrganisation(services);
    await makeKeys(services, org.orgId, false);
    server = await startServer(services, null);
    watch = new BrowserWatch(browser, server.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await server?.close();
    await services?.close();
  });


  it("uploads a photo with GPS while sealed, unseals, downloads a redacted copy without GPS and shows the inclusion proof", async () => {
    const page = await watch.newPage({ acceptDownloads: true });
    await signInPage(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Evidence" }).click();
    await page.waitForURL("**/evidence");
    assert.match(await page.locator("#vault-sealed").innerText(), /sealed/i);
    await axe.scan("evidence list, sealed", page);

    const photo = jpegWithGps(tempDir());
    await page.getByLabel("File").setInputFiles(photo);
    await submit(page, page.getByRole("button", { name: "Upload and encrypt" }));
    assert.match(new URL(page.url()).pathname, /^\/evidence\/[0-9a-f-]{36}$/);
    const evidencePath = new URL(page.url()).pathname;
    assert.equal(await page.locator("#evidence-type").innerText(), "image/jpeg");
    assert.match(await page.locator("#vault-sealed").innerText(), /sealed/i);
    assert.equal(await page.locator("#download").count(), 0, "no download link while sealed");
    await axe.scan("evidence item, sealed", page);

    const refused = await page.goto(`${evidencePath}/download`);
    assert.equal(refused?.status(), 503);
    assert.match(await page.locator("main").innerText(), /the vault is sealed/);

    await page.goto("/admin/vault");
    assert.match(await page.locator("#vault-state").innerText(), /Sealed/);
    await page.getByLabel("Passphrase").fill("not the passphrase at all");
    await submit(page, page.getByRole("button", { name: "Unseal" }), 422);
    assert.match(await page.locator(".error-summary").innerText(), /do not open/);
    await page.getByLabel("Passphrase").fill(PASSPHRASE);
    await submit(page, page.getByRole("button", { name: "Unseal" }));
    assert.match(await page.locator("#vault-state").innerText(), /Unsealed/);
    await axe.scan("keys and vault, unsealed", page);

    await page.goto(evidencePath);
    assert.equal(await page.locator("#vault-sealed").count(), 0);
    assert.match(await page.locator("table.metadata").innerText(), /EXIF:GPSLatitude\s+43\.8/);
    const plaintextHash = execFileSync("sha256sum", [photo], { encoding: "utf8" }).split(" ")[0];
    assert.equal(await page.locator("#plaintext-sha256").innerText(), plaintextHash);
    assert.ok(await page.locator("img.preview").evaluate((img: HTMLImageElement) => img.complete), "the preview loads");

    // The upload's inclusion proof, checked against the leaf as stored.
    const row = page.locator("table.custody tbody tr").filter({ hasText: "received" });
    await row.locator("summary").click();
    const index = Number(await row.locator("td").first().innerText());
    const size = Number(/(\d+)/.exec(await row.locator("summary").innerText())![1]);
    const root = decodeHash(await row.locator("details p code").innerText())!;
    const proof = (await row.locator("details li code").allInnerTexts()).map((h) => decodeHash(h)!);
    const orgId = (await services.db.selectFrom("organisations").select("id").executeTakeFirstOrThrow()).id;
    const leaf = await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).where("idx", "=", index).executeTakeFirstOrThrow();
    assert.ok(verifyInclusion(hashLeaf(leaf.data), index, size, proof, root), "the proof shown proves the upload's leaf");
    await axe.scan("evidence item, unsealed", page);

    await submit(page, page.getByRole("button", { name: "Make a redacted copy" }));
    assert.match(await page.locator("h1").innerText(), /Redacted copy/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
    const saved = join(tempDir(), "redacted.jpg");
    await download.saveAs(saved);
    const left = tags(saved);
    assert.equal(left["File:MIMEType"], "image/jpeg");
    assert.deepEqual(Object.keys(left).filter((k) => /GPS|SerialNumber|OwnerName|Thumbnail/.test(k)), []);
    assert.ok(readFileSync(saved).length > 0);
    assert.deepEqual(filesUnder(dataDir).filter((f) => f.endsWith("_original")), []);

    // The 503 for the download refused while sealed was asked for; nothing else may have gone wrong.
    assert.deepEqual(watch.problems().filter((p) => !p.includes(`${evidencePath}/download`)), []);
    assert.deepEqual(axe.report(), []);
  });
});
