import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decryptBytes,
  encryptBytes,
  encryptStream,
  formatX25519IdentityFile,
  generateX25519Identity,
  parseX25519IdentityFile,
  parseX25519Recipient,
  rewrapHeader,
  sealIdentity,
  toX25519Recipient,
  unsealWithPassphrase,
} from "../../src/vault/index.ts";

// Interoperability with the real age (Debian's `age` package; .ci/run installs it). A missing tool
// is a failure, never a skip: compatibility is a hard requirement.
function requireTool(name: string): void {
  const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
  assert.ok(found, `the \`${name}\` command is required for the age interoperability tests (apt-get install age)`);
}

function run(cmd: string, args: string[]): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed: ${r.stderr?.toString()}`);
  return r.stdout;
}

/**
 * `age -p` and `age -d` of a passphrase file read the passphrase from the terminal only, so they
 * run under `script`, which gives them a pseudo-terminal; we answer each prompt as it appears.
 */
function runWithPassphrase(command: string, passphrase: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let answered = 0;
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString("latin1");
      const prompts = output.match(/passphrase/gi)?.length ?? 0;
      while (answered < prompts) {
        child.stdin.write(passphrase + "\n");
        answered++;
      }
    });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} exited ${code}: ${output}`));
    });
  });
}

let dir = "";
before(() => {
  requireTool("age");
  requireTool("age-keygen");
  dir = mkdtempSync(join(tmpdir(), "vigil-age-"));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const size of [0, 1, 65535, 65536, 65537, 3 * 65536, 1 << 20]) {
  test(`age -d decrypts what Vigil encrypted: ${size} bytes`, async () => {
    const identity = generateX25519Identity();
    writeFileSync(join(dir, "key.txt"), formatX25519IdentityFile(identity));
    const data = randomBytes(size);
    writeFileSync(join(dir, "plain"), data);
    const result = await encryptStream([toX25519Recipient(identity)], createReadStream(join(dir, "plain")), createWriteStream(join(dir, "blob.age")));
    assert.equal(result.ciphertextSize, readFileSync(join(dir, "blob.age")).length);
    assert.deepEqual(run("age", ["-d", "-i", join(dir, "key.txt"), join(dir, "blob.age")]), data);
  });
}

test("Vigil decrypts what age -r encrypted, with a key from age-keygen", async () => {
  run("age-keygen", ["-o", join(dir, "agekey.txt")]);
  const recipient = run("age-keygen", ["-y", join(dir, "agekey.txt")]).toString().trim();
  const identities = parseX25519IdentityFile(readFileSync(join(dir, "agekey.txt"), "utf8"));
  assert.deepEqual(parseX25519Recipient(recipient).publicKey, identities[0]?.publicKey);
  for (const size of [0, 1, 65536, 3 * 65536 + 1]) {
    const data = randomBytes(size);
    writeFileSync(join(dir, "plain"), data);
    run("age", ["-r", recipient, "-o", join(dir, "from-age.age"), join(dir, "plain")]);
    assert.deepEqual(await decryptBytes(identities, readFileSync(join(dir, "from-age.age"))), data);
    run("age", ["-a", "-r", recipient, "-o", join(dir, "from-age.txt"), join(dir, "plain")]);
    assert.deepEqual(await decryptBytes(identities, readFileSync(join(dir, "from-age.txt"))), data);
  }
});

test("age -d still decrypts a blob after Vigil rewraps its header for a new key", async () => {
  const oldKey = generateX25519Identity();
  const newKey = generateX25519Identity();
  writeFileSync(join(dir, "new.txt"), formatX25519IdentityFile(newKey));
  const data = randomBytes(200_000);
  const blob = await encryptBytes([toX25519Recipient(oldKey)], data);
  writeFileSync(join(dir, "old.age"), blob);
  await rewrapHeader([oldKey], [toX25519Recipient(newKey)], createReadStream(join(dir, "old.age")), createWriteStream(join(dir, "new.age")));
  assert.deepEqual(run("age", ["-d", "-i", join(dir, "new.txt"), join(dir, "new.age")]), data);
});

test("age -d recovers a sealed organisation identity with the passphrase alone", async () => {
  requireTool("script");
  const identity = generateX25519Identity();
  writeFileSync(join(dir, "sealed.txt"), await sealIdentity(identity, "pass phrase 1", { logN: 12 }));
  await runWithPassphrase(`age -d -o ${join(dir, "unsealed.txt")} ${join(dir, "sealed.txt")}`, "pass phrase 1");
  const [recovered] = parseX25519IdentityFile(readFileSync(join(dir, "unsealed.txt"), "utf8"));
  assert.deepEqual(recovered?.secretKey, identity.secretKey);
});

test("Vigil decrypts and unseals what age -p encrypted", async () => {
  requireTool("script");
  const identity = generateX25519Identity();
  writeFileSync(join(dir, "id.txt"), formatX25519IdentityFile(identity));
  await runWithPassphrase(`age -p -a -o ${join(dir, "id.age")} ${join(dir, "id.txt")}`, "from the terminal");
  const sealed = readFileSync(join(dir, "id.age"), "latin1");
  assert.deepEqual((await unsealWithPassphrase(sealed, "from the terminal")).secretKey, identity.secretKey);
  await assert.rejects(unsealWithPassphrase(sealed, "wrong"), { code: "no_identity" });
});

test("age -d fails, as Vigil does, on a blob whose header was altered", async () => {
  const identity = generateX25519Identity();
  writeFileSync(join(dir, "k.txt"), formatX25519IdentityFile(identity));
  const blob = await encryptBytes([toX25519Recipient(identity)], Buffer.from("x"));
  const mac = blob.indexOf("--- ") + 5;
  blob[mac] = blob[mac] === 0x41 ? 0x42 : 0x41;
  writeFileSync(join(dir, "bad.age"), blob);
  const r = spawnSync("age", ["-d", "-i", join(dir, "k.txt"), join(dir, "bad.age")]);
  assert.notEqual(r.status, 0);
  assert.ok(existsSync(join(dir, "bad.age")));
});
