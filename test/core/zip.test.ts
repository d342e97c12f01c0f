import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { openZip, ZipError, ZipWriter } from "../../src/core/zip.ts";

function chunks(data: Buffer, size: number): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  })());
}

async function writeSample(path: string, media: Buffer): Promise<void> {
  const zip = new ZipWriter(createWriteStream(path));
  await zip.addFile("manifest.json", JSON.stringify({ exhibits: 2, title: "Бумеранг ئۇيغۇر 案件" }), { modified: new Date("2026-11-25T10:20:30Z") });
  await zip.addFile("exhibits/photo.jpg", chunks(media, 10_000));
  await zip.addFile("exhibits/text.txt", chunks(Buffer.from("word ".repeat(50_000)), 4096), { compress: true });
  await zip.addFile("empty.txt", Buffer.alloc(0));
  await zip.finish();
}

describe("ZIP archives", () => {
  it("writes an archive that Python's zipfile reads and tests, names in UTF-8", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-zip-"));
    const path = join(dir, "bundle.zip");
    const media = randomBytes(300_000);
    await writeSample(path, media);
    const listing = execFileSync("python3", ["-c", [
      "import sys, zipfile, hashlib, json",
      "z = zipfile.ZipFile(sys.argv[1])",
      "assert z.testzip() is None",
      "print(json.dumps({i.filename: [i.file_size, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()}, ensure_ascii=False))",
    ].join("\n"), path], { encoding: "utf8" });
    const seen = JSON.parse(listing) as Record<string, [number, string]>;
    assert.deepEqual(Object.keys(seen).sort(), ["empty.txt", "exhibits/photo.jpg", "exhibits/text.txt", "manifest.json"]);
    assert.deepEqual(seen["exhibits/photo.jpg"], [media.length, createHash("sha256").update(media).digest("hex")]);
    assert.equal(seen["exhibits/text.txt"]![0], 250_000);
    assert.equal(seen["empty.txt"]![0], 0);
  });

  it("reads back what it wrote, whole or streamed, with sizes and times", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-zip-"));
    const path = join(dir, "bundle.zip");
    const media = randomBytes(200_000);
    await writeSample(path, media);
    const zip = await openZip(path);
    try {
      const manifest = zip.entries.find((e) => e.name === "manifest.json")!;
      assert.equal(manifest.modified.toISOString(), "2026-11-25T10:20:30.000Z");
      assert.equal(JSON.parse((await zip.read("manifest.json")).toString("utf8")).title, "Бумеранг ئۇيغۇر 案件");
      assert.ok(media.equals(await zip.read("exhibits/photo.jpg")));
      const text = zip.entries.find((e) => e.name === "exhibits/text.txt")!;
      assert.ok(text.compressedSize < text.size / 10, "repetitive text is deflated");
      let streamed = 0;
      for await (const chunk of zip.stream("exhibits/text.txt")) streamed += (chunk as Buffer).length;
      assert.equal(streamed, 250_000);
      assert.equal((await zip.read("empty.txt")).length, 0);
      await assert.rejects(zip.read("missing.txt"), ZipError);
    } finally {
      await zip.close();
    }
  });

  it("reads an archive made by Python's zipfile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-zip-"));
    const path = join(dir, "other.zip");
    execFileSync("python3", ["-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n  z.writestr('a/b.txt', 'hello ' * 1000)\n  z.writestr('c.bin', bytes(range(256)))", path]);
    const zip = await openZip(path);
    try {
      assert.equal((await zip.read("a/b.txt")).toString(), "hello ".repeat(1000));
      assert.deepEqual([...(await zip.read("c.bin"))], [...Array(256).keys()]);
    } finally {
      await zip.close();
    }
  });

  it("finds a changed byte in an entry by its CRC-32", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-zip-"));
    const path = join(dir, "bundle.zip");
    const media = Buffer.alloc(50_000, 7);
    await writeSample(path, media);
    const bytes = readFileSync(path);
    const at = bytes.indexOf(media.subarray(0, 64));
    assert.ok(at > 0);
    bytes[at + 1000] = bytes[at + 1000]! ^ 0xff;
    writeFileSync(path, bytes);
    const zip = await openZip(path);
    try {
      await assert.rejects(zip.read("exhibits/photo.jpg"), /CRC-32 mismatch/);
      assert.equal((await zip.read("exhibits/text.txt")).length, 250_000, "the other entries still read");
    } finally {
      await zip.close();
    }
  });

  it("refuses unsafe or duplicate names, work after finishing, and files that are not archives", async () => {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const zip = new ZipWriter(sink);
    for (const name of ["../etc/passwd", "/abs", "a//b", "a\\b", "", "./x", "a/../b"]) {
      await assert.rejects(zip.addFile(name, "x"), ZipError, name);
    }
    await zip.addFile("a.txt", "x");
    await assert.rejects(zip.addFile("a.txt", "y"), /duplicate entry/);
    await zip.finish();
    await assert.rejects(zip.addFile("b.txt", "x"), /already finished/);
    const dir = mkdtempSync(join(tmpdir(), "vigil-zip-"));
    writeFileSync(join(dir, "not.zip"), "just text, not an archive");
    await assert.rejects(openZip(join(dir, "not.zip")), /not a ZIP archive/);
    await writeSample(join(dir, "whole.zip"), randomBytes(1000));
    const whole = readFileSync(join(dir, "whole.zip"));
    writeFileSync(join(dir, "cut.zip"), whole.subarray(0, whole.length - 30));
    await assert.rejects(openZip(join(dir, "cut.zip")), ZipError);
  });

  it("keeps memory flat while streaming a large entry through", async () => {
    let written = 0;
    const sink = new Writable({ highWaterMark: 1 << 16, write: (chunk: Buffer, _e, cb) => { written += chunk.length; setImmediate(cb); } });
    const zip = new ZipWriter(sink);
    const block = randomBytes(1 << 16);
    const total = 256 << 20;
    const before = process.memoryUsage().rss;
    let peak = before;
    await zip.addFile("big.bin", Readable.from((function* () {
      for (let sent = 0; sent < total; sent += block.length) {
        peak = Math.max(peak, process.memoryUsage().rss);
        yield block;
      }
    })()));
    await zip.finish();
    assert.ok(written > total);
    assert.ok(peak - before < 64 << 20, `rss grew by ${(peak - before) >> 20} MiB`);
  });
});
