// Court bundle benchmark: exporting one large exhibit as a bundle (decrypted, and re-encrypted to
// an age recipient) and checking it with `vigil verify`'s code, against the `age` command
// decrypting the same blob to a file on the same disk, and `sha256sum` reading the bundle: the
// references measured in the same run. Peak memory is the process's, to show that an exhibit is
// streamed, never held.
// Run: node --import tsx bench/court-bundle.ts [--size-mb N]   (embedded PGlite, temporary data directory)
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { addExhibit, addParty, bundleTextFor, createLegalCase, exportCourtBundle, recordConsent, verifyBundleFile } from "../src/accountability/index.ts";
import { completeSetup } from "../src/accounts/index.ts";
import { boot, createLogger } from "../src/boot.ts";
import { loadConfig } from "../src/config.ts";
import { NO_ORIGIN } from "../src/context.ts";
import { BlobStore, initVaultKeys, operatorCaller, receiveEvidence, unsealVault } from "../src/evidence/index.ts";
import { createEntity } from "../src/records/index.ts";
import { formatX25519IdentityFile, formatX25519Recipient, generateX25519Identity, toX25519Recipient } from "../src/vault/index.ts";
import { translator } from "../src/web/i18n.ts";

const { values } = parseArgs({ options: { "size-mb": { type: "string", default: "256" } } });
const sizeMb = Number(values["size-mb"]);
const dir = mkdtempSync(join(tmpdir(), "vigil-bench-bundle-"));
const rssMb = () => process.resourceUsage().maxRSS / 1024;

try {
  const booted = await boot({ ...loadConfig({ VIGIL_DATA_DIR: join(dir, "data"), VIGIL_LOG_LEVEL: "silent", VIGIL_MAX_UPLOAD_BYTES: String(64 * 1024 ** 3) }) }, createLogger("silent"));
  const services = booted.services;
  const { orgId, userId } = await completeSetup(services, NO_ORIGIN, { organisationName: "Bench", organisationSlug: "bench", name: "Bench Admin", email: "bundle@example.org", password: "quiet evening river tea windowsill" });
  const caller = operatorCaller(orgId);
  await initVaultKeys(services, NO_ORIGIN, caller, { passphrase: "bench vault passphrase" }, { logN: 10 });
  await unsealVault(services, NO_ORIGIN, caller, { passphrase: "bench vault passphrase" });
  const actor = { userId, orgId, role: "admin" as const, scopes: null };
  const pseudonym = (await services.db.selectFrom("users").select("pseudonym").where("id", "=", userId).executeTakeFirstOrThrow()).pseudonym;

  // The exhibit: random bytes (incompressible, like video), written in 1 MiB pieces.
  const source = join(dir, "exhibit.bin");
  const fd = openSync(source, "w");
  for (let i = 0; i < sizeMb; i++) writeSync(fd, randomBytes(1 << 20));
  closeSync(fd);
  const evidence = await receiveEvidence(services, NO_ORIGIN, caller, { source: createReadStream(source, { highWaterMark: 1 << 20 }), filename: "exhibit.bin", claimedType: null });
  const witness = await createEntity(services, NO_ORIGIN, actor, { schema: "Person", properties: { name: ["Witness"] } });
  const legalCase = await createLegalCase(services, NO_ORIGIN, actor, { name: "Bench case", forum: "icc" });
  const party = await addParty(services, NO_ORIGIN, actor, legalCase.id, { person: witness.id, role: "witness", label: "W-1" });
  await recordConsent(services, NO_ORIGIN, actor, legalCase.id, { party: party.id, scope: "use-testimony", kind: "given", effectiveAt: "2026-01-01" });
  const exhibit = await addExhibit(services, NO_ORIGIN, actor, pseudonym, legalCase.id, { evidence: evidence.id, label: "E-1", party: party.id });
  const afterIngest = rssMb();

  const text = bundleTextFor(translator("en"), "en", "ltr");
  const court = generateX25519Identity();
  const rows: { what: string; seconds: number }[] = [];
  const time = async (what: string, run: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await run();
    rows.push({ what, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  };
  const exportTo = async (path: string, body: Record<string, unknown>) => {
    const bundle = await exportCourtBundle(services, NO_ORIGIN, actor, pseudonym, legalCase.id, { exhibits: [exhibit.id], purpose: "court", ...body }, text);
    await pipeline(bundle.stream, createWriteStream(path));
    await bundle.finished;
  };
  await time("export, decrypted (includes the PDF index)", () => exportTo(join(dir, "decrypted.zip"), { mode: "decrypted" }));
  await time("export, re-encrypted to an age recipient", () => exportTo(join(dir, "sealed.zip"), { mode: "reencrypted", recipient: formatX25519Recipient(toX25519Recipient(court)) }));
  await time("vigil verify (streamed hashes, proofs, signature)", async () => {
    if (!(await verifyBundleFile(join(dir, "decrypted.zip"))).ok) throw new Error("the bundle did not verify");
  });
  const peak = rssMb();

  // References on the same disk: age decrypting the stored blob to a file, sha256sum of the bundle.
  const identityFile = join(dir, "org.key");
  writeFileSync(identityFile, formatX25519IdentityFile(services.keyring.identity(orgId)!), { mode: 0o600 });
  const row = await services.db.selectFrom("evidence").select("ciphertext_sha256").where("id", "=", evidence.id).executeTakeFirstOrThrow();
  const blob = BlobStore.forDataDir(join(dir, "data")).pathOf(row.ciphertext_sha256);
  await time("reference: age -d -i KEY blob -o FILE", async () => {
    const run = spawnSync("age", ["-d", "-i", identityFile, "-o", join(dir, "age-out.bin"), blob]);
    if (run.status !== 0) throw new Error(`age failed: ${run.stderr}`);
  });
  await time("reference: sha256sum of the bundle", async () => {
    const run = spawnSync("sha256sum", [join(dir, "decrypted.zip")]);
    if (run.status !== 0) throw new Error("sha256sum failed");
  });
  await booted.close();

  const mb = statSync(source).size / 1e6;
  const ref = (name: string) => rows.find((r) => r.what.startsWith(name))!.seconds;
  console.log(`exhibit ${sizeMb} MiB; peak RSS ${afterIngest.toFixed(0)} MB after ingest, ${peak.toFixed(0)} MB after the exports and the check`);
  console.log(`${"what".padEnd(52)} ${"s".padStart(7)} ${"MB/s".padStart(8)}  ratio`);
  for (const r of rows) {
    const against = r.what.startsWith("vigil verify") ? ref("reference: sha256sum") : ref("reference: age");
    const ratio = r.what.startsWith("reference") ? "" : `${(against / r.seconds).toFixed(2)}× of ${r.what.startsWith("vigil verify") ? "sha256sum" : "age -d"}`;
    console.log(`${r.what.padEnd(52)} ${r.seconds.toFixed(2).padStart(7)} ${(mb / r.seconds).toFixed(0).padStart(8)}  ${ratio}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
