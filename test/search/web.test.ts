import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { SearchResponseSchema } from "../../src/web/openapi.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

const FROM: Origin = { requestId: "req-search-web", ip: null, userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`the search page and GET /api/v1/search on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let viewer: Client;
    let adminClient: Client;
    let partner: Client;
    const made: Record<string, string> = {};

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const session = await sessionFor(services, org.adminEmail);
      admin = session.principal.actor;
      const researcher = (await addMember(services, session.principal, "researcher", "researcher@watch.example")).principal.actor;
      await addMember(services, session.principal, "viewer", "viewer@watch.example");
      await addMember(services, session.principal, "partner", "partner@watch.example");
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      adminClient = Client.for(services);
      await adminClient.signIn(org.adminEmail);
      partner = Client.for(services);
      await partner.signIn("partner@watch.example");
      made.xss = (await createEntity(services, FROM, admin, { schema: "Source", properties: { name: ['<img src=x onerror="alert(1)"> testimony'], bodyText: ['<script>alert("x")</script> taken from the orchard at night'] } })).id;
      made.hidden = (await createEntity(services, FROM, researcher, { schema: "Incident", restricted: true, properties: { name: ["Orchard raid"], description: ["orchard"], violation: ["torture"] } })).id;
      for (let i = 0; i < 25; i++) await createEntity(services, FROM, admin, { schema: "Incident", properties: { name: [`Arrest number ${i}`], violation: [i % 2 ? "arbitrary-arrest" : "arbitrary-detention"], startDate: [`${2015 + (i % 3)}`] } });
    });
    after(async () => {
      await services.close();
    });

    it("answers the API in the documented shape, with the restricted record left out for a viewer", async () => {
      const res = await viewer.get(`/api/v1/search?q=${encodeURIComponent("orchard")}`);
      assert.equal(res.status, 200);
      const body = SearchResponseSchema.parse(await res.json());
      assert.deepEqual(body.results.map((r) => r.id), [made.xss]);
      assert.deepEqual(body.total, { value: 1, relation: "eq" });
      assert.equal(body.results[0]!.snippet!.html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; taken from the <mark>orchard</mark> at night");
      assert.deepEqual(body.facets.violation, []);
      const adminBody = SearchResponseSchema.parse(await (await adminClient.get("/api/v1/search?q=orchard")).json());
      assert.deepEqual(new Set(adminBody.results.map((r) => r.id)), new Set([made.xss, made.hidden]));
      assert.deepEqual(adminBody.facets.violation, [{ value: "torture", count: 1, labels: { en: "Torture", ug: "قىيىن-قىستاق", "zh-Hans": "酷刑" } }]);
    });

    it("takes repeated filters and pages", async () => {
      const body = SearchResponseSchema.parse(await (await viewer.get("/api/v1/search?q=arrest&violation=arbitrary-arrest&violation=arbitrary-detention&year=2015&year=2016&limit=5&page=2")).json());
      assert.equal(body.total.value, 17);
      assert.equal(body.pages, 4);
      assert.equal(body.results.length, 5);
      assert.deepEqual(body.facets.year.map((y) => y.value).sort(), ["2015", "2016"]);
    });

    it("refuses bad input as problem+json with the field, never a server error", async () => {
      for (const q of ["", "!!!", "x".repeat(10_000), "& | ! ( ) :* <->"]) {
        const res = await viewer.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 422, q.slice(0, 20));
        assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
        const problem = (await res.json()) as { errors?: Record<string, string> };
        assert.ok(problem.errors?.q, q.slice(0, 20));
      }
      assert.equal((await viewer.get("/api/v1/search?q=orchard&page=abc")).status, 422);
      assert.equal((await viewer.get("/api/v1/search?q=orchard&archived=everything")).status, 422);
      assert.equal((await partner.get("/api/v1/search?q=orchard")).status, 403);
      assert.equal((await Client.for(services).get("/api/v1/search?q=orchard")).status, 401);
    });

    it("shows results with escaped, highlighted snippets, facet links and pages, without script", async () => {
      const res = await viewer.get("/search?q=orchard");
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; taken from the <mark>orchard</mark> at night"), html);
      assert.ok(!html.includes("<script>alert"), "the stored script must never be markup");
      assert.ok(!html.includes('<img src=x'), "the stored markup in a name must never be markup");
      assert.ok(html.includes(`href="/records/${made.xss}"`));
      assert.ok(!html.includes(made.hidden!), "the restricted record leaves no trace on the page");
      assert.ok(!html.includes("Orchard raid"));

      const list = await (await viewer.get("/search?q=arrest&limit=10")).text();
      assert.match(list, /25 records found/);
      assert.ok(list.includes('href="/search?q=arrest&amp;limit=10&amp;violation=arbitrary-arrest"'), "a facet is a link that adds its filter");
      assert.ok(list.includes('href="/search?q=arrest&amp;limit=10&amp;page=2"'), "pages are links");
      const filtered = await (await viewer.get("/search?q=arrest&violation=arbitrary-arrest")).text();
      assert.match(filtered, /12 records found/);
      assert.ok(filtered.includes('href="/search?q=arrest"'), "a chosen filter links to its removal");
    });

    it("offers the search box in the header of every page to those who read records", async () => {
      for (const path of ["/", "/account", "/search"]) assert.match(await (await viewer.get(path)).text(), /<form method="get" action="\/search" role="search" class="top-search">/, path);
      assert.doesNotMatch(await (await partner.get("/account")).text(), /class="top-search"/);
      assert.equal((await partner.get("/search?q=orchard")).status, 403);
      const anonymous = await Client.for(services).get("/search?q=orchard");
      assert.equal(anonymous.status, 303);
    });

    it("speaks Uyghur and Chinese, and shows a bad search on the form", async () => {
      const ug = Client.for(services);
      await ug.signIn("viewer@watch.example");
      await ug.get("/language/ug?back=/search");
      const page = await (await ug.get("/search?q=arrest")).text();
      assert.match(page, /<html lang="ug" dir="rtl">/);
      assert.ok(page.includes("25 خاتىرە تېپىلدى"));
      assert.ok(page.includes("دەپسەندىچىلىك تۈرى"));
      assert.ok(page.includes("خالىغانچە قولغا ئېلىش"), "violation labels in Uyghur");
      await ug.get("/language/zh-Hans?back=/search");
      const bad = await ug.get("/search?q=%21%21%21");
      assert.equal(bad.status, 422);
      const zh = await bad.text();
      assert.ok(zh.includes("搜索内容中没有可查找的字母或数字"), zh);
      const empty = await ug.get("/search");
      assert.equal(empty.status, 200);
      assert.ok((await empty.text()).includes("搜索记录"));
    });
  });
}
