import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_ORIGIN } from "../../src/context.ts";
import { operatorCaller, sealVault, unsealVault } from "../../src/evidence/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addOrganisation, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { filesUnder, makeKeys, PASSPHRASE, tempDir } from "./helpers.ts";

const LIMIT = 1024 * 1024;

for (const target of databaseTargets()) {
  describe(`evidence over HTTP on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let orgId: string;
    let client: Client;
    let token: string;

    async function rows(): Promise<number> {
      return (await services.db.selectFrom("evidence").select("id").execute()).length;
    }

    function upload(body: BodyInit, headers: Record<string, string>, path = "/api/v1/evidence") {
      return client.request(path, { method: "POST", body, headers: { origin: "http://vigil.test", "x-csrf-token": token, ...headers }, duplex: "half" } as Parameters<Client["request"]>[1]);
    }

    before(async () => {
      dataDir = tempDir();
      services = await openTestServices(target, { dataDir, maxUploadBytes: LIMIT });
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      await makeKeys(services, orgId);
      client = Client.for(services);
      await client.signIn(org.adminEmail);
      token = csrfFrom(await (await client.get("/account")).text());
    });
    after(async () => {
      await services.close();
    });

    it("answers a raw upload with 201 and the ciphertext hash, size and ledger index", async () => {
      const res = await upload(Buffer.from("a witness saw the trucks at night\n"), { "content-type": "application/octet-stream", "x-filename": encodeURIComponent("تەستىق.txt") });
      assert.equal(res.status, 201);
      const body = (await res.json()) as { id: string; sha256: string; size: number; ledgerIndex: number; mediaType: string };
      assert.match(body.sha256, /^[0-9a-f]{64}$/);
      assert.equal(body.size, 34);
      assert.equal(body.mediaType, "text/plain");
      assert.equal(typeof body.ledgerIndex, "number");
      assert.ok(filesUnder(dataDir).some((f) => f.endsWith(`${body.sha256}.age`)));
      const metadata = (await (await client.get(`/api/v1/evidence/${body.id}/metadata`)).json()) as { filename: string };
      assert.equal(metadata.filename, "تەستىق.txt");
      const content = await client.get(`/api/v1/evidence/${body.id}/content`);
      assert.equal(content.status, 200);
      assert.equal(await content.text(), "a witness saw the trucks at night\n");
    });

    it("takes a multipart form upload, streamed", async () => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")], { type: "text/plain" }), "report.pdf");
      const res = await upload(form, {});
      assert.equal(res.status, 201);
      const body = (await res.json()) as { mediaType: string };
      assert.equal(body.mediaType, "application/pdf", "the type comes from the content, not the claimed text/plain");
    });

    it("refuses a declared over-limit upload early with 413, leaving no file and no row", async () => {
      const before = await rows();
      const files = filesUnder(dataDir).length;
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          if (pulled > 40) controller.close();
          else controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      const res = await upload(body, { "content-type": "application/octet-stream", "x-filename": "big.bin", "content-length": String(LIMIT * 3) });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { type: string }).type, "urn:vigil:problem:too-large");
      assert.ok(pulled <= 2, `the body was not read (${pulled} pulls)`);
      const streamed = await upload(Buffer.alloc(LIMIT + 1), { "content-type": "application/octet-stream", "x-filename": "big.bin" });
      assert.equal(streamed.status, 413);
      assert.equal(await rows(), before);
      assert.equal(filesUnder(dataDir).length, files);
    });

    it("refuses a zero-byte upload with 422", async () => {
      const res = await upload(Buffer.alloc(0), { "content-type": "application/octet-stream", "x-filename": "empty.bin" });
      assert.equal(res.status, 422);
    });

    it("accepts uploads while sealed but answers metadata and content with a sealed problem, and the page says so", async () => {
      await sealVault(services, NO_ORIGIN, operatorCaller(orgId));
      const res = await upload(Buffer.from("received while sealed"), { "content-type": "text/plain", "x-filename": "sealed.txt" });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      for (const path of [`/api/v1/evidence/${id}/metadata`, `/api/v1/evidence/${id}/content`]) {
        const refused = await client.get(path);
        assert.equal(refused.status, 503);
        assert.equal(((await refused.json()) as { type: string }).type, "urn:vigil:problem:sealed");
      }
      const page = await client.get(`/evidence/${id}/download`);
      assert.equal(page.status, 503);
      assert.match(await page.text(), /the vault is sealed/);
      assert.match(await (await client.get(`/evidence/${id}`)).text(), /The vault is sealed/);
      await unsealVault(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: PASSPHRASE });
    });

    it("hides one organisation's evidence from another's members", async () => {
      const res = await upload(Buffer.from("ours"), { "content-type": "text/plain", "x-filename": "ours.txt" });
      const { id } = (await res.json()) as { id: string };
      const other = await addOrganisation(services, "elsewhere");
      const outsider = Client.for(services);
      await outsider.signIn(other.adminEmail);
      assert.equal((await outsider.get(`/api/v1/evidence/${id}`)).status, 404);
      assert.equal((await outsider.get(`/evidence/${id}`)).status, 404);
      const list = (await (await outsider.get("/api/v1/evidence")).json()) as { items: unknown[] };
      assert.deepEqual(list.items, []);
    });
  });
}
