import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("alert email configuration", () => {
  it("reads VIGIL_SMTP_URL, VIGIL_MAIL_FROM and the timeouts", () => {
    const config = loadConfig({ VIGIL_SMTP_URL: "smtp://vigil:p%40ss@mail.example.org:587", VIGIL_MAIL_FROM: "Watch <alerts@watch.example>", VIGIL_SMTP_TIMEOUT_SECONDS: "5", VIGIL_WEBHOOK_TIMEOUT_SECONDS: "3" });
    assert.equal(config.smtpUrl, "smtp://vigil:p%40ss@mail.example.org:587");
    assert.equal(config.mailFrom, "Watch <alerts@watch.example>");
    assert.equal(config.smtpTimeoutMs, 5000);
    assert.equal(config.webhookTimeoutMs, 3000);
    assert.equal(loadConfig({}).smtpUrl, undefined, "no SMTP unless configured");
  });

  it("refuses an address that is not smtp:// or smtps:// without repeating its password", () => {
    for (const url of ["http://user:hunter2-secret@mail.example.org", "mail.example.org:25", "smtp//user:hunter2-secret@host"]) {
      assert.throws(() => loadConfig({ VIGIL_SMTP_URL: url }), (e: unknown) => e instanceof ConfigError && /VIGIL_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/.test(e.message) && !e.message.includes("hunter2"));
    }
    assert.throws(() => loadConfig({ VIGIL_WEBHOOK_TIMEOUT_SECONDS: "0" }), /VIGIL_WEBHOOK_TIMEOUT_SECONDS/);
  });
});
