import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyAddress, isReachable, parseIPv6 } from "../../src/capture/address.ts";
import { ownSockets } from "../../src/capture/capture.ts";
import { publicationDate, sourceName } from "../../src/capture/page-facts.ts";
import { CaptureRefused, checkAddress, hostOf, parseCaptureUrl, resolveReachable, Unreachable } from "../../src/capture/target.ts";
import { payloadHeaders } from "../../src/capture/warc.ts";
import { Invalid } from "../../src/core/index.ts";

const DEFAULT = { allowPrivate: false, forbidden: new Set<string>() };
const PRIVATE_ALLOWED = { allowPrivate: true, forbidden: new Set<string>() };

describe("which addresses a capture may reach", () => {
  const cases: [string, string | null][] = [
    ["8.8.8.8", null],
    ["93.184.215.14", null],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", null],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.1", null],
    ["169.254.1.1", "link-local"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "reserved"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["fec0::1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "reserved"],
    ["100::1", "reserved"],
    ["64:ff9b:1::1", "reserved"],
    ["2606:4700:4700::1111", null],
    ["2001:4860:4860::8888", null],
    // IPv4 inside IPv6 reaches the IPv4 host, and is judged as it.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:8.8.8.8", null],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::808:808", null],
    ["2002:c0a8:0101::1", "private"],
    ["2002:0808:0808::1", null],
    ["::10.0.0.1", "reserved"],
  ];
  for (const [address, expected] of cases) {
    it(`classifies ${address} as ${expected ?? "public"}`, () => {
      assert.equal(classifyAddress(address), expected);
    });
  }

  it("refuses to classify what is not an address", () => {
    assert.throws(() => classifyAddress("example.org"), RangeError);
    assert.throws(() => classifyAddress("1.2.3"), RangeError);
  });

  it("reads every IPv6 spelling as the same eight groups", () => {
    assert.deepEqual(parseIPv6("::ffff:1.2.3.4"), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    assert.deepEqual(parseIPv6("1:2:3:4:5:6:1.2.3.4"), [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    assert.deepEqual(parseIPv6("[::1]"), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(parseIPv6("1::"), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(parseIPv6("1:2:3"), null);
  });

  it("lets the organisation's setting unlock private classes, never metadata, unspecified or multicast", () => {
    for (const cls of ["loopback", "private", "shared", "link-local", "unique-local"] as const) {
      assert.equal(isReachable(cls, false), false, cls);
      assert.equal(isReachable(cls, true), true, cls);
    }
    for (const cls of ["metadata", "unspecified", "multicast", "reserved"] as const) assert.equal(isReachable(cls, true), false, cls);
    assert.equal(isReachable(null, false), true);
  });

  it("never reaches Vigil itself, whatever the setting", () => {
    const forbidden = ownSockets({ host: "0.0.0.0", port: 8080 });
    assert.throws(() => checkAddress("localhost", "127.0.0.1", 8080, { allowPrivate: true, forbidden }), (e: CaptureRefused) => e.reason === "self");
    checkAddress("localhost", "127.0.0.1", 8081, { allowPrivate: true, forbidden });
  });
});

describe("the address a person asks to capture", () => {
  it("takes http and https, drops the fragment", () => {
    assert.equal(parseCaptureUrl("  https://example.org/a?b=1#c ").href, "https://example.org/a?b=1");
    assert.equal(parseCaptureUrl("http://example.org").href, "http://example.org/");
  });

  it("refuses other schemes and credentials", () => {
    for (const url of ["file:///etc/passwd", "ftp://example.org/", "javascript:alert(1)", "data:text/html,hi", "gopher://example.org/", "chrome://settings"]) {
      assert.throws(() => parseCaptureUrl(url), (e: CaptureRefused) => e.reason === "scheme", url);
    }
    assert.throws(() => parseCaptureUrl("https://user:pw@example.org/"), (e: CaptureRefused) => e.reason === "credentials");
  });

  it("refuses what is not an address at all", () => {
    for (const url of ["", "   ", "example.org", "not a url", `https://example.org/${"a".repeat(5000)}`]) assert.throws(() => parseCaptureUrl(url), Invalid, JSON.stringify(url.slice(0, 20)));
  });

  it("sees through numeric spellings of a loopback host", () => {
    for (const url of ["http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:0:0:1]/"]) {
      const host = hostOf(parseCaptureUrl(url));
      assert.equal(classifyAddress(host), "loopback", `${url} → ${host}`);
    }
  });

  it("checks every address a name resolves to, and says when it has none", async () => {
    const both = async () => [{ address: "93.184.215.14", family: 4 }, { address: "::1", family: 6 }];
    await assert.rejects(resolveReachable("mixed.example", 443, DEFAULT, both), (e: CaptureRefused) => e.reason === "loopback" && e.host === "mixed.example (::1)");
    assert.deepEqual(await resolveReachable("mixed.example", 443, PRIVATE_ALLOWED, both), ["93.184.215.14", "::1"]);
    const none = async () => [];
    await assert.rejects(resolveReachable("empty.example", 443, DEFAULT, none), Unreachable);
    assert.deepEqual(await resolveReachable("8.8.8.8", 443, DEFAULT, none), ["8.8.8.8"], "a literal address is not looked up");
  });
});

describe("what the Source says of a captured page", () => {
  it("takes the publication date at the precision the page gives", () => {
    assert.equal(publicationDate(["2024-03-05T10:00:00+08:00"]), "2024-03-05");
    assert.equal(publicationDate(["2024-03"]), "2024-03");
    assert.equal(publicationDate(["2019"]), "2019");
    assert.equal(publicationDate(["yesterday", "2021-13-01", "2020-02-30", "2020-02-29 08:00"]), "2020-02-29");
    assert.equal(publicationDate(["March 5, 2024"]), null);
    assert.equal(publicationDate([]), null);
  });

  it("names the Source after the page's title, or its address", () => {
    assert.equal(sourceName("  Detention\u202E report \n", "https://x.example/"), "Detention report");
    assert.equal(sourceName("", "https://x.example/"), "https://x.example/");
    assert.equal(sourceName("t".repeat(500), "u").length, 384);
  });
});

describe("the headers kept beside a decoded payload", () => {
  it("moves the wire encoding aside and states the stored length", () => {
    const body = Buffer.from("body { color: red }");
    assert.deepEqual(payloadHeaders([["Content-Type", "text/css"], ["Content-Encoding", "gzip"], ["Content-Length", "37"]], body), [
      ["Content-Type", "text/css"],
      ["X-Archive-Orig-Content-Encoding", "gzip"],
      ["X-Archive-Orig-Content-Length", "37"],
      ["Content-Length", String(body.length)],
    ]);
    assert.deepEqual(payloadHeaders([["Transfer-Encoding", "chunked"]], body), [["X-Archive-Orig-Transfer-Encoding", "chunked"], ["Content-Length", String(body.length)]]);
  });

  it("leaves an unencoded response's headers as they came", () => {
    const headers: [string, string][] = [["Content-Type", "image/png"], ["Content-Length", "66"], ["Content-Encoding", "identity"]];
    assert.deepEqual(payloadHeaders(headers, Buffer.alloc(66)), headers);
  });
});
