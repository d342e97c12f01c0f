import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

const hrefs = (html: string) => new Set([...html.matchAll(/<main[\s\S]*?<\/main>/g)].flatMap((m) => [...m[0].matchAll(/href="([^"]+)"/g)].map((h) => h[1]!)));

for (const target of databaseTargets()) {
  describe(`the dashboard on ${target.name}`, () => {
    let services: TestServices;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const admin = (await sessionFor(services, org.adminEmail)).principal;
      await addMember(services, admin, "viewer", "viewer@watch.example");
      await addMember(services, admin, "partner", "partner@watch.example");
    });
    after(() => services.close());

    it("leads an administrator to every area, accountability included, and every link opens", async () => {
      const client = Client.for(services);
      await client.signIn("admin@watch.example");
      const html = await (await client.get("/")).text();
      assert.doesNotMatch(html, /coming soon/i);
      const links = hrefs(html);
      for (const path of ["/records", "/evidence", "/screening", "/duplicates", "/monitor", "/officials", "/sanctions", "/sanctions/gaps", "/complicity", "/suppliers", "/dossiers", "/cases"]) {
        assert.ok(links.has(path), `no link to ${path}`);
      }
      for (const path of links) {
        if (!path.startsWith("/") || path.startsWith("/account")) continue;
        const res = await client.get(path);
        assert.equal(res.status, 200, `${path} answered ${res.status}`);
      }
      assert.match(html, /href="\/#accountability"/, "the navigation leads to the accountability area");
    });

    it("shows a viewer only the pages a viewer may open, and a partner none", async () => {
      const viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      const seen = hrefs(await (await viewer.get("/")).text());
      assert.ok(seen.has("/officials") && seen.has("/monitor"));
      assert.ok(!seen.has("/duplicates"), "a viewer is not led to a page that refuses viewers");
      for (const path of seen) {
        if (!path.startsWith("/") || path.startsWith("/account")) continue;
        assert.equal((await viewer.get(path)).status, 200, path);
      }
      const partner = Client.for(services);
      await partner.signIn("partner@watch.example");
      const html = await (await partner.get("/")).text();
      assert.match(html, /only what is shared with you/);
      assert.ok(![...hrefs(html)].some((p) => ["/records", "/officials", "/sanctions", "/cases"].includes(p)));
    });
  });
}
