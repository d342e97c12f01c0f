import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Invalid, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, grantAccess } from "../../src/records/index.ts";
import { addListMembers, createList } from "../../src/screening/index.ts";
import {
  complicityOf, listComplicity, ownershipGraph, recordComplicity, registerListMatcher, screenSuppliers, supplierReportCsv, unregisterListMatcher,
} from "../../src/accountability/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-complicity", ip: null, userAgent: "test" };

/** An Invalid whose message or one of whose field errors says `pattern`. */
const invalid = (pattern: RegExp) => (e: unknown) => e instanceof Invalid && (pattern.test(e.message) || Object.values(e.fields).some((v) => pattern.test(v)));

for (const target of databaseTargets()) {
  describe(`complicity registry and supplier screening on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    const ids = {} as Record<"source" | "registered" | "finding" | "holding" | "supplier" | "loop1" | "loop2" | "hidden" | "clean", string>;
    const company = async (name: string, country: string, restricted = false) =>
      (await createEntity(services, FROM, admin, { schema: "Company", restricted, properties: { name: [name], country: [country] } })).id;
    const owns = async (owner: string, asset: string, percentage: string, restricted = false) =>
      (await createEntity(services, FROM, admin, { schema: "Ownership", restricted, properties: { owner: [owner], asset: [asset], percentage: [percentage] } })).id;

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const session = await sessionFor(services, org.adminEmail);
      admin = session.principal.actor;
      viewer = (await addMember(services, session.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, session.principal, "partner", "partner@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      ids.source = (await createEntity(services, FROM, admin, { schema: "Source", properties: { name: ["Leaked procurement files, 2019"] } })).id;
      // Registered: Tianshan Vision Technology, a surveillance-technology supplier (CN).
      ids.registered = await company("Tianshan Vision Technology Co., Ltd.", "cn");
      ids.finding = (await recordComplicity(services, FROM, admin, { organization: ids.registered, complicityType: "surveillance-technology", startDate: "2017", source: ids.source, summary: "Supplied cameras to camps" })).id;
      // Two hops: Kashgar Cotton Trading is owned by Aksu Textile Holdings, owned 60% by the registered company.
      ids.holding = await company("Aksu Textile Holdings", "cn");
      ids.supplier = await company("Kashgar Cotton Trading", "cn");
      await owns(ids.registered, ids.holding, "60");
      await owns(ids.holding, ids.supplier, "100");
      // A cycle: Loop One owns Loop Two owns Loop One; Loop Two is owned by nobody registered.
      ids.loop1 = await company("Lanzhou Loop Industries", "cn");
      ids.loop2 = await company("Hami Circle Metals", "cn");
      await owns(ids.loop1, ids.loop2, "50");
      await owns(ids.loop2, ids.loop1, "50");
      // A restricted ownership link: a viewer must not be led through it.
      ids.hidden = await company("Turpan Solar Glass", "cn");
      await owns(ids.registered, ids.hidden, "30", true);
      // An unrelated company.
      ids.clean = await company("Nordic Wool Cooperative", "no");
    });
    after(async () => {
      unregisterListMatcher("test");
      await services.close();
    });

    it("lists findings with their type, organisation, country and sources, filtered by type and country", async () => {
      const all = await listComplicity(services, FROM, viewer, {});
      assert.equal(all.findings.length, 1);
      const [f] = all.findings;
      assert.equal(f!.organization.id, ids.registered);
      assert.deepEqual(f!.types, ["surveillance-technology"]);
      assert.deepEqual(f!.organization.countries, ["cn"]);
      assert.deepEqual(f!.sources.map((s) => s.caption), ["Leaked procurement files, 2019"]);
      assert.equal(f!.startDate, "2017");
      assert.equal((await listComplicity(services, FROM, viewer, { type: "financing" })).findings.length, 0);
      assert.equal((await listComplicity(services, FROM, viewer, { country: "CN" })).findings.length, 1);
      assert.equal((await listComplicity(services, FROM, viewer, { country: "us" })).findings.length, 0);
      assert.deepEqual((await complicityOf(services, FROM, viewer, ids.registered)).map((x) => x.id), [ids.finding]);
      await assert.rejects(listComplicity(services, FROM, viewer, { country: "China!" }), invalid(/country code/));
    });

    it("refuses a finding about a person or with a type outside the vocabulary", async () => {
      const person = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Someone"] } })).id;
      await assert.rejects(recordComplicity(services, FROM, admin, { organization: person, complicityType: "financing" }), /about an organisation/);
      await assert.rejects(recordComplicity(services, FROM, admin, { organization: ids.registered, complicityType: "gossip" }), /type of complicity/);
      await assert.rejects(recordComplicity(services, FROM, viewer, { organization: ids.registered, complicityType: "financing" }), /not allowed|permission|Forbidden/i);
    });

    it("finds a supplier owned two hops up by a registered company, with the path and the evidence", async () => {
      const csv = "Supplier Name,Street Address,Country\nKashgar Cotton Trading,1 Market Road,China\nNordic Wool Cooperative,Oslo,Norway\n";
      const report = await screenSuppliers(services, FROM, viewer, Buffer.from(csv), {});
      assert.equal(report.suppliers, 2);
      assert.equal(report.flagged, 1);
      const [finding] = report.findings;
      assert.equal(finding!.line, 2);
      assert.equal(finding!.hops, 2);
      assert.deepEqual(finding!.path.map((p) => p.id), [ids.supplier, ids.holding, ids.registered]);
      assert.deepEqual(finding!.links.map((l) => l.percentage), ["100", "60"]);
      assert.equal(finding!.reason.kind, "complicity");
      assert.equal(finding!.reason.kind === "complicity" && finding!.reason.findings[0]!.sources[0]!.id, ids.source);
      const csvOut = supplierReportCsv(report);
      assert.match(csvOut, /Kashgar Cotton Trading → owned 100% by Aksu Textile Holdings → owned 60% by Tianshan Vision Technology Co\., Ltd\./);
      assert.match(csvOut, /surveillance-technology/);
      // One hop is not enough to reach it.
      assert.equal((await screenSuppliers(services, FROM, viewer, csv, { hops: 1 })).findings.length, 0);
    });

    it("follows ownership through a cycle without looping", async () => {
      await owns(ids.registered, ids.loop1, "10");
      const report = await screenSuppliers(services, FROM, viewer, "name\nHami Circle Metals\n", { hops: 6 });
      assert.deepEqual(report.findings.map((f) => f.path.map((p) => p.id)), [[ids.loop2, ids.loop1, ids.registered]]);
    });

    it("does not lead a reader through a restricted link, but does lead those on its list", async () => {
      const csv = "name\nTurpan Solar Glass\n";
      assert.equal((await screenSuppliers(services, FROM, viewer, csv)).findings.length, 0);
      assert.equal((await screenSuppliers(services, FROM, admin, csv)).findings.length, 1);
      const graph = await ownershipGraph(services, FROM, viewer, ids.registered, { depth: 2 });
      assert.ok(!graph.nodes.some((n) => n.id === ids.hidden));
      assert.ok(graph.nodes.some((n) => n.id === ids.supplier && n.distance === 2));
      assert.equal(graph.nodes.find((n) => n.id === ids.registered)!.complicit, true);
      const asAdmin = await ownershipGraph(services, FROM, admin, ids.registered, { depth: 1 });
      assert.ok(asAdmin.nodes.some((n) => n.id === ids.hidden));
    });

    it("draws a graph with a cycle once, each link once", async () => {
      const graph = await ownershipGraph(services, FROM, viewer, ids.loop1, { depth: 4 });
      const pairs = graph.links.map((l) => `${l.from}>${l.to}`);
      assert.equal(new Set(pairs).size, pairs.length);
      assert.ok(pairs.includes(`${ids.loop1}>${ids.loop2}`) && pairs.includes(`${ids.loop2}>${ids.loop1}`));
      await assert.rejects(ownershipGraph(services, FROM, viewer, ids.loop1, { depth: 9 }), invalid(/at most 4/));
    });

    it("reports members of a watch list and entries of a plugged-in list matcher", async () => {
      await createList(services, FROM, admin, { name: "watch", title: "Companies to watch" });
      await addListMembers(services, FROM, admin, "watch", async () => ({ ids: [ids.holding] }));
      const report = await screenSuppliers(services, FROM, viewer, "name\nKashgar Cotton Trading\n", { lists: ["watch"] });
      assert.ok(report.findings.some((f) => f.reason.kind === "watch-list" && f.hops === 1 && f.path.at(-1)!.id === ids.holding));
      registerListMatcher("test", async (_tx, _actor, queries) =>
        queries.flatMap((q, i) => (q.name === "Aksu Textile Holdings" ? [{ query: i, list: "uflpa", jurisdiction: "US", caption: "AKSU TEXTILE HOLDINGS", score: 0.97 }] : [])));
      const listed = await screenSuppliers(services, FROM, viewer, "name\nKashgar Cotton Trading\nAksu Textile Holdings\n");
      unregisterListMatcher("test");
      const entries = listed.findings.filter((f) => f.reason.kind === "list");
      assert.ok(entries.some((f) => f.line === 2 && f.hops === 1 && f.reason.kind === "list" && f.reason.jurisdiction === "US"));
      assert.ok(entries.some((f) => f.line === 3 && f.matched === null));
      await assert.rejects(screenSuppliers(services, FROM, viewer, "name\nX\n", { lists: ["nope"] }), /no list named "nope"/);
    });

    it("rejects ragged rows by line, and refuses an empty, headerless or non-UTF-8 file with a clear message", async () => {
      const ragged = await screenSuppliers(services, FROM, viewer, 'name,country\nKashgar Cotton Trading,cn\nAcme, Inc,us\n"Broken,cn\n');
      assert.deepEqual(ragged.rejected.map((r) => r.line), [3, 4]);
      assert.match(ragged.rejected[0]!.reason, /3 cells where the header has 2/);
      assert.equal(ragged.suppliers, 1);
      await assert.rejects(screenSuppliers(services, FROM, viewer, ""), /the file is empty/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, "name,country\n"), /header but no suppliers/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, "foo,bar\n1,2\n"), /recognised as the supplier's name/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, "foo,bar\n1,2\n", { nameColumn: "Firm" }), /no column "Firm"/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x0a])), /not UTF-8/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, Buffer.from([0xff, 0xfe, 0x6e, 0x00])), /UTF-16/);
      await assert.rejects(screenSuppliers(services, FROM, viewer, "name\nX\n", { hops: 7 }), invalid(/at most 6/));
      const semicolons = await screenSuppliers(services, FROM, viewer, "Supplier;Country\nKashgar Cotton Trading;CN\n");
      assert.equal(semicolons.flagged, 1);
    });

    it("refuses a partner and shows another organisation nothing", async () => {
      await assert.rejects(screenSuppliers(services, FROM, partner, "name\nKashgar Cotton Trading\n"), (e: Error) => e.constructor.name === "Forbidden");
      await assert.rejects(listComplicity(services, FROM, partner, {}), (e: Error) => e.constructor.name === "Forbidden");
      await assert.rejects(ownershipGraph(services, FROM, outsider, ids.registered), (e: Error) => e.constructor.name === "NotFound");
      assert.equal((await listComplicity(services, FROM, outsider, {})).findings.length, 0);
      assert.equal((await screenSuppliers(services, FROM, outsider, "name\nKashgar Cotton Trading\n")).findings.length, 0);
    });

    it("keeps restricted findings to their access list", async () => {
      const secretFinding = (await recordComplicity(services, FROM, admin, { organization: ids.clean, complicityType: "financing", restricted: true })).id;
      assert.ok(!(await listComplicity(services, FROM, viewer, {})).findings.some((f) => f.id === secretFinding));
      await grantAccess(services, FROM, admin, secretFinding, { user: viewer.userId });
      assert.ok((await listComplicity(services, FROM, viewer, {})).findings.some((f) => f.id === secretFinding));
    });
  });
}
