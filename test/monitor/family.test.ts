import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Origin } from "../../src/context.ts";
import { Conflict, Forbidden, Invalid, NotFound, Sealed, TooManyRequests, type Actor } from "../../src/core/index.ts";
import { operatorCaller, rotateVaultKeys, sealVault, unsealVault } from "../../src/evidence/index.ts";
import {
  acceptFamilyReport, approveFamilyUpdate, createFamilyCase, declineFamilyReport, getFamilyCase, issueFamilyCode, listFamilyReports, listFamilyUpdates,
  openFamilyPage, redeemFamilyCode, revokeFamilyAccess, submitFamilyReport, withdrawFamilyUpdate, CODE_REFUSED,
} from "../../src/monitor/index.ts";
import { createEntity, getEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, PASSPHRASE, TEST_LOG_N, tempDir } from "../evidence/helpers.ts";

const STAFF: Origin = { requestId: "req-family-staff", ip: "198.51.100.7", userAgent: "test" };
let addressCounter = 0;
/** A fresh address for each family caller, so one test's failures do not throttle the next. */
function family(): Origin {
  addressCounter++;
  return { requestId: `req-family-${addressCounter}`, ip: `203.0.113.${addressCounter}`, userAgent: "Tor Browser" };
}

const REPORT = {
  names: "Abdurehim Heyit\nئابدۇرېھىم ھېيىت\n阿不都热依木·艾依提",
  birthDate: "1964",
  lastSeenDate: "2017-04, Urumchi",
  lastSeenPlace: "Ürümchi, near the Grand Bazaar",
  circumstances: "Taken from his home at night by four men in plain clothes.",
  takenBy: "Public security bureau, two uniformed officers",
  contact: "Signal +90 555 0199",
};

function rejects<T extends Error>(kind: new (...args: never[]) => T) {
  return (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    return true;
  };
}

