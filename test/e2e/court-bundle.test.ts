import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { NO_ORIGIN } from "../../src/context.ts";
import { openZip } from "../../src/core/index.ts";
import { operatorCaller, receiveEvidence } from "../../src/evidence/index.ts";
import { createEntity } from "../../src/records/index.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, submit, signInPage, startVigil } from "../helpers/browser.ts";
import type { TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";

const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const TESTIMONY = "Testimony of W-1: I was held in the compound at Dabancheng from March 2018 to May 2019.\n".repeat(40);

/**
 * A lawyer's day with a court bundle: a legal case built through the pages with a consenting
 * witness and an exhibit, the bundle exported, its verify.html opened in Chromium offline from
 * file:// and given the ZIP (and the extracted folder) — every check passes — then one byte of the
 * exhibit changed, and the page and `vigil verify` both say it failed.
 */
describe("court bundles in the browser", () => {
  let browser: Browser;
  let services: TestServices;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let watch: BrowserWatch;
  let dir = "";
  let witnessId = "";
  let evidenceId = "";
  const axe = new AccessibilityLedger();

  before(async () => {
    browser = await launchChromium();
    dir = tempDir("vigil-bundle-e2e-");
    vigil = await startVigil({ dataDir: join(dir, "data") }, async (opened) => {
      services = opened;
      const org = await setUpOrganisation(services);
      await makeKeys(services, org.orgId);
      const { actor } = (await sessionFor(services, org.adminEmail)).principal;
      witnessId = (await createEntity(services, NO_ORIGIN, actor, { schema: "Person", properties: { name: ["Sayragul Sauytbay"] } })).id;
      evidenceId = (await receiveEvidence(services, NO_ORIGIN, operatorCaller(org.orgId), { source: [Buffer.from(TESTIMONY)], filename: "testimony.txt", claimedType: "text/plain" })).id;
    });
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
    rmSync(dir, { recursive: true, force: true });
  });


  /** Opens verify.html from disk in a context with no network at all, gives it `files`, and reads the verdict. */
  async function verifyInBrowser(html: string, input: "#zip" | "#folder", files: string, key = ""): Promise<{ result: string; passed: number; failed: string[] }> {
    const context = await browser.newContext({ offline: true });
    try {
      const requests: string[] = [];
      context.on("request", (r) => {
        if (!r.url().startsWith("file:")) requests.push(r.url());
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(html).href);
      if (key) await page.getByLabel("The organisation's verifier key, as it published it (optional)").fill(key);
      await page.setInputFiles(input, files);
      await page.locator("#summary[data-result]").waitFor({ timeout: 30_000 });
      const result = (await page.locator("#summary").getAttribute("data-result"))!;
      const passed = await page.locator('tr[data-check="pass"]').count();
      const failed = await page.locator('tr[data-check="fail"]').allInnerTexts();
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [], "verify.html reached for nothing beyond the files it was given");
      return { result, passed, failed };
    } finally {
      await context.close();
    }
  }

  function vigilVerify(file: string): { code: number | null; stdout: string } {
    const run = spawnSync(process.execPath, [VIGIL, "verify", file], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, timeout: 60_000 });
    return { code: run.status, stdout: run.stdout };
  }

  it("exports a bundle from a case with a consenting witness, and verify.html and vigil verify pass it, then fail it when one exhibit byte changes", { timeout: 240_000 }, async () => {
    const context = await watch.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await signInPage(page);

    await page.goto("/cases");
    await axe.scan("cases", page);
    await page.getByLabel("Case name").fill("Sauytbay v. Xinjiang Public Security Bureau officials");
    await page.getByLabel("Forum").selectOption("universal-jurisdiction");
    await page.getByLabel("Court or body").fill("Federal Court of Justice");
    await page.getByLabel("Claims").fill("crimes against humanity: imprisonment\ntorture");
    await submit(page, page.getByRole("button", { name: "Create the case" }));
    const casePath = new URL(page.url()).pathname;
    assert.match(casePath, /^\/cases\/[0-9a-f-]{36}$/);

    await page.getByLabel("Person record").fill(witnessId);
    await page.getByLabel("Label", { exact: true }).fill("W-1");
    await submit(page, page.getByRole("button", { name: "Add a plaintiff or witness" }).last());
    await page.getByLabel("Evidence item").fill(evidenceId);
    await page.locator("#f-label").last().fill("E-1");
    await page.getByLabel("Description").fill("Written testimony");
    await page.getByLabel("Witness or plaintiff").selectOption({ label: "W-1 (Witness)" });
    await submit(page, page.getByRole("button", { name: "Add an exhibit from the vault" }).last());

    // No consent yet: the export is refused and says which exhibit and which consent.
    await submit(page, page.getByRole("button", { name: "Export a court bundle" }).last(), 409);
    assert.match(await page.locator(".error-summary, [role=alert]").first().innerText(), /E-1: W-1 has not given consent to use of testimony in this case/i);

    await page.goto(casePath);
    await page.getByLabel("What to").selectOption("use-testimony");
    await page.getByLabel("When (as the person said it)").fill("2026-05-20");
    await page.getByLabel("How, or why").fill("signed consent form, read to her in Kazakh");
    await submit(page, page.getByRole("button", { name: "Record consent" }).last());
    assert.match(await page.locator('tr[data-party="W-1"] td[data-consent="use-testimony"]').innerText(), /given/);
    await axe.scan("case file", page);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export a court bundle" }).last().click()]);
    const zipPath = join(dir, "bundle.zip");
    await download.saveAs(zipPath);

    // The bundle as a court receives it: verify.html extracted beside the rest.
    const folder = join(dir, "bundle");
    const zip = await openZip(zipPath);
    try {
      for (const entry of zip.entries) {
        mkdirSync(dirname(join(folder, entry.name)), { recursive: true });
        writeFileSync(join(folder, entry.name), await zip.read(entry.name));
      }
    } finally {
      await zip.close();
    }
    const html = join(folder, "verify.html");

    const good = await verifyInBrowser(html, "#zip", zipPath);
    assert.deepEqual(good.failed, []);
    assert.equal(good.result, "pass");
    assert.ok(good.passed >= 8, `${good.passed} checks passed`);
    const key = (JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as { ledger: { verifierKey: string } }).ledger.verifierKey;
    const pinned = await verifyInBrowser(html, "#zip", zipPath, key);
    assert.deepEqual([pinned.result, pinned.passed], ["pass", good.passed + 1]);
    const otherKey = await verifyInBrowser(html, "#zip", zipPath, key.replace(/\+[0-9a-f]{8}\+/, "+00000000+"));
    assert.equal(otherKey.result, "fail");
    assert.ok(otherKey.failed.some((row) => /verifier key pinned/.test(row)));
    const fromFolder = await verifyInBrowser(html, "#folder", folder);
    assert.equal(fromFolder.result, "pass");
    assert.equal(fromFolder.passed, good.passed);
    const cli = vigilVerify(zipPath);
    assert.equal(cli.code, 0, cli.stdout);
    assert.equal(cli.stdout.split("\n").filter((l) => l.startsWith("PASS")).length, good.passed, "the command makes the same checks");

    // One byte of the exhibit changed, in the ZIP and in the folder.
    const bytes = readFileSync(zipPath);
    const at = bytes.indexOf(Buffer.from("Dabancheng"));
    assert.ok(at > 0);
    bytes[at] = "d".charCodeAt(0);
    const tampered = join(dir, "tampered.zip");
    writeFileSync(tampered, bytes);
    const bad = await verifyInBrowser(html, "#zip", tampered);
    assert.equal(bad.result, "fail");
    assert.ok(bad.failed.some((row) => /exhibit E-1/.test(row) && /SHA-256/.test(row)), bad.failed.join("\n"));
    const exhibit = join(folder, "exhibits", "E-1.txt");
    writeFileSync(exhibit, readFileSync(exhibit, "utf8").replace("Dabancheng", "dabancheng"));
    assert.equal((await verifyInBrowser(html, "#folder", folder)).result, "fail");
    const cliBad = vigilVerify(tampered);
    assert.equal(cliBad.code, 1);
    assert.match(cliBad.stdout, /FAIL {2}exhibit E-1/);

    await page.goto("/language/ug");
    await page.goto("/cases");
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
    await axe.scan("cases, in Uyghur", page);

    assert.deepEqual(axe.report(), []);
    assert.deepEqual(watch.problems(), []);
  });
});
