import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { decodeBase32, totp, totpStep } from "../../src/core/index.ts";
import type { TestServices } from "../helpers/database.ts";
import { AccessibilityLedger, BrowserWatch, launchChromium, startVigil, submit } from "../helpers/browser.ts";

/**
 * One installation of Vigil, from first-run setup on, driven through Chromium as its people would:
 * the administrator sets it up, turns on a second factor, invites a viewer; the viewer is refused
 * the admin pages and signs out everywhere; the audit trail shows what happened.
 */

const ADMIN = { name: "Ayla Admin", email: "admin@watch.example", password: "a long and quiet evening by the river" };
const VIEWER = { name: "Vera Viewer", email: "viewer@watch.example", password: "the tea grows cold on the windowsill" };

describe("accounts in the browser", () => {
  let browser: Browser;
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let services: TestServices;
  let watch: BrowserWatch;
  const axe = new AccessibilityLedger();
  let totpSecret: Buffer | null = null;
  let recoveryCodes: string[] = [];
  // Pages left signed in by one story for the next; each story says which it needs.
  let adminPage: Page | undefined;
  let viewerPage: Page | undefined;

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigil();
    services = vigil.services;
    watch = new BrowserWatch(browser, vigil.url);
  });

  after(async () => {
    await watch?.closeContexts();
    await browser?.close();
    await vigil?.close();
  });

  function needs(page: Page | undefined, what: string): Page {
    assert.ok(page, `this story needs ${what}, which an earlier story did not leave`);
    return page;
  }

  function path(page: Page): string {
    return new URL(page.url()).pathname;
  }

  /**
   * The server reads time from the test's clock, so codes come from that clock; moving it to the
   * next 30-second step gives a code that replay protection has not seen yet.
   */
  function nextCode(): string {
    services.clock.advanceSeconds(30);
    return totp(totpSecret!, services.clock.now());
  }

  async function submitPassword(page: Page, email: string, password: string, expectedStatus = 303): Promise<void> {
    await page.goto("/login");
    assert.equal(path(page), "/login", "the sign-in page is shown");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await submit(page, page.getByRole("button", { name: "Sign in", exact: true }), expectedStatus);
  }

  async function signInAsAdmin(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await submitPassword(page, ADMIN.email, ADMIN.password);
    if (totpSecret) {
      assert.equal(path(page), "/login/second-factor");
      await page.getByLabel("Code").fill(nextCode());
      await submit(page, page.getByRole("button", { name: "Continue" }));
    }
    assert.equal(path(page), "/");
    return page;
  }

  async function signInAsViewer(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await submitPassword(page, VIEWER.email, VIEWER.password);
    assert.equal(path(page), "/");
    return page;
  }

  it("sends the first visitor to setup, creates the organisation, then locks setup", async () => {
    const page = await watch.newPage();
    await page.goto("/");
    assert.equal(path(page), "/setup");
    await axe.scan("setup", page);

    await page.getByLabel("Organisation name").fill("East Turkestan Watch");
    await page.getByLabel("Short name").fill("east-turkestan-watch");
    await page.getByLabel("Name", { exact: true }).fill(ADMIN.name);
    await page.getByLabel("Email address").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await submit(page, page.getByRole("button", { name: "Create organisation" }));

    assert.match(page.url(), /\/login\?done=setup$/);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Sign in");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Vigil is set up/);
    await axe.scan("sign-in", page);

    const again = await page.goto("/setup");
    assert.equal(path(page), "/login", "setup must be locked once an organisation exists");
    assert.equal(again?.status(), 200);
  });

  it("asks for a one-time code after the password once the second factor is on, and refuses a wrong one", async () => {
    const context = await watch.newContext();
    const page = await context.newPage();
    await submitPassword(page, ADMIN.email, ADMIN.password);
    assert.equal(path(page), "/");
    await page.getByRole("link", { name: "Set up a second factor" }).click();
    await page.waitForURL((url) => url.pathname === "/account/second-factor");

    const manualKey = (await page.locator("figure.qr figcaption code").textContent()) ?? "";
    assert.match(manualKey, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    totpSecret = decodeBase32(manualKey.replace(/\s/g, ""));
    await page.getByLabel("Code").fill(totp(totpSecret, services.clock.now()));
    await submit(page, page.getByRole("button", { name: "Confirm" }), 200);

    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Your recovery codes");
    recoveryCodes = await page.locator("ul.codes code").allTextContents();
    assert.equal(recoveryCodes.length, 10);
    for (const code of recoveryCodes) assert.match(code, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    await page.getByRole("link", { name: "I have saved them: continue" }).click();
    await page.waitForURL(/\/account\?done=second-factor-enabled$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /Second factor is on/);

    await submit(page, page.getByRole("button", { name: "Sign out", exact: true }));
    assert.match(page.url(), /\/login\?done=signed-out$/);

    await submitPassword(page, ADMIN.email, ADMIN.password);
    assert.equal(path(page), "/login/second-factor");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Second step");
    assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0, "no navigation before the second step");
    await axe.scan("second factor", page);

    // A code that matches none of the steps the server accepts now (the current one and one either side).
    const step = totpStep(services.clock.now());
    const valid = new Set([step - 1, step, step + 1, step + 2].map((s) => totp(totpSecret!, new Date(s * 30_000))));
    let wrong = "000000";
    while (valid.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, "0");
    await page.getByLabel("Code").fill(wrong);
    await submit(page, page.getByRole("button", { name: "Continue" }), 401);
    assert.equal(path(page), "/login/second-factor");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /that code is not right/);
    await axe.scan("second factor with an error", page);

    await page.getByLabel("Code").fill(nextCode());
    await submit(page, page.getByRole("button", { name: "Continue" }));
    assert.equal(path(page), "/");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), `Welcome, ${ADMIN.name}`);
    await axe.scan("dashboard", page);
    adminPage = page;
  });

  it("lets an invited viewer choose a name and password, then sign in", async () => {
    const admin = needs(adminPage, "the administrator signed in");
    await admin.goto("/admin/users");
    await admin.getByLabel("Email address").fill(VIEWER.email);
    await admin.getByLabel("Role", { exact: true }).selectOption("viewer");
    await submit(admin, admin.getByRole("button", { name: "Create invitation link" }), 201);
    const link = await admin.locator("#invite-link").inputValue();
    assert.match(link, new RegExp(`^${vigil.url}/invite/\\S+$`));
    await axe.scan("people (admin)", admin);

    const context = await watch.newContext();
    const page = await context.newPage();
    const opened = await page.goto(link);
    assert.equal(opened?.status(), 200);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Join East Turkestan Watch on Vigil");
    assert.match((await page.locator("main").textContent()) ?? "", new RegExp(`invited as Viewer with the address ${VIEWER.email}`));
    await axe.scan("invitation acceptance", page);
    await page.getByLabel("Name", { exact: true }).fill(VIEWER.name);
    await page.getByLabel("Password").fill(VIEWER.password);
    await submit(page, page.getByRole("button", { name: "Create my account" }));
    assert.match(page.url(), /\/login\?done=invited$/);

    await page.getByLabel("Email address").fill(VIEWER.email);
    await page.getByLabel("Password").fill(VIEWER.password);
    await submit(page, page.getByRole("button", { name: "Sign in", exact: true }));
    assert.equal(path(page), "/");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), `Welcome, ${VIEWER.name}`);
    viewerPage = page;

    const used = await (await watch.newPage()).goto(link);
    assert.equal(used?.status(), 404, "an invitation link works once");
  });

  it("refuses a viewer the admin pages with a 403 page and shows them no admin links", async () => {
    const viewer = needs(viewerPage, "the viewer signed in");
    for (const adminPath of ["/admin/users", "/admin/audit"]) {
      const response = await viewer.goto(adminPath);
      assert.equal(response?.status(), 403, `${adminPath} must be refused`);
      assert.equal(await viewer.getByRole("heading", { level: 1 }).textContent(), "Not allowed");
    }
    await axe.scan("403 page", viewer);

    const navigation = viewer.getByRole("navigation", { name: "Main" });
    const targets = await navigation.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.ok(targets.includes("/account"), `the viewer's navigation has their account: ${targets.join(", ")}`);
    assert.ok(!targets.some((href) => href?.startsWith("/admin")), `no admin link for a viewer: ${targets.join(", ")}`);
  });

  it("signs a person out on every device when they ask on one", async () => {
    const viewer = needs(viewerPage, "the viewer signed in");
    const second = await signInAsViewer(await watch.newContext());
    await second.goto("/account");
    assert.equal(await second.getByRole("heading", { level: 1 }).textContent(), "Your account");
    const sessionRows = await second.getByRole("table", { name: "Open sessions" }).locator("tbody tr").count();
    assert.equal(sessionRows, 2, "both sessions are listed");
    await axe.scan("account", second);

    await submit(second, second.getByRole("button", { name: "Sign out everywhere, here too" }));
    assert.match(second.url(), /\/login\?done=signed-out$/);

    await viewer.goto("/");
    assert.equal(path(viewer), "/login", "the other browser's session has ended too");
    await second.goto("/");
    assert.equal(path(second), "/login");
  });

  it("lists failed sign-ins and role and invitation events in the audit trail, and filters them by action", async () => {
    const admin = needs(adminPage, "the administrator signed in");
    const stranger = await watch.newPage();
    await submitPassword(stranger, ADMIN.email, "not the password at all, sorry", 401);
    assert.equal(path(stranger), "/login");
    assert.match((await stranger.getByRole("alert").textContent()) ?? "", /the email address or the password is not right/);

    await admin.goto("/admin/users");
    await admin.getByLabel(`Role of ${VIEWER.name}`).selectOption("researcher");
    await submit(admin, admin.getByRole("button", { name: "Change" }));
    assert.match(admin.url(), /done=role-changed$/);

    await admin.goto("/admin/audit");
    const table = admin.getByRole("table", { name: "Events, newest first" });
    const rows = async () =>
      table.locator("tbody tr").evaluateAll((trs) =>
        trs.map((tr) => ({ action: tr.querySelector("td:nth-child(3)")?.textContent ?? "", outcome: tr.querySelector("td:nth-child(4)")?.className ?? "" })),
      );
    const all = await rows();
    const has = (list: typeof all, action: string, outcome = "outcome-ok") => list.some((r) => r.action === action && r.outcome === outcome);
    assert.ok(has(all, "auth.sign-in", "outcome-failed"), "the failed sign-in is listed");
    assert.ok(has(all, "auth.second-factor", "outcome-failed"), "the wrong code is listed");
    assert.ok(has(all, "user.invite"), "the invitation is listed");
    assert.ok(has(all, "user.invite.accept"), "the accepted invitation is listed");
    assert.ok(has(all, "user.change-role"), "the role change is listed");
    assert.ok(has(all, "user.list", "outcome-denied"), "the viewer's refusal is listed");
    await axe.scan("audit", admin);

    await admin.getByLabel("Action").fill("auth.");
    await admin.getByRole("button", { name: "Filter" }).click();
    await admin.waitForURL(/action=auth\./);
    const filtered = await rows();
    assert.ok(filtered.length > 0 && filtered.length < all.length, `filtering narrows ${all.length} events to ${filtered.length}`);
    assert.deepEqual(filtered.filter((r) => !r.action.startsWith("auth.")), []);
    assert.ok(has(filtered, "auth.sign-in", "outcome-failed"));
    assert.equal(await admin.getByLabel("Action").inputValue(), "auth.", "the filter stays in its field");
  });

  it("has no serious or critical accessibility violations on any page", async () => {
    const admin = needs(adminPage, "the administrator signed in");
    const notFound = await admin.goto("/no/such/page");
    assert.equal(notFound?.status(), 404);
    assert.equal(await admin.getByRole("heading", { level: 1 }).textContent(), "Page not found");
    await axe.scan("404 page", admin);

    const expected = ["setup", "sign-in", "second factor", "dashboard", "people (admin)", "audit", "account", "invitation acceptance", "404 page", "403 page"];
    assert.deepEqual(expected.filter((label) => !axe.scannedPages().includes(label)), [], "every page was scanned");
    assert.deepEqual(axe.report(), []);
  });

  it("shows no console error, uncaught exception or CSP violation on any page", async () => {
    // A page freshly signed in once more, after every story above, so the last pages are watched too.
    await signInAsAdmin(await watch.newContext());
    assert.deepEqual(watch.problems(), []);
  });
});