for (const target of databaseTargets()) {
  describe(`families in detainee monitoring on ${target.name}`, () => {
    let services: TestServices;
    let orgId: string;
    let admin: Actor;
    let editor: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir("vigil-family-") });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, adminSession.principal, "partner", "partner@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      await makeKeys(services, orgId);
    });
    after(async () => {
      await services.close();
    });

    async function linkFor(): Promise<{ caseId: string; secret: string }> {
      const issued = await createFamilyCase(services, STAFF, editor, {});
      const { secret } = await redeemFamilyCode(services, family(), { code: issued.code });
      return { caseId: issued.caseId, secret };
    }

    it("refuses to give families access before the organisation has vault keys", async () => {
      await assert.rejects(createFamilyCase(services, STAFF, outsider, {}), rejects(Conflict));
    });

    it("issues a code shown once, stored only as a hash, that opens a case exactly once", async () => {
      const issued = await createFamilyCase(services, STAFF, editor, {});
      assert.match(issued.code, /^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$/);
      assert.match(issued.reference, /^F-[0-9A-Z]{6}$/);
      assert.equal(new Date(issued.expiresAt).getTime() - services.now().getTime(), 30 * 86_400_000);
      const stored = await services.db.selectFrom("family_codes").selectAll().where("case_id", "=", issued.caseId).execute();
      assert.equal(stored.length, 1);
      const plain = issued.code.replace(/-/g, "");
      assert.ok(!JSON.stringify(stored).includes(plain), "the code itself is not stored");
      // Typed in lower case, with spaces instead of hyphens: still the code.
      const first = await redeemFamilyCode(services, family(), { code: issued.code.toLowerCase().replace(/-/g, " ") });
      assert.equal(first.caseId, issued.caseId);
      assert.match(first.secret, /^[A-Za-z0-9_-]{43}$/);
      const row = await services.db.selectFrom("family_cases").selectAll().where("id", "=", issued.caseId).executeTakeFirstOrThrow();
      assert.ok(row.link_hash && !row.link_hash.includes(first.secret));
      assert.ok(!JSON.stringify(await services.db.selectFrom("audit_events").selectAll().execute()).includes(first.secret), "no link in the audit trail");
      // Used: refused with exactly the words a wrong code gets.
      const used = await redeemFamilyCode(services, family(), { code: issued.code }).catch((e: unknown) => e);
      const wrong = await redeemFamilyCode(services, family(), { code: "ABCD-EFGH-JKMN-PQRS-TVWX" }).catch((e: unknown) => e);
      const nonsense = await redeemFamilyCode(services, family(), { code: "hello" }).catch((e: unknown) => e);
      for (const error of [used, wrong, nonsense]) {
        assert.ok(error instanceof Invalid);
        assert.equal(error.message, CODE_REFUSED);
        assert.deepEqual(error.fields, { code: CODE_REFUSED });
      }
    });

    it("refuses an expired code like a wrong one, and a new code ends the open one", async () => {
      const issued = await createFamilyCase(services, STAFF, editor, {});
      services.clock.advance(30 * 86_400_000 + 1000);
      await assert.rejects(redeemFamilyCode(services, family(), { code: issued.code }), (e: unknown) => e instanceof Invalid && e.message === CODE_REFUSED);
      const second = await issueFamilyCode(services, STAFF, admin, issued.caseId);
      const third = await issueFamilyCode(services, STAFF, admin, issued.caseId);
      await assert.rejects(redeemFamilyCode(services, family(), { code: second.code }), rejects(Invalid));
      assert.equal((await redeemFamilyCode(services, family(), { code: third.code })).caseId, issued.caseId);
      assert.equal((await getFamilyCase(services, STAFF, viewer, issued.caseId)).linkActive, true);
    });

    it("throttles an address after repeated wrong codes, even a right code then", async () => {
      const from = family();
      const issued = await createFamilyCase(services, STAFF, editor, {});
      for (let i = 0; i < 5; i++) await assert.rejects(redeemFamilyCode(services, from, { code: `WRNG-${i}AAA-BBBB-CCCC-DDDD` }), rejects(Invalid));
      const throttled = await redeemFamilyCode(services, from, { code: issued.code }).catch((e: unknown) => e);
      assert.ok(throttled instanceof TooManyRequests);
      assert.ok(throttled.retryAfterSeconds > 0);
      // Unknown links count too.
      await assert.rejects(openFamilyPage(services, from, "A".repeat(43)), rejects(TooManyRequests));
      // Another address is not held back, and the throttle table holds no address.
      assert.equal((await redeemFamilyCode(services, family(), { code: issued.code })).caseId, issued.caseId);
      const keys = await services.db.selectFrom("login_throttle").select("key").execute();
      assert.ok(keys.every((k) => !k.key.includes("203.0.113.")), "no address in the throttle table");
      // The clock moves on: the address may try again.
      services.clock.advance(16 * 60 * 1000);
      await assert.rejects(redeemFamilyCode(services, from, { code: "WRNG-YAAA-BBBB-CCCC-DDDD" }), rejects(Invalid));
    });

    it("seals a report to the organisation's key: the row holds no plaintext, and only the vault opens it", async () => {
      const { caseId, secret } = await linkFor();
      const sent = await submitFamilyReport(services, family(), secret, REPORT, "ug");
      const row = await services.db.selectFrom("family_reports").selectAll().where("id", "=", sent.id).executeTakeFirstOrThrow();
      assert.equal(row.case_id, caseId);
      const stored = Buffer.from(row.content_sealed);
      assert.ok(stored.subarray(0, 22).toString("latin1").startsWith("age-encryption.org/v1"));
      const everything = JSON.stringify(row) + stored.toString("latin1") + stored.toString("utf8");
      for (const fragment of ["Abdurehim", "ئابدۇرېھىم", "阿不都热依木", "Grand Bazaar", "plain clothes", "+90 555 0199"]) assert.ok(!everything.includes(fragment), `${fragment} at rest`);
      const audits = JSON.stringify(await services.db.selectFrom("audit_events").selectAll().where("action", "like", "family.%").execute());
      assert.ok(!audits.includes("Abdurehim") && !audits.includes("203.0.113."), "no report content and no family address in the audit trail");
      await sealVault(services, STAFF, operatorCaller(orgId));
      await assert.rejects(listFamilyReports(services, STAFF, editor), rejects(Sealed));
      // A sealed server still receives reports: sealing needs only the public key.
      await submitFamilyReport(services, family(), secret, { names: "Second report" }, "en");
      // The family's page still opens.
      assert.match((await openFamilyPage(services, family(), secret)).reference, /^F-/);
      await unsealVault(services, STAFF, operatorCaller(orgId), { passphrase: PASSPHRASE });
      const queue = await listFamilyReports(services, STAFF, editor);
      const mine = queue.find((r) => r.id === sent.id)!;
      assert.equal(mine.report.names, REPORT.names);
      assert.equal(mine.report.contact, REPORT.contact);
      assert.equal(mine.report.locale, "ug");
      assert.equal(mine.state, "new");
    });

    it("rejects a report without names, or with too long a text, and stores nothing", async () => {
      const { caseId, secret } = await linkFor();
      const empty = await submitFamilyReport(services, family(), secret, { names: "   " }, "en").catch((e: unknown) => e);
      assert.ok(empty instanceof Invalid && "names" in empty.fields);
      const long = await submitFamilyReport(services, family(), secret, { names: "A", circumstances: "x".repeat(10_001) }, "en").catch((e: unknown) => e);
      assert.ok(long instanceof Invalid && "circumstances" in long.fields);
      assert.equal((await services.db.selectFrom("family_reports").select("id").where("case_id", "=", caseId).execute()).length, 0);
    });

    it("turns an accepted report into Person and Detention records citing it as their Source, and links the case", async () => {
      const { caseId, secret } = await linkFor();
      const sent = await submitFamilyReport(services, family(), secret, REPORT, "en");
      const bad = await acceptFamilyReport(services, STAFF, editor, sent.id, { startDate: "last spring" }).catch((e: unknown) => e);
      assert.ok(bad instanceof Invalid && "startDate" in bad.fields);
      await assert.rejects(acceptFamilyReport(services, STAFF, viewer, sent.id, {}), rejects(Forbidden));
      await assert.rejects(acceptFamilyReport(services, STAFF, outsider, sent.id, {}), rejects(NotFound));
      const accepted = await acceptFamilyReport(services, STAFF, editor, sent.id, { startDate: "2017-04" });
      const person = await getEntity(services, STAFF, editor, accepted.personId);
      assert.equal(person.schema, "Person");
      assert.equal(person.restricted, true);
      assert.deepEqual([...person.properties.name!].sort(), REPORT.names.split("\n").sort());
      assert.ok(person.statements.every((s) => s.source === accepted.sourceId));
      const detention = await getEntity(services, STAFF, editor, accepted.detentionId);
      assert.equal(detention.schema, "Detention");
      assert.deepEqual(detention.properties.person, [accepted.personId]);
      assert.deepEqual(detention.properties.startDate, ["2017-04"]);
      const source = await getEntity(services, STAFF, editor, accepted.sourceId, { revealSecrets: true });
      assert.equal(source.schema, "Source");
      assert.match(source.properties.bodyText![0]!, /Grand Bazaar/);
      const contact = source.statements.find((s) => s.property === "author")!;
      assert.equal(contact.sensitivity, "secret");
      const kase = await getFamilyCase(services, STAFF, viewer, caseId);
      assert.equal(kase.personId, accepted.personId);
      assert.equal(kase.detentionId, accepted.detentionId);
      assert.deepEqual(kase.reports, { new: 0, accepted: 1, declined: 0 });
      await assert.rejects(acceptFamilyReport(services, STAFF, admin, sent.id, {}), rejects(Conflict));
      await assert.rejects(declineFamilyReport(services, STAFF, admin, sent.id, { reason: "late" }), rejects(Conflict));
      // A second report on the same relative links the records already made: no new person.
      const again = await submitFamilyReport(services, family(), secret, { names: "Abdurehim Heyit", circumstances: "Seen in a video in 2019." }, "en");
      const linked = await acceptFamilyReport(services, STAFF, admin, again.id, { detentionId: accepted.detentionId });
      assert.equal(linked.personId, accepted.personId);
      assert.equal(linked.detentionId, accepted.detentionId);
      assert.notEqual(linked.sourceId, accepted.sourceId);
    });

    it("refuses to link a report to records that are not what they claim, making nothing", async () => {
      const { secret } = await linkFor();
      const sent = await submitFamilyReport(services, family(), secret, { names: "Gulshan Abbas" }, "en");
      const place = await createEntity(services, STAFF, editor, { schema: "Address", properties: { full: ["Aksu"] } });
      const before = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      const wrongKind = await acceptFamilyReport(services, STAFF, editor, sent.id, { personId: place.id }).catch((e: unknown) => e);
      assert.ok(wrongKind instanceof Invalid && "personId" in wrongKind.fields);
      const missing = await acceptFamilyReport(services, STAFF, editor, sent.id, { detentionId: "00000000-0000-4000-8000-000000000000" }).catch((e: unknown) => e);
      assert.ok(missing instanceof Invalid && "detentionId" in missing.fields);
      const afterwards = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      assert.equal(Number(afterwards.n), Number(before.n));
      assert.equal((await services.db.selectFrom("family_reports").select("state").where("id", "=", sent.id).executeTakeFirstOrThrow()).state, "new");
    });

    it("declines a report with a sealed reason it keeps, and makes no record", async () => {
      const { secret } = await linkFor();
      const sent = await submitFamilyReport(services, family(), secret, { names: "Test Person" }, "zh-Hans");
      const empty = await declineFamilyReport(services, STAFF, editor, sent.id, { reason: " " }).catch((e: unknown) => e);
      assert.ok(empty instanceof Invalid && "reason" in empty.fields);
      const declined = await declineFamilyReport(services, STAFF, editor, sent.id, { reason: "A duplicate of case F-AAAAAA: same man, same night." });
      assert.equal(declined.state, "declined");
      assert.equal(declined.declineReason, "A duplicate of case F-AAAAAA: same man, same night.");
      assert.equal(declined.sourceId, null);
      const row = await services.db.selectFrom("family_reports").selectAll().where("id", "=", sent.id).executeTakeFirstOrThrow();
      assert.ok(!Buffer.from(row.decline_reason_sealed!).toString("latin1").includes("duplicate"));
      assert.equal((await listFamilyReports(services, STAFF, editor, { state: "declined" })).some((r) => r.id === sent.id), true);
      assert.equal((await listFamilyReports(services, STAFF, editor)).some((r) => r.id === sent.id), false);
    });

    it("shows a family an update only once a second person approved it, and no longer once withdrawn", async () => {
      const { caseId, secret } = await linkFor();
      const written = await (await import("../../src/monitor/index.ts")).writeFamilyUpdate(services, STAFF, editor, caseId, { body: "ئاڭلىدۇقكى، ئۇ ئاقسۇدىكى لاگېردا. 我们得知他在阿克苏。" });
      assert.equal(written.state, "pending");
      assert.deepEqual((await openFamilyPage(services, family(), secret)).updates, []);
      const row = await services.db.selectFrom("family_updates").selectAll().where("id", "=", written.id).executeTakeFirstOrThrow();
      assert.ok(!Buffer.from(row.body_sealed).toString("utf8").includes("阿克苏"), "the update is sealed at rest");
      // The organisation has two administrators or editors: the writer may not approve their own.
      await assert.rejects(approveFamilyUpdate(services, STAFF, editor, written.id), rejects(Forbidden));
      await assert.rejects(approveFamilyUpdate(services, STAFF, viewer, written.id), rejects(Forbidden));
      await assert.rejects(approveFamilyUpdate(services, STAFF, outsider, written.id), rejects(NotFound));
      const approved = await approveFamilyUpdate(services, STAFF, admin, written.id);
      assert.equal(approved.state, "approved");
      await assert.rejects(approveFamilyUpdate(services, STAFF, admin, written.id), rejects(Conflict));
      const page = await openFamilyPage(services, family(), secret);
      assert.deepEqual(page.updates!.map((u) => u.body), [written.body]);
      // Sealed, the server cannot read the update: the page says so rather than failing.
      await sealVault(services, STAFF, operatorCaller(orgId));
      try {
        assert.equal((await openFamilyPage(services, family(), secret)).updates, null);
      } finally {
        await unsealVault(services, STAFF, operatorCaller(orgId), { passphrase: PASSPHRASE });
      }
      await withdrawFamilyUpdate(services, STAFF, admin, written.id);
      assert.deepEqual((await openFamilyPage(services, family(), secret)).updates, []);
      assert.equal((await listFamilyUpdates(services, STAFF, editor, caseId))[0]!.state, "withdrawn");
    });

    it("never shows one case's updates or reports on another case's page", async () => {
      const a = await linkFor();
      const b = await linkFor();
      const update = await (await import("../../src/monitor/index.ts")).writeFamilyUpdate(services, STAFF, editor, a.caseId, { body: "Only for family A." });
      await approveFamilyUpdate(services, STAFF, admin, update.id);
      await submitFamilyReport(services, family(), a.secret, { names: "Relative of A" }, "en");
      const pageA = await openFamilyPage(services, family(), a.secret);
      const pageB = await openFamilyPage(services, family(), b.secret);
      assert.deepEqual(pageA.updates!.map((u) => u.body), ["Only for family A."]);
      assert.deepEqual(pageB.updates, []);
      assert.equal(pageA.reportsReceived.length, 1);
      assert.equal(pageB.reportsReceived.length, 0);
      assert.notEqual(pageA.reference, pageB.reference);
    });

    it("revokes a family's link and open code at once; a new code gives a new link and the old one stays dead", async () => {
      const { caseId, secret } = await linkFor();
      const pending = await issueFamilyCode(services, STAFF, editor, caseId);
      await assert.rejects(revokeFamilyAccess(services, STAFF, viewer, caseId), rejects(Forbidden));
      await assert.rejects(revokeFamilyAccess(services, STAFF, outsider, caseId), rejects(NotFound));
      const revoked = await revokeFamilyAccess(services, STAFF, editor, caseId);
      assert.equal(revoked.linkActive, false);
      assert.equal(revoked.openCodeExpiresAt, null);
      await assert.rejects(openFamilyPage(services, family(), secret), rejects(NotFound));
      await assert.rejects(submitFamilyReport(services, family(), secret, { names: "x" }, "en"), rejects(NotFound));
      await assert.rejects(redeemFamilyCode(services, family(), { code: pending.code }), rejects(Invalid));
      await assert.rejects(revokeFamilyAccess(services, STAFF, editor, caseId), rejects(Conflict));
      const fresh = await issueFamilyCode(services, STAFF, editor, caseId);
      const next = await redeemFamilyCode(services, family(), { code: fresh.code });
      assert.notEqual(next.secret, secret);
      assert.equal((await openFamilyPage(services, family(), next.secret)).reference, revoked.reference);
      await assert.rejects(openFamilyPage(services, family(), secret), rejects(NotFound));
    });

    it("lets viewers see cases but not what families wrote, and refuses partners and other organisations", async () => {
      const issued = await createFamilyCase(services, STAFF, admin, {});
      assert.equal((await getFamilyCase(services, STAFF, viewer, issued.caseId)).reference, issued.reference);
      await assert.rejects(listFamilyReports(services, STAFF, viewer), rejects(Forbidden));
      await assert.rejects(createFamilyCase(services, STAFF, viewer, {}), rejects(Forbidden));
      await assert.rejects(getFamilyCase(services, STAFF, partner, issued.caseId), rejects(Forbidden));
      await assert.rejects(getFamilyCase(services, STAFF, outsider, issued.caseId), rejects(NotFound));
      await assert.rejects(issueFamilyCode(services, STAFF, outsider, issued.caseId), rejects(NotFound));
    });

    it("keeps reports, reasons and updates readable across a rotation of the vault key, and only with the new one", async () => {
      const { caseId, secret } = await linkFor();
      const sent = await submitFamilyReport(services, family(), secret, { names: "Rotated Report" }, "en");
      await declineFamilyReport(services, STAFF, editor, sent.id, { reason: "kept across rotation" });
      const update = await (await import("../../src/monitor/index.ts")).writeFamilyUpdate(services, STAFF, editor, caseId, { body: "still readable" });
      const before = (await services.db.selectFrom("family_updates").select("body_sealed").where("id", "=", update.id).executeTakeFirstOrThrow()).body_sealed;
      await rotateVaultKeys(services, STAFF, operatorCaller(orgId), { passphrase: PASSPHRASE }, { logN: TEST_LOG_N });
      const afterwards = (await services.db.selectFrom("family_updates").select("body_sealed").where("id", "=", update.id).executeTakeFirstOrThrow()).body_sealed;
      assert.ok(!Buffer.from(before).equals(Buffer.from(afterwards)), "re-wrapped for the new key");
      const declined = (await listFamilyReports(services, STAFF, editor, { state: "declined" })).find((r) => r.id === sent.id)!;
      assert.equal(declined.report.names, "Rotated Report");
      assert.equal(declined.declineReason, "kept across rotation");
      assert.equal((await listFamilyUpdates(services, STAFF, editor, caseId))[0]!.body, "still readable");
    });

    it("ties a case to existing records only when they are of the right kind", async () => {
      const person = await createEntity(services, STAFF, editor, { schema: "Person", properties: { name: ["Ilham Tohti"] } });
      const bad = await createFamilyCase(services, STAFF, editor, { detentionId: person.id }).catch((e: unknown) => e);
      assert.ok(bad instanceof Invalid && "detentionId" in bad.fields);
      const issued = await createFamilyCase(services, STAFF, editor, { personId: person.id });
      assert.equal((await getFamilyCase(services, STAFF, editor, issued.caseId)).personId, person.id);
    });
  });
}
