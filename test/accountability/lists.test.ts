import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import {
  entryHistory, exportListFtm, getSanctionsList, importListFile, listEntries, listSanctionsLists,
} from "../../src/accountability/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { ftmLines, sdnCsv, sdnXml, simpleCsv, uflpaCsv, ukCsv } from "./list-fixtures.ts";

const FROM: Origin = { requestId: "req-sanctions", ip: null, userAgent: "test" };
const file = (text: string, filename = "list.txt") => ({ source: [Buffer.from(text)], filename });

const chen = { id: "NK-chen", schema: "Person", properties: { name: ["Chen Quanguo"], birthDate: ["1955-11"], nationality: ["cn"] } };
const zhu = { id: "NK-zhu", schema: "Person", properties: { name: ["Zhu Hailun"], birthDate: ["1958"] } };
const xpcc = { id: "NK-xpcc", schema: "Organization", properties: { name: ["Xinjiang Production and Construction Corps"], alias: ["XPCC"] } };

for (const target of databaseTargets()) {
  describe(`sanctions list imports on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    it("imports an FtM file as version 1 of a new list, with its provenance, and sets aside non-target entities", async () => {
      const text = ftmLines([chen, zhu, xpcc, { id: "NK-sanction-1", schema: "Sanction", properties: { entity: ["NK-chen"], program: ["GLOMAG"] } }]);
      const v = await importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm", title: "US Global Magnitsky", jurisdictions: ["US"], publishedOn: "2024-05-01" }, file(text, "entities.ftm.json"));
      assert.equal(v.state, "imported");
      assert.deepEqual([v.version, v.added, v.changed, v.delisted, v.rejected, v.publishedOn, v.filename], [1, 3, 0, 0, 0, "2024-05-01", "entities.ftm.json"]);
      assert.match(v.sha256, /^[0-9a-f]{64}$/);
      const list = await getSanctionsList(services, FROM, viewer, "us-glomag");
      assert.deepEqual([list.title, list.jurisdictions, list.listed, list.delisted, list.current?.version], ["US Global Magnitsky", ["US"], 3, 0, 1]);
    });

    it("records what a newer version added, changed and delisted, keeping delisted entries and each entry's history", async () => {
      const changedChen = { ...chen, properties: { ...chen.properties, alias: ["Chen Quan'guo"] } };
      const wang = { id: "NK-wang", schema: "Person", properties: { name: ["Wang Junzheng"] } };
      const v = await importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm", publishedOn: "2024-06-01" }, file(ftmLines([changedChen, xpcc, wang])));
      assert.deepEqual([v.version, v.added, v.changed, v.delisted, v.unchanged], [2, 1, 1, 1, 1]);
      const delisted = await listEntries(services, FROM, viewer, "us-glomag", { status: "delisted" });
      assert.deepEqual(delisted.entries.map((e) => [e.sourceId, e.status, e.delistedIn]), [["NK-zhu", "delisted", 2]]);
      const byVersion = await listEntries(services, FROM, viewer, "us-glomag", { version: "2", change: "changed" });
      assert.deepEqual(byVersion.entries.map((e) => e.sourceId), ["NK-chen"]);
      const entry = (await listEntries(services, FROM, viewer, "us-glomag", { q: "chen" })).entries[0]!;
      const history = await entryHistory(services, FROM, viewer, "us-glomag", entry.id);
      assert.deepEqual(history.changes.map((c) => [c.version, c.change]), [[1, "listed"], [2, "changed"]]);
      assert.deepEqual(history.changes[1]!.previous?.properties.alias, undefined);
      assert.deepEqual(history.entry.properties.alias, ["Chen Quan'guo"]);
      // Back on the list in version 3: relisted, counted as added.
      const v3 = await importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm", publishedOn: "2024-07-01" }, file(ftmLines([changedChen, xpcc, wang, zhu])));
      assert.deepEqual([v3.version, v3.added, v3.changed, v3.delisted, v3.unchanged], [3, 1, 0, 0, 3]);
    });

    it("refuses a malformed file whole, reporting every bad line with its number and reason", async () => {
      const before = await getSanctionsList(services, FROM, viewer, "us-glomag");
      const text = [
        JSON.stringify({ id: "NK-new", schema: "Person", properties: { name: ["Someone New"] } }),
        "{not json",
        JSON.stringify({ id: "NK-x", schema: "Person", properties: { name: "not a list" } }),
        JSON.stringify({ schema: "Person", properties: { name: ["No Id"] } }),
        JSON.stringify({ id: "NK-y", schema: "person!", properties: {} }),
        JSON.stringify({ id: "NK-z", schema: "Person", properties: { birthDate: ["1960"] } }),
        JSON.stringify({ id: "NK-new", schema: "Person", properties: { name: ["Twice"] } }),
        "[1, 2]",
      ].join("\n");
      const v = await importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm", publishedOn: "2024-08-01" }, file(text));
      assert.equal(v.state, "failed");
      assert.equal(v.version, null);
      assert.deepEqual(v.errors.map((e) => e.line), [2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(v.errors.map((e) => e.reason), [
        "the line is not valid JSON", "name must be a list of strings", "the entity has no id", "\"person!\" is not a FollowTheMoney schema", "the entry has no name",
        "the id \"NK-new\" is already on line 1", "the line is not a JSON object",
      ]);
      assert.match(v.error ?? "", /7 line\(s\) cannot be read: nothing was imported/);
      const after = await getSanctionsList(services, FROM, viewer, "us-glomag");
      assert.deepEqual([after.listed, after.delisted, after.current?.version], [before.listed, before.delisted, before.current?.version]);
      assert.equal((await listEntries(services, FROM, viewer, "us-glomag", { q: "someone" })).total, 0);
    });

    it("imports the good lines and reports the bad ones when asked to skip them, duplicates included", async () => {
      const text = [JSON.stringify({ id: "NK-new", schema: "Person", properties: { name: ["Someone New"] } }), "{broken", JSON.stringify({ id: "NK-new", schema: "Person", properties: { name: ["Twice"] } })].join("\n");
      const v = await importListFile(services, FROM, editor, { list: "skipping", format: "ftm", skipBad: true, jurisdictions: ["UK"] }, file(text));
      assert.deepEqual([v.state, v.version, v.added, v.rejected], ["imported", 1, 1, 2]);
      assert.deepEqual(v.errors, [{ line: 2, reason: "the line is not valid JSON" }, { line: 3, reason: "the id \"NK-new\" is already on line 1" }]);
    });

    it("refuses an empty file, an identical file, and a file published before the current version", async () => {
      await assert.rejects(importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm" }, file("")), (e: unknown) => e instanceof Invalid && /empty/.test(e.message));
      const blank = await importListFile(services, FROM, editor, { list: "us-glomag", format: "ftm" }, file("\n\n"));
      assert.match(blank.error ?? "", /holds no entries/);
      const xml = sdnXml("05/01/2024", [{ uid: "36001", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"] }]);
      assert.equal((await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file(xml))).state, "imported");
      const again = await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file(xml));
      assert.match(again.error ?? "", /already version 1/);
      const older = await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file(sdnXml("04/01/2024", [{ uid: "36001", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG", "CMIC"] }])));
      assert.match(older.error ?? "", /published on 2024-04-01, before the list's current version \(2024-05-01\)/);
    });

    it("reads the SDN list as XML with its programmes, aliases, birth dates and publication date", async () => {
      const xml = sdnXml("06/03/2024", [
        { uid: "36001", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"], dob: "Nov 1955", nationality: "China", akas: [{ lastName: "CHEN Quan'guo" }] },
        { uid: "36002", type: "Entity", lastName: "XINJIANG PUBLIC SECURITY BUREAU", programs: ["GLOMAG"], akas: [{ lastName: "XPSB", category: "weak" }] },
        { uid: "36003", type: "Entity", lastName: "HIKVISION", programs: ["CMIC", "NS-CMIC"] },
      ]);
      const v = await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file(xml, "sdn.xml"));
      assert.deepEqual([v.state, v.version, v.publishedOn, v.added, v.changed], ["imported", 2, "2024-06-03", 2, 1]);
      const list = await getSanctionsList(services, FROM, viewer, "sdn");
      assert.deepEqual([list.jurisdictions, list.publisher], [["US"], "US Treasury, Office of Foreign Assets Control"]);
      const entries = (await listEntries(services, FROM, viewer, "sdn", {})).entries;
      const person = entries.find((e) => e.sourceId === "36001")!;
      assert.deepEqual([person.schema, person.properties.name, person.properties.alias, person.properties.birthDate, person.properties.nationality, person.programs], ["Person", ["Quanguo CHEN"], ["CHEN Quan'guo"], ["1955-11"], ["cn"], ["GLOMAG"]]);
      const bureau = entries.find((e) => e.sourceId === "36002")!;
      assert.deepEqual([bureau.schema, bureau.properties.weakAlias], ["Organization", ["XPSB"]]);
      assert.deepEqual(entries.find((e) => e.sourceId === "36003")!.programs, ["CMIC", "NS-CMIC"]);
    });

    it("refuses SDN XML entries that are not well-formed or of an unknown type, by line", async () => {
      const bad = sdnXml("07/01/2024", [{ uid: "1", type: "Individual", firstName: "A", lastName: "B", programs: ["GLOMAG"] }, { uid: "2", type: "Spaceship", lastName: "X", programs: [] }], "  <sdnEntry><uid>3</uid><lastName>Broken</sdnEntry>\n");
      const v = await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file(bad));
      assert.equal(v.state, "failed");
      assert.deepEqual(v.errors.map((e) => e.line), [16, 24]);
      assert.match(v.errors[0]!.reason, /sdnType "Spaceship"/);
      assert.match(v.errors[1]!.reason, /not well-formed XML/);
      const notSdn = await importListFile(services, FROM, editor, { list: "sdn", format: "sdn-xml" }, file("<html><body>a web page</body></html>"));
      assert.match(notSdn.errors[0]!.reason, /no <sdnList> element/);
    });

    it("reads the SDN list as CSV, its programmes split and its remarks read", async () => {
      const csv = sdnCsv([
        { num: "36001", name: "CHEN, Quanguo", type: "individual", program: "GLOMAG", remarks: "DOB 01 Nov 1955; POB Pingyu, Henan, China; nationality China; a.k.a. 'CHEN Quan'guo'." },
        { num: "36100", name: "HIKVISION", type: "", program: "CMIC] [NS-CMIC", remarks: "" },
        { num: "abc", name: "BROKEN", type: "individual", program: "SDGT" },
      ]);
      const refused = await importListFile(services, FROM, editor, { list: "sdn-csv", format: "sdn-csv" }, file(csv, "sdn.csv"));
      assert.deepEqual(refused.errors, [{ line: 3, reason: "ent_num is not a number" }]);
      const v = await importListFile(services, FROM, editor, { list: "sdn-csv", format: "sdn-csv", skipBad: true, publishedOn: "2024-06-03" }, file(csv, "sdn.csv"));
      assert.deepEqual([v.state, v.added, v.rejected], ["imported", 2, 1]);
      const entries = (await listEntries(services, FROM, viewer, "sdn-csv", {})).entries;
      const person = entries.find((e) => e.sourceId === "36001")!;
      assert.deepEqual([person.properties.name, person.properties.birthDate, person.properties.alias, person.properties.nationality], [["Quanguo CHEN"], ["1955-11-01"], ["CHEN Quan'guo"], ["cn"]]);
      assert.deepEqual(entries.find((e) => e.sourceId === "36100")!.programs, ["CMIC", "NS-CMIC"]);
    });

    it("reads the UK consolidated list, one target from its rows of names", async () => {
      const csv = ukCsv("22/03/2021", [
        { "Name 6": "CHEN", "Name 1": "Mingguo", DOB: "00/00/1966", Nationality: "China", "Group Type": "Individual", "Alias Type": "Primary name", Regime: "Global Human Rights", "Group ID": "14064" },
        { "Name 6": "XINJIANG PRODUCTION AND CONSTRUCTION CORPS PUBLIC SECURITY BUREAU", "Group Type": "Entity", "Alias Type": "Primary name", Regime: "Global Human Rights", Country: "China", "Group ID": "14065" },
        { "Name 6": "CHEN", "Name 1": "Ming-guo", "Group Type": "Individual", "Alias Type": "AKA", Regime: "Global Human Rights", "Group ID": "14064" },
      ]);
      const v = await importListFile(services, FROM, editor, { list: "uk", format: "uk-csv" }, file(csv, "ConList.csv"));
      assert.deepEqual([v.state, v.added, v.publishedOn], ["imported", 2, "2021-03-22"]);
      const list = await getSanctionsList(services, FROM, viewer, "uk");
      assert.deepEqual(list.jurisdictions, ["UK"]);
      const person = (await listEntries(services, FROM, viewer, "uk", { q: "chen" })).entries[0]!;
      assert.deepEqual([person.schema, person.properties.name, person.properties.alias, person.properties.birthDate, person.programs], ["Person", ["Mingguo CHEN"], ["Ming-guo CHEN"], ["1966"], ["Global Human Rights"]]);
      const noGroup = await importListFile(services, FROM, editor, { list: "uk", format: "uk-csv" }, file(ukCsv("23/03/2021", [{ "Name 6": "X", "Group Type": "Individual" }])));
      assert.deepEqual(noGroup.errors, [{ line: 3, reason: "the row has no Group ID" }]);
      const noHeader = await importListFile(services, FROM, editor, { list: "uk", format: "uk-csv" }, file("Name,Type\nA,B\n"));
      assert.match(noHeader.errors[0]!.reason, /no column "Name 6", "Group Type", "Group ID"/);
    });

    it("reads OpenSanctions' simple CSV and the UFLPA Entity List through its mapping", async () => {
      const simple = simpleCsv([
        { id: "NK-1", schema: "Person", name: "Wang Junzheng", aliases: "王君正", birth_date: "1963-05", countries: "cn", sanctions: "OFAC SDN - GLOMAG;UK - Global Human Rights" },
        { id: "NK-2", schema: "Thing", name: "Not a target" },
      ]);
      const refused = await importListFile(services, FROM, editor, { list: "opensanctions", format: "opensanctions-csv" }, file(simple));
      assert.deepEqual(refused.errors, [{ line: 3, reason: "\"Thing\" is not a schema a list entry may have" }]);
      const ok = await importListFile(services, FROM, editor, { list: "opensanctions", format: "opensanctions-csv", jurisdictions: ["US", "UK"] }, file(simple.split("\r\n").slice(0, 2).join("\r\n") + "\r\n"));
      assert.deepEqual([ok.state, ok.added], ["imported", 1]);
      const entry = (await listEntries(services, FROM, viewer, "opensanctions", {})).entries[0]!;
      assert.deepEqual([entry.properties.alias, entry.programs], [["王君正"], ["OFAC SDN - GLOMAG", "UK - Global Human Rights"]]);
      const uflpa = await importListFile(services, FROM, editor, { list: "uflpa", format: "csv", mapping: "uflpa", jurisdictions: ["US"], title: "UFLPA Entity List" }, file(uflpaCsv([
        { name: "Xinjiang Zhongtai Chemical Co., Ltd.", aka: "Zhongtai Chemical; 新疆中泰化学股份有限公司", address: "Urumqi" },
        { name: "Hoshine Silicon Industry Co., Ltd.", country: "China" },
      ])));
      assert.deepEqual([uflpa.state, uflpa.added], ["imported", 2]);
      const list = await getSanctionsList(services, FROM, viewer, "uflpa");
      assert.equal(list.kind, "trade");
      const company = (await listEntries(services, FROM, viewer, "uflpa", { q: "zhongtai" })).entries[0]!;
      assert.deepEqual([company.schema, company.properties.alias, company.properties.country], ["Company", ["Zhongtai Chemical", "新疆中泰化学股份有限公司"], ["cn"]]);
      await assert.rejects(importListFile(services, FROM, editor, { list: "any", format: "csv" }, file("a\n")), (e: unknown) => e instanceof Invalid && e.fields.mapping === "a CSV list needs a column mapping");
      await assert.rejects(importListFile(services, FROM, editor, { list: "Bad Name", format: "ftm" }, file("{}\n")), (e: unknown) => e instanceof Invalid && "list" in e.fields);
      await assert.rejects(importListFile(services, FROM, editor, { list: "x", format: "pdf" }, file("{}\n")), (e: unknown) => e instanceof Invalid && "format" in e.fields);
    });

    it("exports a list as FollowTheMoney, programmes as Sanction entities", async () => {
      let text = "";
      for await (const part of exportListFtm(services, FROM, viewer, "sdn")) text += part;
      const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { id: string; schema: string; properties: Record<string, string[]> });
      const sanction = lines.find((l) => l.schema === "Sanction" && l.properties.entity?.[0] === "36003")!;
      assert.deepEqual(sanction.properties.program, ["CMIC", "NS-CMIC"]);
      assert.ok(lines.some((l) => l.id === "36001" && l.schema === "Person"));
    });

    it("refuses lower roles and never shows a list to another organisation", async () => {
      for (const actor of [researcher, viewer]) {
        await assert.rejects(importListFile(services, FROM, actor, { list: "nope", format: "ftm" }, file(ftmLines([chen]))), Forbidden);
      }
      assert.equal((await importListFile(services, FROM, admin, { list: "by-admin", format: "ftm" }, file(ftmLines([chen])))).state, "imported");
      assert.deepEqual(await listSanctionsLists(services, FROM, outsider), []);
      await assert.rejects(getSanctionsList(services, FROM, outsider, "sdn"), NotFound);
      await assert.rejects(listEntries(services, FROM, outsider, "sdn", {}), NotFound);
      // Their list of the same name is theirs alone.
      await importListFile(services, FROM, outsider, { list: "sdn", format: "ftm" }, file(ftmLines([zhu])));
      assert.equal((await getSanctionsList(services, FROM, editor, "sdn")).listed, 3);
    });
  });
}
