import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInProcess } from "../../src/cli/main.ts";
import { Sealed, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { exportVaultIdentity, initVaultKeys, operatorCaller, rotateVaultKeys, sealVault, unsealVault } from "../../src/evidence/index.ts";
import { isVaultSealed, sealWithAppKey } from "../../src/keys/index.ts";
import { decodeLeaf } from "../../src/ledger/index.ts";
import { createEntity, getEntity, mergeEntities } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { PASSPHRASE, TEST_LOG_N, tempDir } from "../evidence/helpers.ts";

const FROM: Origin = { requestId: "req-secrets", ip: "203.0.113.20", userAgent: "test" };
const WITNESS = "Gulnar Tursun, phone +90 555 0100";

for (const target of databaseTargets()) {
  describe(`secret values on the organisation's vault key on ${target.name}`, () => {
    let services: TestServices;
    let orgId: string;
    let adminEmail: string;
    let admin: Actor;
    let editor: Actor;
    let legacyId: string;

    async function storedSecret(entityId: string): Promise<{ id: string; value_sealed: Buffer }> {
      const row = await services.db.selectFrom("statements").select(["id", "value_sealed"]).where("entity_id", "=", entityId).where("sensitivity", "=", "secret").where("retracted_at", "is", null).executeTakeFirstOrThrow();
      return { id: row.id, value_sealed: Buffer.from(row.value_sealed!) };
    }

    async function leavesAbout(subject: string) {
      const rows = await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).orderBy("idx").execute();
      return rows.map((r) => decodeLeaf(r.data)).filter((e) => e.subject === subject);
    }

    before(async () => {
      services = await openTestServices(target, { dataDir: tempDir() });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      adminEmail = org.adminEmail;
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      // Written before the organisation has keys: sealed with the application key.
      const early = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-1"], author: [{ value: WITNESS, sensitivity: "secret" }] } });
      legacyId = early.id;
      assert.equal(isVaultSealed((await storedSecret(legacyId)).value_sealed), false);
    });
    after(async () => {
      await services.close();
    });

    it("moves values sealed with the application key onto the vault key when the keys are made, without unsealing", async () => {
      await initVaultKeys(services, FROM, operatorCaller(orgId), { passphrase: PASSPHRASE }, { logN: TEST_LOG_N });
      assert.ok(services.keyring.isSealed(orgId));
      const moved = await storedSecret(legacyId);
      assert.equal(isVaultSealed(moved.value_sealed), true, "now an age file to the organisation's recipient");
      assert.ok(!moved.value_sealed.toString("latin1").includes("Gulnar"));
      const audit = await services.db.selectFrom("audit_events").select("details").where("action", "=", "vault.init").where("org_id", "=", orgId).executeTakeFirstOrThrow();
      assert.equal(audit.details.movedValues, 1);
    });

    it("writes new secret values while sealed, refuses to reveal them until unsealed, then records every reading in the audit trail and the custody ledger", async () => {
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-2"], author: [{ value: "Mahmut Ablimit", sensitivity: "secret" }] } });
      const stored = await storedSecret(source.id);
      assert.equal(isVaultSealed(stored.value_sealed), true, "sealed to the vault recipient with the public key alone");
      const readsBefore = (await services.db.selectFrom("audit_events").select("id").where("action", "=", "record.secret.read").execute()).length;

      await assert.rejects(getEntity(services, FROM, editor, source.id, { revealSecrets: true }), Sealed);
      assert.equal((await services.db.selectFrom("audit_events").select("id").where("action", "=", "record.secret.read").execute()).length, readsBefore, "nothing read, nothing recorded");
      assert.deepEqual(await leavesAbout(stored.id), []);
      const unrevealed = await getEntity(services, FROM, editor, source.id);
      assert.deepEqual(unrevealed.statements.filter((s) => s.property === "author").map((s) => [s.value, s.sealed]), [[null, true]]);

      await unsealVault(services, FROM, operatorCaller(orgId), { passphrase: PASSPHRASE });
      const revealed = await getEntity(services, FROM, editor, source.id, { revealSecrets: true });
      assert.deepEqual(revealed.properties.author, ["Mahmut Ablimit"]);
      const reads = await services.db.selectFrom("audit_events").selectAll().where("action", "=", "record.secret.read").where("target_id", "=", stored.id).execute();
      assert.equal(reads.length, 1);
      assert.equal(reads[0]!.actor_id, editor.userId);
      const [leaf, ...more] = await leavesAbout(stored.id);
      assert.equal(more.length, 0);
      assert.equal(leaf!.kind, "viewed");
      assert.deepEqual(leaf!.details, { data: "secret", record: source.id, property: "author", org: orgId });
      const pseudonym = (await services.db.selectFrom("users").select("pseudonym").where("id", "=", editor.userId).executeTakeFirstOrThrow()).pseudonym;
      assert.equal(leaf!.actor, pseudonym, "the reader by pseudonym only");
      assert.equal(reads[0]!.details.ledgerIndex !== undefined, true);
      // The value moved at init opens too, and age alone opens what Vigil sealed.
      assert.deepEqual((await getEntity(services, FROM, admin, legacyId, { revealSecrets: true })).properties.author, [WITNESS]);
      const dir = tempDir();
      const identity = join(dir, "org.key");
      await exportVaultIdentity(services, FROM, operatorCaller(orgId), identity);
      const file = join(dir, "value.age");
      writeFileSync(file, stored.value_sealed);
      assert.equal(execFileSync("age", ["-d", "-i", identity, file], { encoding: "utf8" }), "Mahmut Ablimit");
    });

    it("merges records with secret values while sealed, keeping the ciphertext, and reveals them after unsealing", async () => {
      await sealVault(services, FROM, operatorCaller(orgId));
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Adil Hoshur"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Adil Hoshur"], notes: [{ value: "Lives with his aunt in Urumqi", sensitivity: "secret" }] } });
      const before = await storedSecret(b.id);
      await mergeEntities(services, FROM, admin, a.id, { duplicate: b.id, reason: "the same man", revision: 1, duplicateRevision: 1 });
      const copied = await storedSecret(a.id);
      assert.notEqual(copied.id, before.id);
      assert.ok(copied.value_sealed.equals(before.value_sealed), "the sealed value moved as it was");
      await unsealVault(services, FROM, operatorCaller(orgId), { passphrase: PASSPHRASE });
      assert.deepEqual((await getEntity(services, FROM, admin, a.id, { revealSecrets: true })).properties.notes, ["Lives with his aunt in Urumqi"]);
    });

    it("re-wraps secret values for the new key when the keys rotate", async () => {
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-3"], author: [{ value: "Rahile Dawut", sensitivity: "secret" }] } });
      const before = await storedSecret(source.id);
      const { recipient } = await rotateVaultKeys(services, FROM, operatorCaller(orgId), { passphrase: "a new vault passphrase for 2027" }, { logN: TEST_LOG_N });
      const after = await storedSecret(source.id);
      assert.ok(!after.value_sealed.equals(before.value_sealed));
      assert.ok(after.value_sealed.toString("latin1").includes("-> X25519"), "an age header");
      assert.deepEqual((await getEntity(services, FROM, admin, source.id, { revealSecrets: true })).properties.author, ["Rahile Dawut"]);
      const rotation = await services.db.selectFrom("audit_events").select("details").where("action", "=", "vault.rotate").orderBy("id", "desc").executeTakeFirstOrThrow();
      assert.equal(rotation.details.recipient, recipient);
      assert.ok((rotation.details.rewrappedValues as number) >= 3, "every vault-sealed value was re-wrapped");
      assert.ok((await leavesAbout(`vault:${orgId}`)).some((e) => e.kind === "key_rotated" && e.details.rewrappedValues === rotation.details.rewrappedValues));
    });

    it("moves a value an older Vigil left under the application key with vigil keys migrate-secrets, and nothing is lost", async () => {
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-4"], author: [{ value: "Ekber Imin", sensitivity: "secret" }] } });
      const stored = await storedSecret(source.id);
      await services.db.updateTable("statements").set({ value_sealed: sealWithAppKey(services, stored.id, "Ekber Imin") }).where("id", "=", stored.id).execute();
      const slug = (await services.db.selectFrom("organisations").select("slug").where("id", "=", orgId).executeTakeFirstOrThrow()).slug;
      const run = await runInProcess(services, ["keys", "migrate-secrets", "--org", slug], "");
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(run.stdout, /moved 1 secret value/);
      assert.equal(isVaultSealed((await storedSecret(source.id)).value_sealed), true);
      assert.deepEqual((await getEntity(services, FROM, admin, source.id, { revealSecrets: true })).properties.author, ["Ekber Imin"]);
      const again = await runInProcess(services, ["keys", "migrate-secrets", "--org", slug], "");
      assert.match(again.stdout, /moved 0 secret value/);
    });

    it("shows secret values as sealed on the record page while the vault is sealed, and answers the API with a sealed problem", async () => {
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-5"], author: [{ value: "Nurgul Sawut", sensitivity: "secret" }] } });
      await sealVault(services, FROM, operatorCaller(orgId));
      const client = Client.for(services);
      await client.signIn(adminEmail);
      const page = await client.get(`/records/${source.id}?reveal=secrets`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /The evidence vault is sealed: secret values stay sealed/);
      assert.ok(!html.includes("Nurgul Sawut"));
      const api = await client.get(`/api/v1/entities/${source.id}?reveal=secrets`);
      assert.equal(api.status, 503);
      assert.equal(((await api.json()) as { type: string }).type, "urn:vigil:problem:sealed");
    });
  });
}
