import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, setArchived, updateEntity, visibleRecords } from "../../src/records/index.ts";
import { sql } from "kysely";
import { MATCH_CAP, MAX_RANKED, reindexSearch, searchRecords, SearchParamsSchema, snippetHtml, type SearchResult } from "../../src/search/index.ts";
import { parseQuery } from "../../src/search/query.ts";
import { isCommonQuery, rankedQuery } from "../../src/search/search.ts";
import { runInProcess } from "../../src/cli/main.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-search", ip: null, userAgent: "test" };

const ids = (r: SearchResult) => r.hits.map((h) => h.id);

for (const target of databaseTargets()) {
  describe(`search on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    const made: Record<string, string> = {};
    const search = (actor: Actor, params: Record<string, unknown>) => searchRecords(services, FROM, actor, params);

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const { principal } = await sessionFor(services, org.adminEmail);
      admin = principal.actor;
      researcher = (await addMember(services, principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, principal, "partner", "partner@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;

      const create = async (key: string, actor: Actor, body: Record<string, unknown>) => {
        made[key] = (await createEntity(services, FROM, actor, body)).id;
      };
      await create("tohti", admin, { schema: "Person", properties: { name: ["Ilham Tohti"], description: ["Economist, sentenced in 2014. vigilcommon"] } });
      await create("aksu", admin, { schema: "Address", properties: { name: ["Aksu detention centre"], full: ["Aksu, East Turkestan"] } });
      await create("hiddenPlace", researcher, { schema: "Address", restricted: true, properties: { name: ["Unnamed site near Hotan"] } });
      await create("testimony", admin, {
        schema: "Source",
        properties: {
          name: ["Testimony T-12"],
          bodyText: ["The witness saw him taken to the Kaşgar détention centre in 2017; his café was closed. vigilcommon"],
          description: ["vigilcommon"],
        },
      });
      await create("chinese", admin, { schema: "Source", properties: { name: ["法院文件 D-3"], bodyText: ["伊力哈木·土赫提被判处无期徒刑。vigilcommon"] } });
      await create("uyghur", admin, { schema: "Source", properties: { name: ["گۇۋاھلىق"], bodyText: ["ئۇ ئۈرۈمچىدە تۇتقۇن قىلىندى vigilcommon"] } });
      await create("incident", admin, {
        schema: "Incident",
        properties: {
          name: ["Arrest at Aksu"],
          violation: ["arbitrary-arrest", { value: "torture", sensitivity: "restricted" }],
          startDate: ["2017-03"],
          endDate: ["2019"],
          place: [made.aksu!, made.hiddenPlace!],
          description: ["vigilcommon", { value: "codeword quillfeather", sensitivity: "restricted" }],
        },
      });
      await create("restricted", researcher, { schema: "Incident", restricted: true, properties: { name: ["Night raid"], violation: ["enforced-disappearance"], description: ["zephyrine vigilcommon"], startDate: ["2018"] } });
      await create("secretive", admin, { schema: "Person", properties: { name: ["Witness W-7", { value: "Mihrigul Tursun", sensitivity: "secret" }], description: ["vigilcommon"] } });
      await create("archived", admin, { schema: "Person", properties: { name: ["Abandoned Entry"], description: ["palimpsest vigilcommon"] } });
      await setArchived(services, FROM, admin, made.archived!, true, { reason: "entered twice" });
      await create("xss", admin, { schema: "Source", properties: { name: ["<b>Bold</b> source"], bodyText: ['<script>alert("x")</script> & a pomegranate grove'] } });
      await createEntity(services, FROM, outsider, { schema: "Person", properties: { name: ["Ilham Tohti"], description: ["zephyrine elsewhere vigilcommon"] } });
    });
    after(async () => {
      await services.close();
    });

    it("finds a word of a testimony, unaccented, and marks it in the snippet", async () => {
      const r = await search(admin, { q: "detention Kasgar cafe" });
      assert.deepEqual(ids(r), [made.testimony]);
      const snippet = r.hits[0]!.snippet!;
      assert.equal(snippet.property, "bodyText");
      assert.deepEqual(snippet.parts.filter((p) => p.match).map((p) => p.text), ["Kaşgar", "détention", "café"]);
      // Turkic ş is also read spelled out: Kashgar finds Kaşgar.
      assert.deepEqual(ids(await search(admin, { q: "KASHGAR" })), [made.testimony]);
    });

    it("finds Chinese words inside a run of characters, and Uyghur words", async () => {
      assert.deepEqual(ids(await search(admin, { q: "无期徒刑" })), [made.chinese]);
      // 土赫提 is also the surname of a person on record, whom the names engine finds as Tohti.
      const surname = await search(admin, { q: "土赫提" });
      assert.deepEqual(new Set(ids(surname)), new Set([made.chinese, made.tohti]));
      assert.deepEqual(surname.hits.find((h) => h.id === made.chinese)!.snippet!.parts.filter((p) => p.match).map((p) => p.text), ["土赫提"]);
      // Characters that are never next to each other do not match as a phrase.
      assert.deepEqual(ids(await search(admin, { q: "提无" })), []);
      const r = await search(admin, { q: "ئۈرۈمچىدە" });
      assert.deepEqual(ids(r), [made.uyghur]);
      assert.deepEqual(r.hits[0]!.snippet!.parts.filter((p) => p.match).map((p) => p.text), ["ئۈرۈمچىدە"]);
      // A prefix reaches the inflected form: ئۈرۈمچى* finds ئۈرۈمچىدە ("in Ürümchi").
      assert.deepEqual(ids(await search(admin, { q: "ئۈرۈمچى*" })), [made.uyghur]);
    });

    it("finds a person by any spelling of the name through the names engine, ranked first", async () => {
      for (const spelling of ["ئىلھام توختى", "Ilham Toxti", "伊力哈木·土赫提", "ilham tohti"]) {
        const r = await search(admin, { q: spelling });
        assert.equal(r.hits[0]?.id, made.tohti, `${spelling} → ${JSON.stringify(r.hits.map((h) => h.caption))}`);
        assert.ok(r.hits[0]!.nameMatch && r.hits[0]!.nameMatch.score >= 0.7, spelling);
      }
      // The Chinese spelling finds the person by name and the court document by its text, in one list.
      const both = ids(await search(admin, { q: "伊力哈木·土赫提" }));
      assert.deepEqual(new Set(both), new Set([made.tohti, made.chinese]));
    });

    it("never reveals a restricted record to a viewer who is not on its access list: results, counts and facets", async () => {
      for (const actor of [admin, researcher]) {
        const r = await search(actor, { q: "zephyrine" });
        assert.deepEqual(ids(r), [made.restricted]);
        assert.deepEqual(r.facets.violation.map(({ value, count }) => ({ value, count })), [{ value: "enforced-disappearance", count: 1 }]);
        assert.equal(r.facets.violation[0]!.term?.labels["zh-Hans"], "强迫失踪");
      }
      const hidden = await search(viewer, { q: "zephyrine" });
      assert.deepEqual(hidden.hits, []);
      assert.equal(hidden.total, 0);
      assert.deepEqual(hidden.facets, { schema: [], violation: [], place: [], year: [], sensitivity: [] });
      // The other organisation's record with the same word is never ours to see.
      assert.deepEqual(ids(await search(outsider, { q: "zephyrine" })).length, 1);
      assert.notEqual(ids(await search(outsider, { q: "zephyrine" }))[0], made.restricted);
    });

    it("matches, facets and counts a restricted value only for those who may read it", async () => {
      assert.deepEqual(ids(await search(admin, { q: "quillfeather" })), [made.incident]);
      assert.deepEqual(ids(await search(viewer, { q: "quillfeather" })), []);
      assert.deepEqual(ids(await search(researcher, { q: "quillfeather" })), [], "the researcher is not on this record's list");
      const seen = await search(admin, { q: "Arrest Aksu", schema: "Incident" });
      assert.deepEqual(seen.facets.violation.map((v) => v.value).sort(), ["arbitrary-arrest", "torture"]);
      assert.deepEqual(seen.facets.sensitivity, [{ value: "restricted", count: 1 }]);
      const unseen = await search(viewer, { q: "Arrest Aksu", schema: "Incident" });
      assert.deepEqual(ids(unseen), [made.incident]);
      assert.deepEqual(unseen.facets.violation.map(({ value, count }) => ({ value, count })), [{ value: "arbitrary-arrest", count: 1 }]);
      assert.deepEqual(unseen.facets.sensitivity, [{ value: "internal", count: 1 }]);
      assert.deepEqual(ids(await search(viewer, { q: "Arrest Aksu", violation: "torture" })), []);
      // The restricted place is a facet for the researcher who may see it, never for the viewer.
      assert.deepEqual(unseen.facets.place.map((p) => p.label), ["Aksu detention centre"]);
      const onList = await search(researcher, { q: "Arrest Aksu", schema: "Incident" });
      assert.deepEqual(onList.facets.place.map((p) => p.label).sort(), ["Aksu detention centre", "Unnamed site near Hotan"]);
      const filtered = await search(viewer, { q: "arrest", place: made.aksu });
      assert.deepEqual(ids(filtered), [made.incident]);
    });

    it("facets by year from the record's dates, its whole span included", async () => {
      const r = await search(admin, { q: "Arrest Aksu", schema: "Incident" });
      assert.deepEqual(r.facets.year.map((y) => y.value), ["2019", "2018", "2017"]);
      assert.deepEqual(ids(await search(admin, { q: "arrest", year: "2018" })), [made.incident]);
      assert.deepEqual(ids(await search(admin, { q: "arrest", year: "2016" })), []);
    });

    it("never indexes a secret value in clear, for anyone", async () => {
      for (const actor of [admin, viewer]) assert.deepEqual(ids(await search(actor, { q: "Mihrigul" })), []);
      assert.deepEqual(ids(await search(admin, { q: "W-7" })), [made.secretive]);
      const [row] = (await services.db.selectFrom("statements").select("value").where("entity_id", "=", made.secretive!).where("sensitivity", "=", "secret").execute());
      assert.equal(row!.value, null);
    });

    it("leaves archived records out unless asked", async () => {
      assert.deepEqual(ids(await search(admin, { q: "palimpsest" })), []);
      assert.deepEqual(ids(await search(admin, { q: "palimpsest", archived: "include" })), [made.archived]);
      assert.deepEqual(ids(await search(admin, { q: "palimpsest", archived: "only" })), [made.archived]);
      assert.equal((await search(admin, { q: "palimpsest", archived: "only" })).hits[0]!.archived, true);
    });

    it("escapes what it shows: snippets and titles are text, the API's HTML is escaped", async () => {
      const r = await search(admin, { q: "pomegranate" });
      assert.deepEqual(ids(r), [made.xss]);
      const html = snippetHtml(r.hits[0]!.snippet!);
      assert.equal(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; a <mark>pomegranate</mark> grove");
      assert.equal(r.hits[0]!.caption, "<b>Bold</b> source");
    });

    it("finds exactly the records a caller may see, as the records service lists them", async () => {
      for (const actor of [admin, researcher, viewer]) {
        const r = await search(actor, { q: "vigilcommon", limit: 50 });
        const listed = await visibleRecords(services.db, actor).where("e.archived_at", "is", null).select("e.id").execute();
        const expected = new Set(listed.map((e) => e.id).filter((id) => Object.values(made).includes(id) && ["tohti", "testimony", "chinese", "uyghur", "incident", "restricted", "secretive"].some((k) => made[k] === id)));
        assert.deepEqual(new Set(ids(r)), expected, actor.role);
        assert.equal(r.total, expected.size);
        assert.equal(r.relation, "eq");
        assert.equal(r.facets.schema.reduce((n, f) => n + f.count, 0), expected.size);
      }
    });

    it("follows changes: an edit replaces the words, restricting hides, archiving removes", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Gulmira Imin"], description: ["quartzite"] } });
      assert.deepEqual(ids(await search(viewer, { q: "quartzite" })), [person.id]);
      await updateEntity(services, FROM, admin, person.id, { revision: 1, reason: "correct", properties: { description: ["obsidian"] } });
      assert.deepEqual(ids(await search(viewer, { q: "quartzite" })), []);
      assert.deepEqual(ids(await search(viewer, { q: "obsidian" })), [person.id]);
      await updateEntity(services, FROM, admin, person.id, { revision: 2, reason: "need to know", restricted: true });
      assert.deepEqual(ids(await search(viewer, { q: "obsidian" })), []);
      assert.deepEqual(ids(await search(admin, { q: "obsidian" })), [person.id]);
      // The database keeps the document's permission columns in step even when code forgets to.
      await services.db.updateTable("entities").set({ restricted: false }).where("id", "=", person.id).execute();
      assert.deepEqual(ids(await search(viewer, { q: "obsidian" })), [person.id]);
      await setArchived(services, FROM, admin, person.id, true, { reason: "test" });
      assert.deepEqual(ids(await search(viewer, { q: "obsidian" })), []);
    });

    it("refuses bad input with a clear error, and treats query syntax as plain text", async () => {
      const refused = async (q: string, field: RegExp) => {
        const error = await search(admin, { q }).then(() => null, (e: unknown) => e);
        assert.ok(error instanceof Invalid, `${JSON.stringify(q.slice(0, 20))} was not refused`);
        assert.match(error.fields.q ?? "", field);
      };
      await refused("", /type words/);
      await refused("   ", /type words/);
      await refused("x".repeat(10_000), /at most 500 characters/);
      await refused("!!! ??? ... ---", /no letters or digits/);
      await refused("& | ! ( ) : * <-> <=> :*", /no letters or digits/);
      await refused(Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "), /at most 32 words/);
      // Operators typed into the box are punctuation: this is the words "pomegranate" and "grove".
      assert.deepEqual(ids(await search(admin, { q: "pomegranate:* & !grove | (<->" })), [made.xss]);
      assert.deepEqual(ids(await search(admin, { q: "'; DROP TABLE search_documents; --" })), []);
      await assert.rejects(search(admin, { q: "arrest", schema: "Nonsense" }), Invalid);
      await assert.rejects(search(admin, { q: "arrest", place: "not-a-uuid" }), Invalid);
      await assert.rejects(search(admin, { q: "arrest", page: "0" }), Invalid);
      await assert.rejects(search(admin, { q: "arrest", unknown: "1" }), Invalid);
    });

    it("reads a word found in most records in table order, and finds what the index finds", async () => {
      await sql`ANALYZE search_documents`.execute(services.db);
      // The statistics are read again once the cached reading is a few minutes old.
      services.clock.advanceSeconds(600);
      const query = parseQuery("vigilcommon");
      assert.ok(query.ok);
      const params = SearchParamsSchema.parse({ q: "vigilcommon" });
      assert.equal(await isCommonQuery(services, query.query, params), true);
      assert.equal(await isCommonQuery(services, query.query, SearchParamsSchema.parse({ q: "vigilcommon", schema: "Person" })), false, "filters have their own index");
      const rare = parseQuery("zephyrine");
      assert.ok(rare.ok);
      assert.equal(await isCommonQuery(services, rare.query, params), false);
      for (const actor of [admin, viewer]) {
        const byIndex: unknown = (await rankedQuery(actor, query.query, params).execute(services.db)).rows[0];
        const inOrder: unknown = (await rankedQuery(actor, query.query, params, { sequential: true }).execute(services.db)).rows[0];
        assert.deepEqual(inOrder, byIndex);
      }
    });

    it("says 'more than' when more records match than a search reads, and still counts what it read exactly", async () => {
      // MATCH_CAP + 10 people written straight to the tables, then indexed by the real indexer.
      const orgId = admin.orgId;
      await sql`INSERT INTO entities (id, org_id, schema) SELECT md5('cap' || g)::uuid, ${orgId}, 'Person' FROM generate_series(1, ${MATCH_CAP + 10}) g`.execute(services.db);
      await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision)
                SELECT gen_random_uuid(), ${orgId}, md5('cap' || g)::uuid, 'name', 'Multitude ' || g, 'internal', 1 FROM generate_series(1, ${MATCH_CAP + 10}) g`.execute(services.db);
      await reindexSearch(services, orgId);
      const r = await search(viewer, { q: "multitude" });
      assert.equal(r.relation, "gte");
      assert.equal(r.total, MATCH_CAP);
      assert.equal(r.hits.length, 20);
      assert.equal(r.pages, MAX_RANKED / 20);
      const exact = await search(viewer, { q: "multitude 17" });
      assert.deepEqual([exact.relation, exact.total], ["eq", 1]);
      await sql`UPDATE entities SET archived_at = now(), archive_reason = 'test' WHERE id IN (SELECT md5('cap' || g)::uuid FROM generate_series(1, ${MATCH_CAP + 10}) g)`.execute(services.db);
    });

    it("refuses a partner, who reads no records", async () => {
      await assert.rejects(search(partner, { q: "arrest" }), Forbidden);
    });

    it("pages through results and rebuilds the same documents from the records", async () => {
      const first = await search(admin, { q: "vigilcommon", limit: 2 });
      const second = await search(admin, { q: "vigilcommon", limit: 2, page: 2 });
      assert.equal(first.hits.length, 2);
      assert.equal(first.pages, Math.ceil(first.total / 2));
      assert.equal(new Set([...ids(first), ...ids(second)]).size, 4);
      const before = await services.db.selectFrom("search_documents" as never).selectAll().orderBy("entity_id" as never).execute();
      await services.db.deleteFrom("search_documents" as never).execute();
      // As an operator does after an upgrade: `vigil search reindex --org SLUG`.
      const run = await runInProcess(services, ["search", "reindex", "--org", "watch"], "");
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(run.stdout, /indexed \d+ records for search/);
      await reindexSearch(services, outsider.orgId);
      const after = await services.db.selectFrom("search_documents" as never).selectAll().orderBy("entity_id" as never).execute();
      assert.deepEqual(after, before);
    });
  });
}
