import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import { CaptureProxy } from "../../src/capture/proxy.ts";
import { PAGE_HTML, startSite, type Site } from "./site.ts";

/**
 * The capture's proxy is where every connection of the browser is checked: these tests speak to
 * it as Chromium does (absolute-form requests for http, CONNECT for https and WebSockets).
 */

function through(proxyUrl: string, target: string, auth: string | null, method = "GET"): Promise<{ status: number; body: string } | { error: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve) => {
    const req = request({
      host: proxy.hostname,
      port: proxy.port,
      method,
      path: target,
      headers: { host: method === "CONNECT" ? target : new URL(target).host, ...(auth ? { "proxy-authorization": auth } : {}) },
    });
    req.on("connect", (res: IncomingMessage, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: "" });
    });
    req.on("response", (res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", (error) => resolve({ error: error.message }));
    });
    req.on("error", (error) => resolve({ error: error.message }));
    req.end();
  });
}

function basic(proxy: CaptureProxy): string {
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString("base64")}`;
}

describe("the capture proxy", () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(async () => {
    await site.close();
  });

  async function withProxy(options: { allowPrivate: boolean; limit?: number; resolve?: ConstructorParameters<typeof CaptureProxy>[0]["resolve"] }, use: (proxy: CaptureProxy, url: string, limited: () => boolean) => Promise<void>) {
    let limited = false;
    const proxy = new CaptureProxy({
      policy: { allowPrivate: options.allowPrivate, forbidden: new Set() },
      limit: options.limit ?? 10_000_000,
      onLimit: () => (limited = true),
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
    const url = await proxy.start();
    try {
      await use(proxy, url, () => limited);
    } finally {
      await proxy.stop();
    }
  }

  it("serves only the capture's own browser: no credentials, no connection", async () => {
    await withProxy({ allowPrivate: true }, async (proxy, url) => {
      const answer = await through(url, site.url("/page"), null);
      assert.deepEqual(answer, { status: 407, body: "" });
      const wrong = await through(url, site.url("/page"), "Basic dmlnaWw6bm90LXRoZS1wYXNzd29yZA==");
      assert.equal("status" in wrong && wrong.status, 407);
      const tunnel = await through(url, "example.org:443", null, "CONNECT");
      assert.equal("status" in tunnel && tunnel.status, 407);
      assert.equal(proxy.refusals.length, 0);
    });
  });

  it("refuses a loopback or private address by default, for plain requests and tunnels alike", async () => {
    await withProxy({ allowPrivate: false }, async (proxy, url) => {
      const plain = await through(url, site.url("/page"), basic(proxy));
      assert.ok("error" in plain, "the connection is dropped, so the browser reports a failed load");
      const tunnel = await through(url, "10.1.2.3:443", basic(proxy), "CONNECT");
      assert.equal("status" in tunnel && tunnel.status, 403);
      const metadata = await through(url, "http://169.254.169.254/latest/meta-data/", basic(proxy));
      assert.ok("error" in metadata);
      assert.deepEqual(
        proxy.refusals.map((r) => [r.target, r.error?.constructor.name]),
        [
          [site.url("/page"), "CaptureRefused"],
          ["10.1.2.3:443", "CaptureRefused"],
          ["http://169.254.169.254/latest/meta-data/", "CaptureRefused"],
        ],
      );
      assert.match(proxy.refusals[0]!.reason, /loopback address/);
    });
  });

  it("connects to the very address it checked: a name that turns private on its next answer gains nothing", async () => {
    let answers = 0;
    // The first answer is what a pre-check would have seen; the proxy asks again and is told 127.0.0.1.
    const rebinding = async (_host: string) => (answers++ === 0 ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]);
    await rebinding("rebind.example");
    await withProxy({ allowPrivate: false, resolve: rebinding }, async (proxy, url) => {
      const port = new URL(site.url("/")).port;
      const answer = await through(url, `http://rebind.example:${port}/page`, basic(proxy));
      assert.ok("error" in answer);
      assert.match(proxy.refusals[0]!.reason, /rebind\.example \(127\.0\.0\.1\) is a loopback address/);
    });
  });

  it("forwards what is allowed, and notes the address it reached", async () => {
    await withProxy({ allowPrivate: true }, async (proxy, url) => {
      const answer = await through(url, site.url("/page"), basic(proxy));
      assert.deepEqual(answer, { status: 200, body: PAGE_HTML });
      assert.equal(proxy.addresses.get("127.0.0.1"), "127.0.0.1");
      assert.ok(proxy.received >= Buffer.byteLength(PAGE_HTML));
    });
  });

  it("cuts every connection once the capture's size limit is passed", async () => {
    await withProxy({ allowPrivate: true, limit: 100_000 }, async (proxy, url, limited) => {
      const answer = await through(url, site.url("/heavy.bin"), basic(proxy));
      assert.ok("error" in answer || answer.body.length < 400_000, "the body does not arrive whole");
      assert.equal(limited(), true);
      assert.equal(proxy.overLimit, true);
    });
  });
});
