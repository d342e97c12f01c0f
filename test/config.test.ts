import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../src/config.ts";

describe("configuration", () => {
  it("has defaults that run the embedded database locally", () => {
    const config = loadConfig({});
    assert.equal(config.dataDir, "./vigil-data");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.port, 8080);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.behindTls, false);
  });

  it("turns on TLS-only behaviour for an https public URL", () => {
    assert.equal(loadConfig({ VIGIL_PUBLIC_URL: "https://vigil.example.org" }).behindTls, true);
  });

  for (const [name, value] of [
    ["VIGIL_PORT", "abc"],
    ["VIGIL_PORT", "70000"],
    ["DATABASE_URL", "mysql://db"],
    ["VIGIL_APP_KEY", "c2hvcnQ="],
    ["VIGIL_LOG_LEVEL", "loud"],
    ["VIGIL_TRUST_PROXY", "maybe"],
    ["VIGIL_PUBLIC_URL", "ftp://x"],
    ["VIGIL_DEFAULT_LOCALE", "fr"],
  ] as const) {
    it(`stops on a bad ${name} (${value}) and names it`, () => {
      assert.throws(() => loadConfig({ [name]: value }), (error: unknown) => error instanceof ConfigError && error.message.includes(name));
    });
  }
});
