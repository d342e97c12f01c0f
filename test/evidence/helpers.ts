import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NO_ORIGIN } from "../../src/context.ts";
import { initVaultKeys, operatorCaller, unsealVault } from "../../src/evidence/index.ts";
import type { TestServices } from "../helpers/database.ts";

export const PASSPHRASE = "correct horse battery staple river";
/** scrypt work factor for tests: the format is the same, the wait is not. */
export const TEST_LOG_N = 10;

export function tempDir(prefix = "vigil-evidence-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Creates the organisation's keys under PASSPHRASE and, unless told otherwise, unseals them. */
export async function makeKeys(services: TestServices, orgId: string, unseal = true): Promise<string> {
  const { recipient } = await initVaultKeys(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: PASSPHRASE }, { logN: TEST_LOG_N });
  if (unseal) await unsealVault(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: PASSPHRASE });
  return recipient;
}

/**
 * A minimal baseline JPEG (8×8, one grey block), made by hand so the test needs no image library,
 * then given GPS, a camera serial number, an owner name and an artist with ExifTool.
 */
export function jpegWithGps(dir: string, name = "photo.jpg"): string {
  const hex =
    "ffd8ffe000104a46494600010100000100010000" +
    "ffdb004300" + "01".repeat(64) +
    "ffc0000b080008000801011100" +
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0b" +
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa" +
    "ffda0008010100003f00" + "d2cf20" + "ffd9";
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(hex, "hex"));
  const thumbnail = join(dir, `thumb-${name}`);
  writeFileSync(thumbnail, Buffer.from(hex, "hex"));
  execFileSync("exiftool", [
    `-ThumbnailImage<=${thumbnail}`,
    "-q", "-overwrite_original",
    "-GPSLatitude=43.8", "-GPSLatitudeRef=N", "-GPSLongitude=87.6", "-GPSLongitudeRef=E",
    "-SerialNumber=CAM-778812", "-OwnerName=Witness Name", "-Artist=Witness Name", "-Make=Phone", "-Model=X1",
    path,
  ]);
  return path;
}

export function tags(path: string): Record<string, unknown> {
  return (JSON.parse(execFileSync("exiftool", ["-json", "-G", "-a", "-n", path], { encoding: "utf8" })) as Record<string, unknown>[])[0]!;
}

/** Every file under a directory, recursively. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}
