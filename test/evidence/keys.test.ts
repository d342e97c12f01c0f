import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { runInProcess } from "../../src/cli/main.ts";
import { join } from "node:path";
import { NO_ORIGIN, type Origin } from "../../src/context.ts";
import { Forbidden, Invalid, TooManyRequests } from "../../src/core/index.ts";
import {
  BlobStore,
  exportVaultIdentity,
  initVaultKeys,
  operatorCaller,
  personCaller,
  readEvidenceMetadata,
  receiveEvidence,
  rotateVaultKeys,
  sealVault,
  unsealVault,
  vaultStatus,
} from "../../src/evidence/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, PASSPHRASE, TEST_LOG_N, tempDir } from "./helpers.ts";

const FROM: Origin = { requestId: null, ip: "203.0.113.9", userAgent: "test" };

/** Bytes of an age file after its header (the payload nonce and chunks). */
function payloadOf(file: Buffer): Buffer {
  const end = file.indexOf("\n---");
  return file.subarray(file.indexOf("\n", end + 1) + 1);
}

for (const target of databaseTargets()) {
  describe(`vault keys on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let orgId: string;
    let adminEmail: string;

    before(async () => {
      dataDir = tempDir();
      services = await openTestServices(target, { dataDir });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      adminEmail = org.adminEmail;
      await makeKeys(services, orgId, false);
    });
    after(async () => {
      await services.close();
    });

    it("starts sealed, refuses a wrong passphrase, audits every attempt and throttles after five", async () => {
      const { principal } = await sessionFor(services, adminEmail);
      const admin = personCaller(principal);
      assert.equal((await vaultStatus(services, FROM, admin)).sealed, true);
      for (let i = 0; i < 5; i++) {
        await assert.rejects(unsealVault(services, FROM, admin, { passphrase: `wrong passphrase ${i}` }), Invalid);
        services.clock.advanceSeconds(1);
      }
      await assert.rejects(unsealVault(services, FROM, admin, { passphrase: PASSPHRASE }), TooManyRequests, "even the right passphrase waits out the throttle");
      assert.equal(services.keyring.isSealed(orgId), true);
      const events = await services.db.selectFrom("audit_events").select(["outcome", "actor_id", "ip"]).where("action", "=", "vault.unseal").orderBy("id").execute();
      assert.deepEqual(events.map((e) => e.outcome), ["failed", "failed", "failed", "failed", "failed", "denied"]);
      assert.ok(events.every((e) => e.actor_id === principal.user.id && e.ip === FROM.ip));
      services.clock.advanceSeconds(60);
      await unsealVault(services, FROM, admin, { passphrase: PASSPHRASE });
      assert.equal((await vaultStatus(services, FROM, admin)).sealed, false);
      const leaf = await services.db.selectFrom("audit_events").select("details").where("action", "=", "vault.unseal").where("outcome", "=", "ok").executeTakeFirstOrThrow();
      assert.equal(typeof leaf.details.ledgerIndex, "number", "a successful unseal is a ledger event");
      await sealVault(services, FROM, admin);
      assert.equal(services.keyring.isSealed(orgId), true);
    });

    it("lets only an administrator unseal, and an administrator of another organisation not ours", async () => {
      const { principal: admin } = await sessionFor(services, adminEmail);
      const editor = await addMember(services, admin, "editor", "editor@watch.example");
      await assert.rejects(unsealVault(services, FROM, personCaller(editor.principal), { passphrase: PASSPHRASE }), Forbidden);
      const other = await addOrganisation(services, "elsewhere");
      const { principal: outsider } = await sessionFor(services, other.adminEmail);
      await assert.rejects(unsealVault(services, FROM, personCaller(outsider), { passphrase: PASSPHRASE }), /no keys/);
      assert.equal(services.keyring.isSealed(orgId), true);
    });

    it("unseals a key split among holders with any k of n shares, and not with fewer", async () => {
      const org = await addOrganisation(services, "network");
      const holders = [
        { name: "Aynur", passphrase: "first holder passphrase" },
        { name: "Bahtiyar", passphrase: "second holder passphrase" },
        { name: "Chen", passphrase: "third holder passphrase" },
      ];
      const caller = operatorCaller(org.orgId);
      await initVaultKeys(services, NO_ORIGIN, caller, { threshold: 2, holders }, { logN: TEST_LOG_N });
      await assert.rejects(unsealVault(services, NO_ORIGIN, caller, { shares: [{ holder: "Aynur", passphrase: holders[0]!.passphrase }] }), Invalid);
      await assert.rejects(unsealVault(services, NO_ORIGIN, caller, { shares: [{ holder: "Aynur", passphrase: holders[0]!.passphrase }, { holder: "Chen", passphrase: "not chen's passphrase" }] }), Invalid);
      await unsealVault(services, NO_ORIGIN, caller, { shares: [{ holder: "Chen", passphrase: holders[2]!.passphrase }, { holder: "Aynur", passphrase: holders[0]!.passphrase }] });
      assert.equal(services.keyring.isSealed(org.orgId), false);
      const status = await vaultStatus(services, NO_ORIGIN, caller);
      assert.deepEqual([status.mode, status.threshold, status.holders], ["shares", 2, ["Aynur", "Bahtiyar", "Chen"]]);
    });

    it("rotates keys: old blobs are re-wrapped for the new identity with their payload bytes unchanged", async () => {
      const caller = operatorCaller(orgId);
      await unsealVault(services, NO_ORIGIN, caller, { passphrase: PASSPHRASE });
      const received = await receiveEvidence(services, NO_ORIGIN, caller, { source: [Buffer.alloc(150_000, 42)], filename: "before-rotation.bin", claimedType: null });
      const store = new BlobStore(join(dataDir, "blobs"));
      const before = readFileSync(store.pathOf(received.sha256));
      const oldIdentity = join(tempDir(), "old.txt");
      await exportVaultIdentity(services, NO_ORIGIN, caller, oldIdentity);
      const rotated = await rotateVaultKeys(services, NO_ORIGIN, caller, { passphrase: "a new passphrase for the new key" }, { logN: TEST_LOG_N });
      assert.equal(rotated.rewrapped >= 1, true);
      const row = await services.db.selectFrom("evidence").select(["ciphertext_sha256"]).where("id", "=", received.id).executeTakeFirstOrThrow();
      assert.notEqual(row.ciphertext_sha256, received.sha256, "the header changed, so the name changed");
      const after = readFileSync(store.pathOf(row.ciphertext_sha256));
      assert.ok(payloadOf(after).equals(payloadOf(before)), "payload bytes after the header are unchanged");
      assert.throws(() => readFileSync(store.pathOf(received.sha256)), /ENOENT/, "the old blob is gone");
      const newIdentity = join(tempDir(), "new.txt");
      await exportVaultIdentity(services, NO_ORIGIN, caller, newIdentity);
      assert.ok(execFileSync("age", ["-d", "-i", newIdentity, store.pathOf(row.ciphertext_sha256)]).equals(Buffer.alloc(150_000, 42)));
      assert.throws(() => execFileSync("age", ["-d", "-i", oldIdentity, store.pathOf(row.ciphertext_sha256)], { stdio: "pipe" }));
      assert.equal((await readEvidenceMetadata(services, NO_ORIGIN, caller, received.id)).filename, "before-rotation.bin");
      await sealVault(services, NO_ORIGIN, caller);
      await assert.rejects(unsealVault(services, NO_ORIGIN, caller, { passphrase: PASSPHRASE }), Invalid, "the old passphrase no longer opens the key");
      await unsealVault(services, NO_ORIGIN, caller, { passphrase: "a new passphrase for the new key" });
      const kinds = (await services.db.selectFrom("audit_events").select("action").where("action", "in", ["vault.rotate", "vault.export"]).execute()).map((e) => e.action);
      assert.deepEqual(kinds.sort(), ["vault.export", "vault.export", "vault.rotate"]);
    });

    it("runs the key ceremony from the command line: init with shares, unseal with k of them, export, seal", async () => {
      await addOrganisation(services, "cli-org");
      const init = await runInProcess(services, ["keys", "init", "--org", "cli-org", "--shares", "2", "--holders", "Dilnur,Erkin,Fatima"], "dilnur passphrase one\nerkin passphrase two\nfatima passphrase three\n");
      assert.equal(init.exitCode, 0, init.stderr);
      assert.match(init.stdout, /^age1[0-9a-z]+\n$/);
      const wrong = await runInProcess(services, ["unseal", "--org", "cli-org", "--holders", "Dilnur,Fatima"], "dilnur passphrase one\nnot fatima\n");
      assert.equal(wrong.exitCode, 1);
      const unseal = await runInProcess(services, ["unseal", "--org", "cli-org", "--holders", "Fatima,Dilnur"], "fatima passphrase three\ndilnur passphrase one\n");
      assert.equal(unseal.exitCode, 0, unseal.stderr);
      const out = join(tempDir(), "org.key");
      assert.equal((await runInProcess(services, ["keys", "export", "--org", "cli-org", "--out", "relative.key"], "")).exitCode, 2);
      const exported = await runInProcess(services, ["keys", "export", "--org", "cli-org", "--out", out], "");
      assert.equal(exported.exitCode, 0, exported.stderr);
      assert.ok(readFileSync(out, "utf8").includes(init.stdout.trim()), "the exported file names the public key");
      assert.equal(statSync(out).mode & 0o777, 0o600);
      assert.equal((await runInProcess(services, ["seal", "--org", "cli-org"], "")).exitCode, 0);
      const orgId = (await services.db.selectFrom("organisations").select("id").where("slug", "=", "cli-org").executeTakeFirstOrThrow()).id;
      assert.equal(services.keyring.isSealed(orgId), true);
    });

    it("recovers the identity from the sealed file with age -d alone", async () => {
      const row = await services.db.selectFrom("vault_keyrings").select(["sealed_identity", "recipient"]).where("org_id", "=", orgId).executeTakeFirstOrThrow();
      const file = join(tempDir(), "sealed.age");
      execFileSync("sh", ["-c", `cat > ${file}`], { input: row.sealed_identity! });
      // age reads a passphrase only from a terminal: script(1) gives it one.
      const out = execFileSync("script", ["-qec", `age -d ${file}`, "/dev/null"], { input: "a new passphrase for the new key\n", encoding: "utf8" });
      assert.match(out, /AGE-SECRET-KEY-1[0-9A-Z]+/);
      assert.ok(out.includes(row.recipient), "the identity file names its public key");
    });
  });
}
