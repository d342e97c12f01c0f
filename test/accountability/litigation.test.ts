import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Principal } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { Forbidden, Invalid, NotFound, openZip, Sealed } from "../../src/core/index.ts";
import { ledgerSize } from "../../src/custody/index.ts";
import { BlobStore, personCaller, receiveEvidence } from "../../src/evidence/index.ts";
import { createEntity } from "../../src/records/index.ts";
import { commitToPlaintext, formatX25519IdentityFile, formatX25519Recipient, generateX25519Identity, toX25519Recipient } from "../../src/vault/index.ts";
import {
  addDeadline, addExhibit, addParty, bundleTextFor, completeDeadline, ConsentMissing, createLegalCase, ExhibitMissing, exportCourtBundle, getCaseFile, listLegalCases,
  recordConsent, verifyBundleFile, type BundleManifest,
} from "../../src/accountability/index.ts";
import { translator } from "../../src/web/i18n.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";

const FROM = NO_ORIGIN;
const TEXT = bundleTextFor(translator("en"), "en", "ltr");

for (const target of databaseTargets()) {
  describe(`legal cases and court bundles on ${target.name}`, () => {
    let services: TestServices;
    let dir = "";
    let orgId = "";
    let admin: Principal;
    let editor: Principal;
    let viewer: Principal;
    let researcher: Principal;
    let outsider: Principal;
    let caseId = "";
    let witnessId = "";
    let plaintiffId = "";
    let photoExhibit = "";
    let letterExhibit = "";
    let photoEvidence = "";
    const photo = Buffer.concat([Buffer.from("a photograph of the camp gate, "), Buffer.alloc(200_000, 7)]);
    const letter = Buffer.from("a letter from the prefecture, scanned\n");

    async function exportTo(path: string, by: Principal, body: Record<string, unknown>): Promise<BundleManifest> {
      const bundle = await exportCourtBundle(services, FROM, by.actor, by.user.pseudonym, caseId, body, TEXT);
      await pipeline(bundle.stream, createWriteStream(path));
      return bundle.finished;
    }

    before(async () => {
      dir = tempDir("vigil-litigation-");
      services = await openTestServices(target, { dataDir: dir });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      await makeKeys(services, orgId);
      admin = (await sessionFor(services, org.adminEmail)).principal;
      editor = (await addMember(services, admin, "editor", "editor@watch.example")).principal;
      viewer = (await addMember(services, admin, "viewer", "viewer@watch.example")).principal;
      researcher = (await addMember(services, admin, "researcher", "researcher@watch.example")).principal;
      const elsewhere = await addOrganisation(services, "elsewhere");
      await makeKeys(services, elsewhere.orgId);
      outsider = (await sessionFor(services, elsewhere.adminEmail)).principal;
      const official = await createEntity(services, FROM, editor.actor, { schema: "Person", properties: { name: ["Chen Quanguo"] } });
      const witness = await createEntity(services, FROM, editor.actor, { schema: "Person", properties: { name: ["Gulbahar Haitiwaji"] } });
      const plaintiff = await createEntity(services, FROM, editor.actor, { schema: "Person", properties: { name: ["Mihrigul Tursun"] } });
      const created = await createLegalCase(services, FROM, editor.actor, {
        name: "Tursun v. Chen",
        forum: "universal-jurisdiction",
        court: "Federal Court of Justice",
        caseNumber: "3 StE 1/26",
        claims: ["crimes against humanity: imprisonment", "torture"],
        defendants: [official.id],
      });
      caseId = created.id;
      witnessId = (await addParty(services, FROM, editor.actor, caseId, { person: witness.id, role: "witness", label: "W-1" })).id;
      plaintiffId = (await addParty(services, FROM, editor.actor, caseId, { person: plaintiff.id, role: "plaintiff", label: "P-1" })).id;
      const caller = personCaller(editor);
      photoEvidence = (await receiveEvidence(services, FROM, caller, { source: [photo], filename: "gate.bin", claimedType: null })).id;
      const letterEvidence = (await receiveEvidence(services, FROM, caller, { source: [letter], filename: "letter.txt", claimedType: "text/plain" })).id;
      photoExhibit = (await addExhibit(services, FROM, editor.actor, editor.user.pseudonym, caseId, { evidence: photoEvidence, label: "E-1", description: "The gate", party: witnessId })).id;
      letterExhibit = (await addExhibit(services, FROM, editor.actor, editor.user.pseudonym, caseId, { evidence: letterEvidence, label: "E-2", description: "The letter" })).id;
    });

    after(async () => {
      await services?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps a case as a LegalCase record with its forum, claims and defendants", async () => {
      const file = await getCaseFile(services, FROM, viewer.actor, caseId);
      assert.equal(file.record.schema, "LegalCase");
      assert.deepEqual(file.record.properties.forum, ["universal-jurisdiction"]);
      assert.equal(file.record.properties.claims?.length, 2);
      assert.equal(file.defendants[0]?.name, "Chen Quanguo");
      assert.deepEqual(file.parties.map((p) => [p.label, p.role, p.personName]), [["W-1", "witness", "Gulbahar Haitiwaji"], ["P-1", "plaintiff", "Mihrigul Tursun"]]);
      assert.deepEqual(file.exhibits.map((x) => [x.label, x.partyLabel]), [["E-1", "W-1"], ["E-2", null]]);
      assert.equal(file.mayManage, false);
      assert.ok((await listLegalCases(services, FROM, viewer.actor)).some((c) => c.id === caseId && c.caseNumber === "3 StE 1/26"));
    });

    it("refuses a forum outside the vocabulary and a defendant that is not a record", async () => {
      await assert.rejects(createLegalCase(services, FROM, editor.actor, { name: "X", forum: "star-chamber" }), Invalid);
      await assert.rejects(createLegalCase(services, FROM, editor.actor, { name: "X", forum: "icc", defendants: ["00000000-0000-4000-8000-000000000000"] }), Invalid);
    });

    it("keeps deadlines and marks them done", async () => {
      const deadline = await addDeadline(services, FROM, editor.actor, caseId, { dueOn: "2027-02-01", title: "Written submissions" });
      await assert.rejects(addDeadline(services, FROM, editor.actor, caseId, { dueOn: "2027-02-30", title: "No such day" }), Invalid);
      await completeDeadline(services, FROM, editor.actor, caseId, { deadline: deadline.id });
      const file = await getCaseFile(services, FROM, editor.actor, caseId);
      assert.ok(file.deadlines.find((d) => d.id === deadline.id)?.doneAt);
    });

    it("refuses an export, naming the exhibit and the consent, while the witness has not consented", async () => {
      const size = await ledgerSize(services.db, orgId);
      await assert.rejects(
        exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [photoExhibit, letterExhibit], purpose: "court", mode: "decrypted" }, TEXT),
        (error: unknown) => error instanceof ConsentMissing && error.status === 409 && /exhibit E-1 \(W-1 has not given consent to use-testimony\)/.test(error.message) && error.missing.length === 1,
      );
      assert.equal(await ledgerSize(services.db, orgId), size, "nothing was recorded");
      assert.equal((await services.db.selectFrom("court_bundles").select("id").execute()).length, 0);
    });

    it("exports a decrypted bundle that verifies, with the export's own events proven in it", async () => {
      await recordConsent(services, FROM, editor.actor, caseId, { party: witnessId, scope: "use-testimony", kind: "given", effectiveAt: "2026-05-01", note: "signed form, in Uyghur" });
      const path = join(dir, "decrypted.zip");
      const manifest = await exportTo(path, editor, { exhibits: [photoExhibit, letterExhibit], purpose: "court", mode: "decrypted" });
      const zip = await openZip(path);
      try {
        assert.deepEqual(zip.entries.map((e) => e.name).sort(), ["exhibits/E-1.txt", "exhibits/E-2.txt", "index.pdf", "manifest.json", "verify.html"]);
        assert.deepEqual(await zip.read("exhibits/E-1.txt"), photo);
        assert.ok((await zip.read("index.pdf")).subarray(0, 5).equals(Buffer.from("%PDF-")));
        const html = (await zip.read("verify.html")).toString("utf8");
        assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!age-encryption)/);
      } finally {
        await zip.close();
      }
      const e1 = manifest.exhibits.find((x) => x.label === "E-1")!;
      assert.equal(e1.party, "W-1");
      assert.equal(e1.consent?.scope, "use-testimony");
      assert.ok(e1.custody.some((c) => JSON.parse(Buffer.from(c.leaf, "base64").toString()).kind === "exported"));
      const result = await verifyBundleFile(path);
      assert.deepEqual(result.checks.filter((c) => !c.ok), []);
      assert.ok(result.ok);
      const pinned = await verifyBundleFile(path, { key: manifest.ledger.verifierKey });
      assert.ok(pinned.ok);
      assert.equal((await verifyBundleFile(path, { key: "vigil.local/ledger/watch+00000000+AQ" })).ok, false);
    });

    it("fails verification when one byte of an exhibit changes", async () => {
      const path = join(dir, "decrypted.zip");
      const bytes = readFileSync(path);
      const at = bytes.indexOf(Buffer.from("a photograph of the camp gate"));
      assert.ok(at > 0);
      bytes[at] = bytes[at]! ^ 0x01;
      const tampered = join(dir, "tampered.zip");
      writeFileSync(tampered, bytes);
      const result = await verifyBundleFile(tampered);
      assert.equal(result.ok, false);
      assert.ok(result.checks.some((c) => !c.ok && c.subject === "exhibit E-1"));
      assert.ok(result.checks.filter((c) => c.subject === "exhibit E-2").every((c) => c.ok));
    });

    it("fails a manifest rewritten to match a changed exhibit, on the commitment the ledger holds", async () => {
      const folder = join(dir, "rewritten");
      const zip = await openZip(join(dir, "decrypted.zip"));
      try {
        for (const entry of zip.entries) {
          mkdirSync(dirname(join(folder, entry.name)), { recursive: true });
          writeFileSync(join(folder, entry.name), await zip.read(entry.name));
        }
      } finally {
        await zip.close();
      }
      assert.ok((await verifyBundleFile(folder)).ok, "the extracted folder verifies as the ZIP does");
      const forged = Buffer.concat([Buffer.from("a photograph of another gate, "), Buffer.alloc(200_000, 7)]);
      writeFileSync(join(folder, "exhibits/E-1.txt"), forged);
      const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as BundleManifest;
      const e1 = manifest.exhibits.find((x) => x.label === "E-1")!;
      e1.fileSha256 = e1.plaintextSha256 = createHash("sha256").update(forged).digest("hex");
      e1.fileSize = forged.length;
      writeFileSync(join(folder, "manifest.json"), JSON.stringify(manifest));
      const failures = async () => (await verifyBundleFile(folder)).checks.filter((c) => !c.ok).map((c) => `${c.subject}: ${c.check}`);
      assert.deepEqual(await failures(), ["exhibit E-1: commitment to the original"]);
      // A forger who also recomputes the commitment meets the one the signed ledger recorded on receipt.
      e1.commitment = commitToPlaintext(e1.plaintextSha256, Buffer.from(e1.salt, "hex")).commitment;
      writeFileSync(join(folder, "manifest.json"), JSON.stringify(manifest));
      assert.deepEqual(await failures(), ["exhibit E-1: commitment recorded on receipt"]);
    });

    it("refuses to read a truncated bundle or a file that is not one", async () => {
      const bytes = readFileSync(join(dir, "decrypted.zip"));
      const truncated = join(dir, "truncated.zip");
      writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
      await assert.rejects(verifyBundleFile(truncated));
      await assert.rejects(verifyBundleFile(join(dir, "no-such-bundle.zip")));
    });

    it("re-encrypts exhibits to counsel's age recipient, readable with age -d -i", async () => {
      await recordConsent(services, FROM, editor.actor, caseId, { party: witnessId, scope: "share-with-counsel", kind: "given", effectiveAt: "2026-05-02T10:00", note: "by phone, recorded" });
      const identity = generateX25519Identity();
      const keyFile = join(dir, "counsel.key");
      writeFileSync(keyFile, formatX25519IdentityFile(identity), { mode: 0o600 });
      const path = join(dir, "counsel.zip");
      const manifest = await exportTo(path, editor, { exhibits: [photoExhibit], purpose: "counsel", mode: "reencrypted", recipient: formatX25519Recipient(toX25519Recipient(identity)) });
      assert.equal(manifest.exhibits[0]?.form, "age");
      const zip = await openZip(path);
      const sealedFile = join(dir, "E-1.age");
      try {
        writeFileSync(sealedFile, await zip.read("exhibits/E-1.txt.age"));
      } finally {
        await zip.close();
      }
      assert.deepEqual(execFileSync("age", ["-d", "-i", keyFile, sealedFile]), photo);
      assert.ok((await verifyBundleFile(path)).ok);
    });

    it("refuses a wrong recipient, and a recipient for a decrypted bundle", async () => {
      for (const recipient of ["age1notarecipient", "ssh-ed25519 AAAA", "AGE-SECRET-KEY-1QQQ"]) {
        await assert.rejects(
          exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [photoExhibit], purpose: "court", mode: "reencrypted", recipient }, TEXT),
          (error: unknown) => error instanceof Invalid && "recipient" in error.fields,
        );
      }
      await assert.rejects(exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [photoExhibit], purpose: "court", mode: "reencrypted" }, TEXT), Invalid);
      await assert.rejects(exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [], purpose: "court", mode: "decrypted" }, TEXT), Invalid);
    });

    it("refuses the next export once consent is withdrawn, and keeps the earlier export in the ledger", async () => {
      const before = await services.db.selectFrom("court_bundles").select(["id", "ledger_index"]).orderBy("created_at").execute();
      assert.ok(before.length >= 1);
      await assert.rejects(recordConsent(services, FROM, editor.actor, caseId, { party: witnessId, scope: "use-testimony", kind: "withdrawn", effectiveAt: "2026-05-20" }), Invalid, "a withdrawal says why");
      await recordConsent(services, FROM, editor.actor, caseId, { party: witnessId, scope: "use-testimony", kind: "withdrawn", effectiveAt: "2026-05-20", note: "family in Ghulja was threatened" });
      const size = await ledgerSize(services.db, orgId);
      await assert.rejects(
        exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [photoExhibit, letterExhibit], purpose: "court", mode: "decrypted" }, TEXT),
        (error: unknown) => error instanceof ConsentMissing && /exhibit E-1 \(W-1 has withdrawn consent to use-testimony\)/.test(error.message),
      );
      assert.equal(await ledgerSize(services.db, orgId), size);
      // The earlier export stands: its row and its exported leaf.
      const leaf = await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).where("idx", "=", before[0]!.ledger_index).executeTakeFirstOrThrow();
      const event = JSON.parse(Buffer.from(leaf.data).toString("utf8")) as { kind: string; details: { bundle: string } };
      assert.equal(event.kind, "exported");
      assert.equal(event.details.bundle, before[0]!.id);
      // The consent history keeps every step, the withdrawal beside the grant.
      const file = await getCaseFile(services, FROM, viewer.actor, caseId);
      const w1 = file.parties.find((p) => p.id === witnessId)!;
      assert.deepEqual(w1.history.filter((h) => h.scope === "use-testimony").map((h) => h.kind), ["given", "withdrawn"]);
      assert.equal(w1.consent["use-testimony"]?.note, "family in Ghulja was threatened");
      // Exhibits of nobody's testimony still leave.
      const path = join(dir, "letter-only.zip");
      await exportTo(path, editor, { exhibits: [letterExhibit], purpose: "court", mode: "decrypted" });
      assert.ok((await verifyBundleFile(path)).ok);
    });

    it("refuses an exhibit whose blob is gone, naming it, and records nothing", async () => {
      await recordConsent(services, FROM, editor.actor, caseId, { party: witnessId, scope: "use-testimony", kind: "given", effectiveAt: "2026-05-24", note: "consented again in person" });
      const row = await services.db.selectFrom("evidence").select("ciphertext_sha256").where("id", "=", photoEvidence).executeTakeFirstOrThrow();
      const blob = BlobStore.forDataDir(dir).pathOf(row.ciphertext_sha256);
      const kept = readFileSync(blob);
      rmSync(blob);
      const size = await ledgerSize(services.db, orgId);
      const bundles = (await services.db.selectFrom("court_bundles").select("id").execute()).length;
      try {
        await assert.rejects(
          exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [photoExhibit, letterExhibit], purpose: "court", mode: "decrypted" }, TEXT),
          (error: unknown) => error instanceof ExhibitMissing && /exhibit E-1\b/.test(error.message) && !/E-2/.test(error.message),
        );
        assert.equal(await ledgerSize(services.db, orgId), size);
        assert.equal((await services.db.selectFrom("court_bundles").select("id").execute()).length, bundles);
      } finally {
        writeFileSync(blob, kept);
      }
    });

    it("refuses a decrypted (or any) export while the vault is sealed", async () => {
      const identity = services.keyring.identity(orgId)!;
      services.keyring.seal(orgId);
      try {
        await assert.rejects(exportCourtBundle(services, FROM, editor.actor, editor.user.pseudonym, caseId, { exhibits: [letterExhibit], purpose: "court", mode: "decrypted" }, TEXT), Sealed);
      } finally {
        services.keyring.unseal(orgId, identity);
      }
    });

    it("refuses a lower role and hides the case from another organisation", async () => {
      await assert.rejects(exportCourtBundle(services, FROM, viewer.actor, viewer.user.pseudonym, caseId, { exhibits: [letterExhibit], purpose: "court", mode: "decrypted" }, TEXT), Forbidden);
      await assert.rejects(exportCourtBundle(services, FROM, researcher.actor, researcher.user.pseudonym, caseId, { exhibits: [letterExhibit], purpose: "court", mode: "decrypted" }, TEXT), Forbidden);
      await assert.rejects(recordConsent(services, FROM, researcher.actor, caseId, { party: witnessId, scope: "be-named", kind: "given", effectiveAt: "2026-05-01" }), Forbidden);
      await assert.rejects(addExhibit(services, FROM, viewer.actor, viewer.user.pseudonym, caseId, { evidence: photoEvidence, label: "E-9" }), Forbidden);
      await assert.rejects(getCaseFile(services, FROM, outsider.actor, caseId), NotFound);
      await assert.rejects(exportCourtBundle(services, FROM, outsider.actor, outsider.user.pseudonym, caseId, { exhibits: [letterExhibit], purpose: "court", mode: "decrypted" }, TEXT), NotFound);
      await assert.rejects(recordConsent(services, FROM, outsider.actor, caseId, { party: witnessId, scope: "be-named", kind: "given", effectiveAt: "2026-05-01" }), NotFound);
      assert.ok(!(await listLegalCases(services, FROM, outsider.actor)).some((c) => c.id === caseId));
    });

    it("refuses an exhibit from another organisation's vault and a party who is not a person", async () => {
      const theirs = await receiveEvidence(services, FROM, personCaller(outsider), { source: [Buffer.from("theirs")], filename: null, claimedType: null });
      await assert.rejects(addExhibit(services, FROM, editor.actor, editor.user.pseudonym, caseId, { evidence: theirs.id, label: "E-9" }), (e: unknown) => e instanceof Invalid && "evidence" in e.fields);
      await assert.rejects(addParty(services, FROM, editor.actor, caseId, { person: caseId, role: "witness", label: "W-9" }), (e: unknown) => e instanceof Invalid && "person" in e.fields);
      await assert.rejects(addParty(services, FROM, editor.actor, caseId, { person: caseId, role: "witness", label: "W-1" }), Invalid);
      await assert.rejects(recordConsent(services, FROM, editor.actor, caseId, { party: plaintiffId, scope: "be-named", kind: "withdrawn", effectiveAt: "2026-05-01", note: "never given" }), Invalid);
    });
  });
}
