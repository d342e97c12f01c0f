import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordFailure } from "../../src/accounts/throttle.ts";
import { createEntity } from "../../src/records/index.ts";
import { sealWithAppKey } from "../../src/keys/index.ts";
import { unsealWithPassphrase } from "../../src/vault/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { tempDir } from "./helpers.ts";

const HOLDERS = ["Aynur", "Bahtiyar", "Chen"];
const passphraseOf = (name: string) => `${name.toLowerCase()} keeps this passphrase`;

for (const target of databaseTargets()) {
  describe(`the keys and vault page on ${target.name}`, () => {
    let services: TestServices;
    let orgId: string;
    let admin: Client;

    async function events(action: string) {
      return services.db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId).where("action", "=", action).orderBy("id").execute();
    }

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir() });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      admin = Client.for(services);
      await admin.signIn(org.adminEmail);
      const { principal } = await sessionFor(services, org.adminEmail);
      const editor = (await addMember(services, principal, "editor", "editor@watch.example")).principal.actor;
      // A secret value written before the keys exist, then one an older Vigil left under the application key.
      await createEntity(services, { requestId: null, ip: null, userAgent: null }, editor, { schema: "Source", properties: { name: ["Witness W-9"], author: [{ value: "Aziz Isa", sensitivity: "secret" }] } });
    });
    after(async () => {
      await services.close();
    });

    it("refuses new passphrases that do not match, and creates nothing", async () => {
      const res = await admin.submit("/admin/vault", "/admin/vault/init", {
        mode: "shares",
        threshold: "2",
        holderName: [...HOLDERS, ""],
        holderPassphrase: [...HOLDERS.map(passphraseOf), ""],
        holderConfirm: [passphraseOf("Aynur"), "bahtiyar mistyped it", passphraseOf("Chen"), ""],
      });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /Key-holder Bahtiyar: the passphrases do not match/);
      assert.equal(await services.db.selectFrom("vault_keyrings").select("org_id").where("org_id", "=", orgId).executeTakeFirst(), undefined);
    });

    it("splits the new key among key-holders, any 2 of 3, each with their own passphrase, and moves secret values onto it", async () => {
      const res = await admin.submit("/admin/vault", "/admin/vault/init", {
        mode: "shares",
        threshold: "2",
        holderName: [...HOLDERS, ""],
        holderPassphrase: [...HOLDERS.map(passphraseOf), ""],
        holderConfirm: [...HOLDERS.map(passphraseOf), ""],
      });
      assert.equal(res.status, 303);
      const ring = await services.db.selectFrom("vault_keyrings").selectAll().where("org_id", "=", orgId).executeTakeFirstOrThrow();
      assert.deepEqual([ring.mode, ring.threshold, ring.sealed_identity], ["shares", 2, null]);
      const shares = await services.db.selectFrom("vault_key_shares").select("holder").where("org_id", "=", orgId).orderBy("holder").execute();
      assert.deepEqual(shares.map((s) => s.holder), HOLDERS);
      const page = await (await admin.get("/admin/vault?done=created")).text();
      assert.match(page, /any 2 of 3 key-holders/);
      assert.match(page, /never: export it and keep it offline/);
      assert.equal((await events("vault.init"))[0]!.details.movedValues, 1);
    });

    it("unseals with two holders' passphrases, records a wrong one, and throttles after repeated failures", async () => {
      const wrong = await admin.submit("/admin/vault", "/admin/vault/unseal", { holder: HOLDERS, sharePassphrase: [passphraseOf("Aynur"), "", "not chen's passphrase"] });
      assert.equal(wrong.status, 422);
      assert.equal((await events("vault.unseal")).at(-1)!.outcome, "failed");
      assert.match(await (await admin.get("/admin/vault")).text(), /wrong passphrase or share/, "the page lists the failed attempt");
      assert.ok(services.keyring.isSealed(orgId));

      // Four more failures (recorded as the service records them) and the next attempt must wait.
      for (let i = 0; i < 4; i++) await recordFailure(services.db, [`unseal:${orgId}`], services.now());
      const throttled = await admin.submit("/admin/vault", "/admin/vault/unseal", { holder: HOLDERS, sharePassphrase: [passphraseOf("Aynur"), "", passphraseOf("Chen")] });
      assert.equal(throttled.status, 429);
      assert.match(await throttled.text(), /too many failed attempts: wait \d+ seconds/);
      assert.equal((await events("vault.unseal")).at(-1)!.outcome, "denied");
      assert.ok(services.keyring.isSealed(orgId));

      // Past the longest wait (15 minutes), within the session's 30 idle minutes.
      services.clock.advanceSeconds(16 * 60);
      const ok = await admin.submit("/admin/vault", "/admin/vault/unseal", { holder: HOLDERS, sharePassphrase: [passphraseOf("Aynur"), "", passphraseOf("Chen")] });
      assert.equal(ok.status, 303);
      assert.equal(services.keyring.isSealed(orgId), false);
    });

    it("exports the identity sealed under a passphrase chosen there, and records the export", async () => {
      const mismatch = await admin.submit("/admin/vault", "/admin/vault/export", { exportPassphrase: "offline custody passphrase", exportConfirm: "offline custody passphrasE" });
      assert.equal(mismatch.status, 422);
      const res = await admin.submit("/admin/vault", "/admin/vault/export", { exportPassphrase: "offline custody passphrase", exportConfirm: "offline custody passphrase" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.match(res.headers.get("content-disposition") ?? "", /attachment; filename="vigil-watch-identity\.age"/);
      const file = await res.text();
      assert.match(file, /^-----BEGIN AGE ENCRYPTED FILE-----/);
      const identity = await unsealWithPassphrase(file, "offline custody passphrase");
      assert.ok(identity.secretKey.equals(services.keyring.identity(orgId)!.secretKey), "the file holds the organisation's identity");
      assert.equal((await events("vault.export")).length, 1);
      assert.doesNotMatch(await (await admin.get("/admin/vault")).text(), /never: export it/);
    });

    it("moves values left under the application key with one button", async () => {
      const row = await services.db.selectFrom("statements").select("id").where("org_id", "=", orgId).where("sensitivity", "=", "secret").executeTakeFirstOrThrow();
      await services.db.updateTable("statements").set({ value_sealed: sealWithAppKey(services, row.id, "Aziz Isa") }).where("id", "=", row.id).execute();
      assert.match(await (await admin.get("/admin/vault")).text(), /1 secret values of records are still sealed with the application key/);
      const res = await admin.submit("/admin/vault", "/admin/vault/secrets", {});
      assert.equal(res.status, 303);
      assert.doesNotMatch(await (await admin.get("/admin/vault")).text(), /still sealed with the application key/);
      assert.equal((await events("vault.secrets.move")).at(-1)!.details.moved, 1);
    });

    it("rotates the keys onto one passphrase, and shows the new generation", async () => {
      const before = await services.db.selectFrom("vault_keyrings").select("recipient").where("org_id", "=", orgId).executeTakeFirstOrThrow();
      const res = await admin.submit("/admin/vault", "/admin/vault/rotate", { mode: "passphrase", passphrase: "the rotated vault passphrase", passphraseConfirm: "the rotated vault passphrase" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/vault?done=rotated");
      const ring = await services.db.selectFrom("vault_keyrings").selectAll().where("org_id", "=", orgId).executeTakeFirstOrThrow();
      assert.notEqual(ring.recipient, before.recipient);
      assert.deepEqual([ring.mode, ring.generation], ["passphrase", 2]);
      assert.equal((await services.db.selectFrom("vault_key_shares").select("holder").where("org_id", "=", orgId).execute()).length, 0);
      const page = await (await admin.get("/admin/vault?done=rotated")).text();
      assert.match(page, /every file and secret value now opens with the new key only/);
      assert.match(page, /id="vault-protection">one passphrase/);
    });
  });
}
