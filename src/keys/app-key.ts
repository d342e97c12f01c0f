import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The application key encrypts small secrets in the database (second-factor seeds, secret fields).
 * It lives outside the database — in VIGIL_APP_KEY or in a 0600 file in the data directory — so a
 * copy of the database alone reveals none of them. Several processes on one server share it
 * through VIGIL_APP_KEY.
 */
export function loadAppKey(configured: Buffer | undefined, dataDir: string | undefined): Buffer {
  if (configured) return configured;
  if (!dataDir) return randomBytes(32);
  const file = join(dataDir, "app.key");
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return key;
}
