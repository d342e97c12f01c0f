import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { NO_ORIGIN } from "../../src/context.ts";
import { Invalid, Sealed } from "../../src/core/index.ts";
import {
  BlobStore,
  exportVaultIdentity,
  getEvidence,
  openEvidenceContent,
  operatorCaller,
  readEvidenceMetadata,
  receiveEvidence,
  redactEvidence,
  sealVault,
  TooLarge,
} from "../../src/evidence/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { setUpOrganisation } from "../helpers/fixtures.ts";
import { filesUnder, jpegWithGps, makeKeys, PASSPHRASE, tags, tempDir } from "./helpers.ts";
import { unsealVault } from "../../src/evidence/index.ts";

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function* chunks(data: Buffer, size = 50_000): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** Every text and bytea column of every row, as one string, to search for a value that must not be there. */
async function everyColumn(services: TestServices): Promise<string> {
  const out: string[] = [];
  for (const table of ["evidence", "audit_events", "ledger_leaves", "vault_keyrings"] as const) {
    const rows = await services.db.selectFrom(table).selectAll().execute();
    for (const row of rows) for (const value of Object.values(row)) out.push(Buffer.isBuffer(value) || value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : JSON.stringify(value));
  }
  return out.join("\n");
}

for (const target of databaseTargets()) {
  describe(`evidence ingest on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let orgId: string;
    const op = () => operatorCaller(orgId);

    before(async () => {
      dataDir = tempDir();
      services = await openTestServices(target, { dataDir, maxUploadBytes: 2 * 1024 * 1024 });
      orgId = (await setUpOrganisation(services)).orgId;
      await makeKeys(services, orgId);
    });
    after(async () => {
      await services.close();
    });

    it("stores a streamed upload under the SHA-256 of its ciphertext, never its plaintext hash, and age decrypts it", async () => {
      const plaintext = Buffer.alloc(1_500_000);
      for (let i = 0; i < plaintext.length; i++) plaintext[i] = (i * 7919) % 251;
      const plainHash = execFileSync("sha256sum", { input: plaintext, encoding: "utf8" }).split(" ")[0]!;
      const received = await receiveEvidence(services, NO_ORIGIN, op(), { source: chunks(plaintext), filename: "witness-interview.bin", claimedType: null });
      const blob = new BlobStore(join(dataDir, "blobs")).pathOf(received.sha256);
      assert.equal(execFileSync("sha256sum", [blob], { encoding: "utf8" }).split(" ")[0], received.sha256);
      assert.equal(received.size, plaintext.length);
      const files = filesUnder(dataDir);
      assert.ok(files.includes(blob));
      assert.ok(files.every((f) => !f.includes(plainHash)), "no file is named by the plaintext hash");
      assert.ok(files.every((f) => !f.endsWith(".part")), "no temporary file is left");
      const columns = await everyColumn(services);
      assert.ok(!columns.includes(plainHash), "the plaintext hash is in no column");
      assert.ok(!columns.includes("witness-interview"), "the file name is in no column in the clear");
      const identityFile = join(tempDir(), "identity.txt");
      await exportVaultIdentity(services, NO_ORIGIN, op(), identityFile);
      const decrypted = execFileSync("age", ["-d", "-i", identityFile, blob], { maxBuffer: 16 << 20 });
      assert.ok(decrypted.equals(plaintext), "the real age tool decrypts the blob to the uploaded bytes");
      const metadata = await readEvidenceMetadata(services, NO_ORIGIN, op(), received.id);
      assert.equal(metadata.plaintextSha256, plainHash);
      assert.equal(metadata.filename, "witness-interview.bin");
    });

    it("records the type found in the content, not the one a .jpg name claims", async () => {
      const received = await receiveEvidence(services, NO_ORIGIN, op(), { source: [Buffer.from("this is a plain statement, not a photograph\n")], filename: "photo.jpg", claimedType: "image/jpeg" });
      assert.equal(received.mediaType, "text/plain");
      const metadata = await readEvidenceMetadata(services, NO_ORIGIN, op(), received.id);
      assert.equal(metadata.claimedType, "image/jpeg");
    });

    it("refuses a zero-byte file and keeps nothing of it", async () => {
      const before = filesUnder(dataDir).length;
      const rows = (await services.db.selectFrom("evidence").select("id").execute()).length;
      await assert.rejects(receiveEvidence(services, NO_ORIGIN, op(), { source: [], filename: "empty.txt", claimedType: null }), Invalid);
      assert.equal(filesUnder(dataDir).length, before);
      assert.equal((await services.db.selectFrom("evidence").select("id").execute()).length, rows);
    });

    it("refuses an upload over the limit, from its declared size or as it streams, leaving no file and no row", async () => {
      const rows = (await services.db.selectFrom("evidence").select("id").execute()).length;
      const files = filesUnder(dataDir).length;
      await assert.rejects(receiveEvidence(services, NO_ORIGIN, op(), { source: [Buffer.alloc(1)], filename: null, claimedType: null, declaredSize: 3 * 1024 * 1024 }), TooLarge);
      let read = 0;
      async function* endless() {
        for (;;) {
          read += 65536;
          yield Buffer.alloc(65536, 1);
        }
      }
      await assert.rejects(receiveEvidence(services, NO_ORIGIN, op(), { source: endless(), filename: null, claimedType: null }), TooLarge);
      assert.ok(read <= 2 * 1024 * 1024 + 65536, `stopped reading at the limit (read ${read})`);
      assert.equal(filesUnder(dataDir).length, files);
      assert.equal((await services.db.selectFrom("evidence").select("id").execute()).length, rows);
    });

    it("removes the partial blob and records nothing when the disk fails mid-upload", async () => {
      const rows = (await services.db.selectFrom("evidence").select("id").execute()).length;
      const leaves = (await services.db.selectFrom("ledger_leaves").select("idx").execute()).length;
      let written = 0;
      const failing = new BlobStore(join(dataDir, "blobs"), () =>
        new Writable({
          write(chunk: Buffer, _enc, done) {
            written += chunk.length;
            done(written > 300_000 ? Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }) : null);
          },
        }),
      );
      await assert.rejects(receiveEvidence(services, NO_ORIGIN, op(), { source: chunks(Buffer.alloc(1_800_000, 3)), filename: "big.bin", claimedType: null }, { store: failing }), /ENOSPC/);
      assert.deepEqual(filesUnder(join(dataDir, "blobs", "incoming")), []);
      assert.equal((await services.db.selectFrom("evidence").select("id").execute()).length, rows);
      assert.equal((await services.db.selectFrom("ledger_leaves").select("idx").execute()).length, leaves);
    });

    it("makes a redacted copy of a photo without GPS, serials, owner or thumbnail, leaving the original and no backup", async () => {
      const dir = tempDir();
      const photo = jpegWithGps(dir);
      assert.ok("EXIF:GPSLatitude" in tags(photo) && "EXIF:ThumbnailImage" in tags(photo), "the fixture has GPS and a thumbnail");
      const original = await receiveEvidence(services, NO_ORIGIN, op(), { source: createReadStream(photo), filename: "photo.jpg", claimedType: "image/jpeg" });
      assert.equal(original.mediaType, "image/jpeg");
      const metadata = await readEvidenceMetadata(services, NO_ORIGIN, op(), original.id);
      assert.equal(metadata.tags["EXIF:GPSLatitude"], 43.8);
      const originalBlob = readFileSync(new BlobStore(join(dataDir, "blobs")).pathOf(original.sha256));
      const derivative = await redactEvidence(services, NO_ORIGIN, op(), original.id);
      assert.equal(derivative.created, true);
      const content = await openEvidenceContent(services, NO_ORIGIN, op(), derivative.id, "download");
      const out = join(dir, "downloaded.jpg");
      writeFileSync(out, await text(content.stream));
      const left = tags(out);
      assert.equal(left["File:MIMEType"], "image/jpeg");
      const identifying = Object.keys(left).filter((k) => /GPS|SerialNumber|OwnerName|Artist|Thumbnail/.test(k));
      assert.deepEqual(identifying, []);
      assert.ok(readFileSync(new BlobStore(join(dataDir, "blobs")).pathOf(original.sha256)).equals(originalBlob), "the original blob is untouched");
      const originalNow = await text((await openEvidenceContent(services, NO_ORIGIN, op(), original.id, "download")).stream);
      assert.ok(originalNow.equals(readFileSync(photo)), "the original still holds its GPS");
      const detail = await getEvidence(services, NO_ORIGIN, op(), original.id);
      assert.deepEqual(detail.derivatives.map((d) => d.id), [derivative.id]);
      const backups = [...filesUnder(dataDir), ...filesUnder(join(dir, ".."))].filter((f) => f.endsWith("_original") && !f.startsWith(dir));
      assert.deepEqual(backups, [], "ExifTool left no FILE_original anywhere");
      const again = await redactEvidence(services, NO_ORIGIN, op(), original.id);
      assert.equal(again.id, derivative.id);
    });

    it("fails to serve a truncated or corrupted blob instead of returning altered bytes", async () => {
      const received = await receiveEvidence(services, NO_ORIGIN, op(), { source: [Buffer.alloc(200_000, 9)], filename: "x.bin", claimedType: null });
      const path = new BlobStore(join(dataDir, "blobs")).pathOf(received.sha256);
      const good = readFileSync(path);
      writeFileSync(path, good.subarray(0, good.length - 100));
      await assert.rejects(text((await openEvidenceContent(services, NO_ORIGIN, op(), received.id, "download")).stream), /truncated|corrupt|authentication/);
      const flipped = Buffer.from(good);
      flipped[flipped.length - 5]! ^= 1;
      writeFileSync(path, flipped);
      await assert.rejects(text((await openEvidenceContent(services, NO_ORIGIN, op(), received.id, "download")).stream), /authentication|corrupt/);
    });

    it("accepts evidence while sealed but will not decrypt it, and a wrong key does not open it", async () => {
      await sealVault(services, NO_ORIGIN, op());
      const received = await receiveEvidence(services, NO_ORIGIN, op(), { source: [Buffer.from("received while sealed")], filename: "sealed.txt", claimedType: null });
      assert.equal(received.mediaType, "text/plain");
      await assert.rejects(readEvidenceMetadata(services, NO_ORIGIN, op(), received.id), Sealed);
      await assert.rejects(openEvidenceContent(services, NO_ORIGIN, op(), received.id, "download"), Sealed);
      const blob = new BlobStore(join(dataDir, "blobs")).pathOf(received.sha256);
      const stranger = join(tempDir(), "stranger.txt");
      execFileSync("age-keygen", ["-o", stranger], { stdio: "ignore" });
      assert.throws(() => execFileSync("age", ["-d", "-i", stranger, blob], { stdio: "pipe" }), /no identity matched/);
      await unsealVault(services, NO_ORIGIN, op(), { passphrase: PASSPHRASE });
      assert.equal((await readEvidenceMetadata(services, NO_ORIGIN, op(), received.id)).filename, "sealed.txt");
    });
  });
}
