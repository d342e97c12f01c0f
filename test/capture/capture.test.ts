import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { WARCParser, type WARCRecord } from "warcio";
import { captureWebPage, CaptureFailed, CaptureRefused, CaptureTimeout, CaptureTooLarge, getCapture, setCaptureSettings, Unreachable } from "../../src/capture/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import { BlobStore, listRecordEvidence, openEvidenceContent, personCaller, readEvidenceMetadata, type Caller } from "../../src/evidence/index.ts";
import { decodeLeaf } from "../../src/ledger/index.ts";
import { createEntity, getEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";
import { PAGE_HTML, PAGE_TITLE, PIXEL_PNG, sha256Hex, startSite, STYLESHEET, type Site } from "./site.ts";

async function plaintext(services: TestServices, caller: Caller, id: string): Promise<Buffer> {
  const content = await openEvidenceContent(services, NO_ORIGIN, caller, id, "download");
  const parts: Buffer[] = [];
  for await (const chunk of content.stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

interface ParsedRecord {
  type: string | null;
  uri: string | null;
  id: string | null;
  concurrentTo: string | null;
  payloadDigest: string | null;
  ipAddress: string | null;
  statusline: string | undefined;
  headers: Map<string, string>;
  payload: Buffer;
}

async function readWarc(bytes: Buffer): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const record of new WARCParser(Readable.from([bytes])) as AsyncIterable<WARCRecord>) {
    const payload = Buffer.from(await record.readFully(false));
    const headers = new Map<string, string>();
    // warcio keeps them as a Map (or Headers): both iterate as [name, value].
    for (const [k, v] of (record.httpHeaders?.headers ?? new Map<string, string>()) as Iterable<[string, string]>) headers.set(k.toLowerCase(), v);
    records.push({
      type: record.warcType ?? null,
      uri: record.warcTargetURI ?? null,
      id: record.warcHeader("WARC-Record-ID") ?? null,
      concurrentTo: record.warcHeader("WARC-Concurrent-To") ?? null,
      payloadDigest: record.warcHeader("WARC-Payload-Digest") ?? null,
      ipAddress: record.warcHeader("WARC-IP-Address") ?? null,
      statusline: record.httpHeaders?.statusline,
      headers,
      payload,
    });
  }
  return records;
}

for (const target of databaseTargets()) {
  describe(`web capture on ${target.name}`, () => {
    let services: TestServices;
    let site: Site;
    let dataDir: string;
    let orgId: string;
    let admin: Actor;
    let editor: Caller;
    let editorActor: Actor;

    /** What must not change when a capture fails: blobs on disk, ledger leaves, records, captures. */
    async function footprint() {
      const count = async (table: "ledger_leaves" | "entities" | "evidence" | "web_captures" | "evidence_links") =>
        Number((await services.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
      return {
        blobs: (await BlobStore.forDataDir(dataDir).listFiles()).length,
        leaves: await count("ledger_leaves"),
        entities: await count("entities"),
        evidence: await count("evidence"),
        captures: await count("web_captures"),
        links: await count("evidence_links"),
      };
    }

    async function refusedWithNothingWritten(url: string, expected: new (...args: never[]) => Error, pattern: RegExp, caller: Caller = editor) {
      const before = await footprint();
      await assert.rejects(captureWebPage(services, NO_ORIGIN, caller, { url }), (error: Error) => {
        assert.ok(error instanceof expected, `${error.constructor.name}: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
      });
      assert.deepEqual(await footprint(), before, "a refused capture leaves no blob, no ledger leaf, no record");
    }

    before(async () => {
      dataDir = tempDir("vigil-capture-test-");
      services = await openTestServices(target, { dataDir, captureTimeoutMs: 30_000, captureMaxBytes: 5 * 1024 * 1024 });
      site = await startSite();
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      await makeKeys(services, orgId);
      const { principal } = await sessionFor(services, org.adminEmail);
      admin = principal.actor;
      const member = await addMember(services, principal, "editor", "editor@watch.example");
      editor = personCaller(member.principal);
      editorActor = member.principal.actor;
    });
    after(async () => {
      await site.close();
      await services.close();
    });

    it("refuses a local address while the organisation has not allowed private addresses", async () => {
      await refusedWithNothingWritten(site.url("/start"), CaptureRefused, /127\.0\.0\.1 is a loopback address, which captures may not reach unless an administrator allows private addresses/);
    });

    it("lets only an administrator allow private addresses", async () => {
      await assert.rejects(setCaptureSettings(services, NO_ORIGIN, editorActor, { allowPrivateAddresses: true }), Forbidden);
      const settings = await setCaptureSettings(services, NO_ORIGIN, admin, { allowPrivateAddresses: true });
      assert.equal(settings.allowPrivateAddresses, true);
    });

    it("captures a page, its redirect, image and stylesheet into the vault, linked to a new Source", async () => {
      const leavesBefore = (await footprint()).leaves;
      const result = await captureWebPage(services, NO_ORIGIN, editor, { url: site.url("/start") });
      assert.equal(result.status, 200);
      assert.equal(result.finalUrl, site.url("/page"));
      assert.equal(result.createdSource, true);
      assert.deepEqual(result.artifacts.map((a) => [a.role, a.mediaType]), [["warc", "application/warc"], ["screenshot", "image/png"], ["html", "text/html"], ["text", "text/plain"]]);

      // The Source, made through the records service.
      const source = await getEntity(services, NO_ORIGIN, editorActor, result.sourceId);
      assert.equal(source.schema, "Source");
      assert.deepEqual(source.properties.name, [PAGE_TITLE]);
      assert.deepEqual(source.properties.url, [site.url("/start")]);
      assert.deepEqual(source.properties.publishedAt, ["2024-03-05"]);
      assert.deepEqual(source.properties.sourceType, ["web-page"]);

      // Linked: the Source's evidence is exactly the four files.
      const linked = await listRecordEvidence(services, NO_ORIGIN, editor, result.sourceId);
      assert.deepEqual(linked.map((l) => l.evidence.id).sort(), result.artifacts.map((a) => a.id).sort());
      assert.ok(linked.every((l) => l.link.reason === "web capture" && l.link.linkedBy === editorActor.userId));

      // The custody ledger: a "captured" then a "linked" event for each file, naming the capture and the Source.
      const leaves = await services.db.selectFrom("ledger_leaves").select(["idx", "data"]).where("org_id", "=", orgId).where("idx", ">=", leavesBefore).orderBy("idx").execute();
      const events = leaves.map((l) => decodeLeaf(l.data));
      for (const artifact of result.artifacts) {
        const mine = events.filter((e) => e.subject === artifact.id);
        assert.deepEqual(mine.map((e) => e.kind), ["captured", "linked"]);
        assert.equal(mine[0]!.details.capture, result.id);
        assert.equal(mine[0]!.details.role, artifact.role);
        assert.equal(mine[1]!.details.entity, result.sourceId);
        assert.equal(events.indexOf(mine[0]!) + leavesBefore, artifact.ledgerIndex);
      }

      // The WARC: request and response records for every exchange, with the payloads served.
      const warc = await readWarc(await plaintext(services, editor, result.artifacts[0]!.id));
      assert.equal(warc[0]!.type, "warcinfo");
      const responses = new Map(warc.filter((r) => r.type === "response").map((r) => [r.uri, r]));
      const requests = warc.filter((r) => r.type === "request");
      const expected: [string, string, Buffer | string][] = [
        ["/start", "302", Buffer.alloc(0)],
        ["/page", "200", PAGE_HTML],
        ["/style.css", "200", STYLESHEET],
        ["/pixel.png", "200", PIXEL_PNG],
      ];
      for (const [path, status, body] of expected) {
        const response = responses.get(site.url(path));
        assert.ok(response, `a response record for ${path}`);
        assert.match(response.statusline!, new RegExp(`^HTTP/1\\.1 ${status} `));
        assert.equal(response.payloadDigest, `sha256:${sha256Hex(body)}`, `the payload digest of ${path}`);
        assert.equal(response.ipAddress, "127.0.0.1");
        const request = requests.find((r) => r.uri === site.url(path));
        assert.ok(request, `a request record for ${path}`);
        assert.equal(request.concurrentTo, response.id);
        assert.match(request.statusline!, new RegExp(`^GET ${path.replace(".", "\\.")} HTTP/1\\.1$`));
      }
      assert.equal(responses.get(site.url("/start"))!.headers.get("location"), "/page");
      assert.equal(responses.get(site.url("/page"))!.headers.get("x-witness-header"), "kept");
      // The stylesheet came gzip-compressed; the record holds it decoded and says how it came.
      const css = responses.get(site.url("/style.css"))!;
      assert.equal(css.headers.get("x-archive-orig-content-encoding"), "gzip");
      assert.equal(css.headers.get("content-encoding"), undefined);
      assert.equal(css.headers.get("content-length"), String(Buffer.byteLength(STYLESHEET)));

      const screenshot = await plaintext(services, editor, result.artifacts[1]!.id);
      assert.deepEqual([...screenshot.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.match((await plaintext(services, editor, result.artifacts[2]!.id)).toString("utf8"), /<h1>Witnesses describe the camp<\/h1>/);
      const text = (await plaintext(services, editor, result.artifacts[3]!.id)).toString("utf8");
      assert.match(text, /Witnesses describe the camp/);
      assert.match(text, /Seven witnesses saw the transfer at dawn\./);
      assert.doesNotMatch(text, /<p>/);

      // The capture's facts, encrypted with each file.
      const metadata = await readEvidenceMetadata(services, NO_ORIGIN, editor, result.artifacts[1]!.id);
      const capture = metadata.capture as Record<string, unknown>;
      assert.equal(capture.url, site.url("/start"));
      assert.equal(capture.finalUrl, site.url("/page"));
      assert.equal(capture.status, 200);
      assert.equal(capture.capturedAt, services.now().toISOString());
      assert.ok((capture.responseHeaders as [string, string][]).some(([n, v]) => n.toLowerCase() === "x-witness-header" && v === "kept"));

      const view = await getCapture(services, NO_ORIGIN, editor, result.id);
      assert.deepEqual(view.artifacts.map((a) => a.evidenceId), result.artifacts.map((a) => a.id));
      assert.equal(view.resources, 4);
    });

    it("captures for an existing Source without making another", async () => {
      const existing = await createEntity(services, NO_ORIGIN, editorActor, { schema: "Source", properties: { name: ["Witness blog"] } });
      const entitiesBefore = (await footprint()).entities;
      const result = await captureWebPage(services, NO_ORIGIN, editor, { url: site.url("/page"), source: existing.id });
      assert.equal(result.sourceId, existing.id);
      assert.equal(result.createdSource, false);
      assert.equal((await footprint()).entities, entitiesBefore);
      assert.equal((await listRecordEvidence(services, NO_ORIGIN, editor, existing.id)).length, 4);
    });

    it("keeps a 404 page as it is, with its status: a removed post is evidence too", async () => {
      const result = await captureWebPage(services, NO_ORIGIN, editor, { url: site.url("/removed-post") });
      assert.equal(result.status, 404);
      assert.match((await plaintext(services, editor, result.artifacts.find((a) => a.role === "text")!.id)).toString("utf8"), /This post was removed\./);
      assert.equal((await getCapture(services, NO_ORIGIN, editor, result.id)).status, 404);
    });

    it("refuses file:// and other schemes, and addresses that are not addresses", async () => {
      await refusedWithNothingWritten("file:///etc/passwd", CaptureRefused, /only http and https pages can be captured/);
      await refusedWithNothingWritten("javascript:alert(1)", CaptureRefused, /only http and https pages can be captured/);
      await refusedWithNothingWritten("ftp://127.0.0.1/report.pdf", CaptureRefused, /only http and https pages can be captured/);
      await refusedWithNothingWritten("not a web address", Invalid, /some fields are not valid/);
      await refusedWithNothingWritten("http://user:secret@127.0.0.1/", CaptureRefused, /user name or password/);
    });

    it("refuses a redirect to file://, with nothing written", async () => {
      await refusedWithNothingWritten(site.url("/to-file"), CaptureRefused, /redirects to an address that is not http or https/);
    });

    it("refuses a redirect to a cloud metadata address even with private addresses allowed", async () => {
      await refusedWithNothingWritten(site.url("/to-metadata"), CaptureRefused, /169\.254\.169\.254 is a cloud metadata service/);
    });

    it("refuses a name that resolves to a private address among public ones or turns private after the check, and says when a name does not exist", async () => {
      await setCaptureSettings(services, NO_ORIGIN, admin, { allowPrivateAddresses: false });
      try {
        const before = await footprint();
        const mixed = async () => [{ address: "93.184.215.14", family: 4 }, { address: "10.1.2.3", family: 4 }];
        await assert.rejects(captureWebPage(services, NO_ORIGIN, editor, { url: "https://news.example/article" }, { resolve: mixed }), /news\.example \(10\.1\.2\.3\) is a private address/);
        const missing = async () => {
          throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
        };
        await assert.rejects(captureWebPage(services, NO_ORIGIN, editor, { url: "https://no-such-site.example/" }, { resolve: missing }), (error: Error) => error instanceof Unreachable && /does not exist/.test(error.message));
        // DNS rebinding: public when Vigil checks the address, loopback when the browser connects. The
        // browser connects only through the proxy, which resolves once and connects to what it checked.
        let answers = 0;
        const port = new URL(site.url("/")).port;
        const rebinding = async () => (answers++ === 0 ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]);
        await assert.rejects(captureWebPage(services, NO_ORIGIN, editor, { url: `http://rebind.example:${port}/page` }, { resolve: rebinding }), (error: Error) => {
          assert.ok(error instanceof CaptureRefused, error.message);
          assert.match(error.message, /rebind\.example \(127\.0\.0\.1\) is a loopback address/);
          return true;
        });
        assert.ok(answers >= 2, "the proxy asked again, and refused what it was told");
        assert.deepEqual(await footprint(), before);
      } finally {
        await setCaptureSettings(services, NO_ORIGIN, admin, { allowPrivateAddresses: true });
      }
    });

    it("gives up on a page that does not answer in time, with a clear error and nothing written", async () => {
      const patient = services.config.captureTimeoutMs;
      services.config.captureTimeoutMs = 2_000;
      try {
        await refusedWithNothingWritten(site.url("/hangs"), CaptureTimeout, /did not finish loading within 2 seconds: nothing was kept/);
      } finally {
        services.config.captureTimeoutMs = patient;
      }
    });

    it("stops a capture larger than the limit, with nothing written", async () => {
      const roomy = services.config.captureMaxBytes;
      services.config.captureMaxBytes = 100_000;
      try {
        await refusedWithNothingWritten(site.url("/heavy"), CaptureTooLarge, /larger than the capture limit of 100000 bytes/);
      } finally {
        services.config.captureMaxBytes = roomy;
      }
    });

    it("says so when the site refuses the connection", async () => {
      await refusedWithNothingWritten("http://127.0.0.1:9/", CaptureFailed, /could not be loaded \(ERR_/);
    });

    it("refuses viewers and partners, and a Source they may not know of", async () => {
      const { principal } = await sessionFor(services, "admin@watch.example");
      const viewer = personCaller((await addMember(services, principal, "viewer", "viewer@watch.example")).principal);
      const partner = personCaller((await addMember(services, principal, "partner", "partner@watch.example")).principal);
      await refusedWithNothingWritten(site.url("/page"), Forbidden, /not allowed/, viewer);
      await refusedWithNothingWritten(site.url("/page"), Forbidden, /not allowed/, partner);

      const secret = await createEntity(services, NO_ORIGIN, admin, { schema: "Source", properties: { name: ["Protected witness"] }, restricted: true });
      const before = await footprint();
      await assert.rejects(captureWebPage(services, NO_ORIGIN, editor, { url: site.url("/page"), source: secret.id }), NotFound);
      const outsiderOrg = await addOrganisation(services, "elsewhere");
      const outsider = personCaller((await sessionFor(services, outsiderOrg.adminEmail)).principal);
      await assert.rejects(captureWebPage(services, NO_ORIGIN, outsider, { url: site.url("/page"), source: secret.id }), NotFound);
      assert.deepEqual(await footprint(), before);
    });
  });
}
