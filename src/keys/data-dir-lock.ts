import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * The embedded database admits one process. The lock file names the process that holds the data
 * directory, so a second `vigil serve` refuses clearly and the CLI knows to talk to the server instead.
 */
export class DataDirLocked extends Error {
  constructor(readonly pid: number) {
    super(`another Vigil process (pid ${pid}) is using this data directory`);
    this.name = "DataDirLocked";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, "vigil.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) throw new DataDirLocked(pid);
      // A lock left by a process that died: take it over.
      unlinkSync(file);
    }
  }
  throw new Error(`could not lock ${file}`);
}
