// Builds and runs the Go ledger verifier (main.go) for the interop test and the benchmark.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const sourceDir = dirname(fileURLToPath(import.meta.url));
/** Debian's golang-golang-x-mod-dev puts golang.org/x/mod here, usable offline in GOPATH mode. */
const DEBIAN_GOPATH = "/usr/share/gocode";

/**
 * The Go environment: the caller's own if GO111MODULE is set; else GOPATH mode on Debian's
 * packaged x/mod when it is installed (no network); else module mode with go.mod, which
 * downloads golang.org/x/mod (CI).
 */
export function goEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local" };
  if (process.env.GO111MODULE !== undefined) return env;
  if (existsSync(join(DEBIAN_GOPATH, "src/golang.org/x/mod/sumdb/tlog"))) {
    return { ...env, GO111MODULE: "off", GOPATH: DEBIAN_GOPATH };
  }
  return { ...env, GO111MODULE: "on", GOFLAGS: process.env.GOFLAGS ?? "-mod=mod" };
}

const GO_MISSING =
  "The Go interop check needs the `go` command on PATH (Go >= 1.19 with golang.org/x/mod); install Go, it is not optional.";

/** Compiles main.go once per source and Go version into the temp directory and returns the binary. */
export async function buildGoLedgerVerifier(): Promise<string> {
  const env = goEnvironment();
  let goVersion: string;
  try {
    goVersion = (await run("go", ["version"], { env })).stdout;
  } catch (error) {
    throw new Error(GO_MISSING, { cause: error });
  }
  const source = readFileSync(join(sourceDir, "main.go"));
  const version = createHash("sha256").update(source).update(goVersion).digest("hex").slice(0, 16);
  const outDir = join(tmpdir(), `vigil-ledger-verify-${version}`);
  const binary = join(outDir, "ledger-verify");
  if (existsSync(binary)) return binary;
  mkdirSync(outDir, { recursive: true });
  try {
    await run("go", ["build", "-o", binary, "."], { cwd: sourceDir, env });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`go build of test/interop/ledger-verify failed:\n${stderr}`, { cause: error });
  }
  return binary;
}

/** Sends one JSON request to the Go verifier and parses its JSON answer. */
export function runGoLedgerVerifier<T>(binary: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status !== 0) return reject(new Error(`ledger-verify exited ${status}: ${Buffer.concat(err).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as T);
      } catch (error) {
        reject(error as Error);
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
