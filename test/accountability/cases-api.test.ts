import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueTokenForUser } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { openZip } from "../../src/core/index.ts";
import { operatorCaller, receiveEvidence } from "../../src/evidence/index.ts";
import { createEntity } from "../../src/records/index.ts";
import { verifyBundleFile } from "../../src/accountability/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { makeKeys, tempDir } from "../evidence/helpers.ts";

for (const target of databaseTargets()) {
  describe(`the legal cases' API and pages on ${target.name}`, () => {
    let services: TestServices;
    let dir = "";
    let editorToken = "";
    let viewerToken = "";
    let outsiderToken = "";
    let personId = "";
    let evidenceId = "";

    before(async () => {
      dir = tempDir("vigil-cases-api-");
      services = await openTestServices(target, { dataDir: dir });
      const org = await setUpOrganisation(services);
      await makeKeys(services, org.orgId);
      const admin = (await sessionFor(services, org.adminEmail)).principal;
      await addMember(services, admin, "editor", "editor@watch.example");
      await addMember(services, admin, "viewer", "viewer@watch.example");
      await addOrganisation(services, "elsewhere");
      editorToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "editor@watch.example", name: "script", scopes: ["read", "write"] })).token;
      viewerToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "viewer@watch.example", name: "script", scopes: ["read"] })).token;
      outsiderToken = (await issueTokenForUser(services, NO_ORIGIN, { email: "admin@elsewhere.example", name: "script", scopes: ["admin"] })).token;
      personId = (await createEntity(services, NO_ORIGIN, admin.actor, { schema: "Person", properties: { name: ["Zumrat Dawut"] } })).id;
      evidenceId = (await receiveEvidence(services, NO_ORIGIN, operatorCaller(org.orgId), { source: [Buffer.from("her testimony")], filename: "t.txt", claimedType: "text/plain" })).id;
    });

    after(async () => {
      await services?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function call(token: string, method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = { host: "vigil.test", authorization: `Bearer ${token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      return createApp(services).request(`http://vigil.test${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    }

    it("builds a case, refuses a bundle without consent as problem+json naming the exhibit, and streams one with it", async () => {
      const created = await call(editorToken, "POST", "/api/v1/cases", { name: "Dawut v. X", forum: "civil-court", claims: ["forced sterilisation"] });
      assert.equal(created.status, 201);
      const id = ((await created.json()) as { id: string }).id;
      assert.equal(created.headers.get("location"), `/api/v1/cases/${id}`);
      const party = (await (await call(editorToken, "POST", `/api/v1/cases/${id}/parties`, { person: personId, role: "plaintiff", label: "P-1" })).json()) as { id: string };
      const exhibit = await call(editorToken, "POST", `/api/v1/cases/${id}/exhibits`, { evidence: evidenceId, label: "E-1", party: party.id });
      assert.equal(exhibit.status, 201);
      const exhibitId = ((await exhibit.json()) as { id: string }).id;

      const refused = await call(editorToken, "POST", `/api/v1/cases/${id}/bundles`, { exhibits: [exhibitId], purpose: "court", mode: "decrypted" });
      assert.equal(refused.status, 409);
      assert.equal(refused.headers.get("content-type"), "application/problem+json");
      assert.match(((await refused.json()) as { detail: string }).detail, /exhibit E-1 \(P-1 has not given consent to use-testimony\)/);

      assert.equal((await call(editorToken, "POST", `/api/v1/cases/${id}/consents`, { party: party.id, scope: "use-testimony", kind: "withdrawn", effectiveAt: "2026-05-01", note: "x" })).status, 422);
      assert.equal((await call(editorToken, "POST", `/api/v1/cases/${id}/consents`, { party: party.id, scope: "use-testimony", kind: "given", effectiveAt: "2026-05-01" })).status, 201);
      const wrong = await call(editorToken, "POST", `/api/v1/cases/${id}/bundles`, { exhibits: [exhibitId], purpose: "court", mode: "reencrypted", recipient: "age1qqqq" });
      assert.equal(wrong.status, 422);
      assert.ok("recipient" in ((await wrong.json()) as { errors: Record<string, string> }).errors);

      const bundle = await call(editorToken, "POST", `/api/v1/cases/${id}/bundles`, { exhibits: [exhibitId], purpose: "court", mode: "decrypted" });
      assert.equal(bundle.status, 200);
      assert.equal(bundle.headers.get("content-type"), "application/zip");
      const path = join(dir, "api.zip");
      writeFileSync(path, Buffer.from(await bundle.arrayBuffer()));
      const zip = await openZip(path);
      try {
        assert.equal((await zip.read("exhibits/E-1.txt")).toString(), "her testimony");
      } finally {
        await zip.close();
      }
      assert.ok((await verifyBundleFile(path)).ok);

      const file = (await (await call(viewerToken, "GET", `/api/v1/cases/${id}`)).json()) as { bundles: unknown[]; parties: { history: unknown[] }[] };
      assert.equal(file.bundles.length, 1);
      assert.equal(file.parties[0]!.history.length, 1);
      // A viewer reads but may not export; another organisation does not see the case at all.
      assert.equal((await call(viewerToken, "POST", `/api/v1/cases/${id}/bundles`, { exhibits: [exhibitId], purpose: "court", mode: "decrypted" })).status, 403);
      assert.equal((await call(outsiderToken, "GET", `/api/v1/cases/${id}`)).status, 404);
      assert.equal((await call(outsiderToken, "POST", `/api/v1/cases/${id}/bundles`, { exhibits: [exhibitId], purpose: "court", mode: "decrypted" })).status, 404);
      assert.deepEqual(((await (await call(outsiderToken, "GET", "/api/v1/cases")).json()) as { items: unknown[] }).items, []);
    });

    it("walks the pages without script: a case, a witness, consent and a refused export that says why", async () => {
      const client = Client.for(services);
      await client.signIn("editor@watch.example");
      const created = await client.submit("/cases", "/cases", { name: "Page case", forum: "icc", court: "", jurisdiction: "", caseNumber: "", claims: "", defendants: "" });
      assert.equal(created.status, 303);
      const path = created.headers.get("location")!;
      assert.equal((await client.submit(path, `${path}/parties`, { person: personId, role: "witness", label: "W-1" })).status, 303);
      const page = await (await client.get(path)).text();
      const party = /<option value="([0-9a-f-]{36})"[^>]*>W-1/.exec(page)![1]!;
      assert.equal((await client.submit(path, `${path}/exhibits`, { evidence: evidenceId, label: "E-1", description: "", party })).status, 303);
      const exhibit = /name="exhibits" value="([0-9a-f-]{36})"/.exec(await (await client.get(path)).text())![1]!;
      const refused = await client.submit(path, `${path}/bundle`, { exhibits: [exhibit], purpose: "counsel", mode: "decrypted", recipient: "" });
      assert.equal(refused.status, 409);
      assert.match(await refused.text(), /E-1: W-1 has not given consent to sharing with counsel/i);
      const badConsent = await client.submit(path, `${path}/consent`, { party, scope: "share-with-counsel", kind: "withdrawn", effectiveAt: "2026-05-01", note: "" });
      assert.equal(badConsent.status, 422);
      assert.equal((await client.submit(path, `${path}/consent`, { party, scope: "share-with-counsel", kind: "given", effectiveAt: "2026-05-01", note: "by phone" })).status, 303);
      const exported = await client.submit(path, `${path}/bundle`, { exhibits: [exhibit], purpose: "counsel", mode: "decrypted", recipient: "" });
      assert.equal(exported.status, 200);
      assert.equal(exported.headers.get("content-type"), "application/zip");
      await exported.arrayBuffer();
      // The case is a record too: its page and its editor (forum, claims, defendants…) are the records'.
      const record = path.replace("/cases/", "/records/");
      assert.equal((await client.get(record)).status, 200);
      const editor = await (await client.get(`${record}/edit`)).text();
      for (const property of ["forum", "claims", "defendants"]) assert.match(editor, new RegExp(`id="prop-${property}"`));
      const viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      const viewed = await (await viewer.get(path)).text();
      assert.doesNotMatch(viewed, /action="[^"]*\/bundle"/, "a viewer is not offered the export");
      assert.match(viewed, /W-1/);
    });
  });
}
