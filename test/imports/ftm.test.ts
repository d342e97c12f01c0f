import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultModel, Model } from "@alephdata/followthemoney";
import { Conflict, Forbidden, NotFound, readCsv, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import {
  allRejections, commitImport, createEntity, exportJob, getEntity, getExport, getImport, importJob, listEntities, openExportFile, receiveImport, startExport, cancelExport,
  type EntityView,
} from "../../src/records/index.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-ftm", ip: "203.0.113.8", userAgent: "test" };
const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };

/** FollowTheMoney's own model, straight from the package: what every exported line must satisfy. */
const ftm = new Model(defaultModel);
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/;

/** Every problem FtM's model finds with one exported entity; empty when it is valid. */
function ftmProblems(raw: { id: string; schema: string; properties: Record<string, string[]> }, ids: Set<string>): string[] {
  const problems: string[] = [];
  let entity;
  try {
    entity = ftm.getEntity(raw);
  } catch (error) {
    return [`${raw.schema}: ${(error as Error).message}`];
  }
  if (entity.schema.abstract) problems.push(`${raw.schema} is abstract`);
  for (const name of entity.schema.required) if (!raw.properties[name]?.length) problems.push(`${raw.schema} needs ${name}`);
  for (const property of entity.getProperties()) {
    for (const value of entity.getProperty(property)) {
      const text = String(value);
      const type = property.type;
      if (type.name === "date" && !ISO_DATE.test(text)) problems.push(`${property.name}: "${text}" is not an FtM date`);
      if (["country", "language", "gender", "topic"].includes(type.name) && !type.values.has(text)) problems.push(`${property.name}: "${text}" is not an FtM ${type.name}`);
      if (type.name === "entity") {
        if (!ids.has(text)) problems.push(`${property.name}: ${text} is not in the file`);
        if (property.hasRange && !ftm.getSchema(lineSchemaOf.get(text) ?? "Thing").isA(property.getRange())) problems.push(`${property.name}: ${text} is not a ${property.getRange().name}`);
      }
    }
  }
  return problems;
}
const lineSchemaOf = new Map<string, string>();

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** A record's statements as comparable property=value@language, references mapped through `ids`. */
function pairs(entity: EntityView, ids: Map<string, string> = new Map()): string[] {
  return entity.statements.map((s) => `${s.property}=${ids.get(s.value ?? "") ?? s.value}@${s.lang ?? ""}`).sort();
}

for (const target of databaseTargets()) {
  describe(`FollowTheMoney import and export on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let editor: Actor;
    let admin: Actor;
    let viewer: Actor;
    let outsider: Actor;
    let runner: JobRunner;
    const fixture: string[] = [];

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "vigil-ftm-"));
      services = await openTestServices(target, { dataDir });
      const org = await setUpOrganisation(services);
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      admin = adminPrincipal.actor;
      editor = (await addMember(services, adminPrincipal, "editor", "editor@watch.example")).principal.actor;
      viewer = (await addMember(services, adminPrincipal, "viewer", "viewer@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      runner = new JobRunner(services, [importJob, exportJob], { ...QUIET, workerId: "test" });
      const make = async (schema: string, properties: Record<string, unknown[]>, by: Actor = editor) => {
        services.clock.advanceSeconds(1);
        const created = await createEntity(services, FROM, by, { schema, properties });
        fixture.push(created.id);
        return created.id;
      };
      const camp = await make("Address", { full: ["Urumqi No. 3 Detention Center"], placeType: ["detention-facility"], country: ["cn"], latitude: ["43.8"], longitude: ["87.6"] });
      const ilham = await make("Person", {
        name: ["Ilham Tohti", { value: "ئىلھام توختى", lang: "ug", script: "Arab" }, { value: "伊力哈木·土赫提", lang: "zh-Hans" }],
        birthDate: ["1969-10-25"], nationality: ["cn"], ethnicity: ["uyghur"], gender: ["male"],
        notes: [{ value: "held incommunicado", sensitivity: "restricted" }],
        phone: [{ value: "+86 991 000 0000", sensitivity: "secret" }],
      }, admin);
      const gulshan = await make("Person", { name: ["Gulshan Abbas"], birthDate: ["1962-XX-XX"], deathDate: ["2023?"] });
      const bureau = await make("Organization", { name: ["Urumqi Public Security Bureau"], jurisdiction: ["cn"] });
      const testimony = await make("Source", { name: ["Testimony T-12"], sourceType: ["testimony"], language: ["uig"], url: ["https://example.org/t-12"], bodyText: ["He was taken at night."], publishedAt: ["2019-03"] });
      const incident = await make("Incident", { name: ["Arrest of Ilham Tohti"], violation: ["arbitrary-detention"], date: ["2014-01-15"], startDate: ["2014-01~"], place: [camp], victimCount: ["1"], description: [{ value: "Taken from his home in Beijing.", source: testimony }] });
      await make("Involvement", { incident: [incident], participant: [ilham], role: ["victim"] });
      await make("Involvement", { incident: [incident], participant: [bureau], role: ["alleged-perpetrator"] });
      await make("Family", { person: [ilham], relative: [gulshan], relationship: ["acquaintance"] });
    });
    after(async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function exported(actor: Actor, request: unknown): Promise<{ id: string; text: string }> {
      const started = await startExport(services, FROM, actor, request);
      await runner.drain();
      const file = await openExportFile(services, FROM, actor, started.id);
      return { id: started.id, text: await readAll(file.stream) };
    }

    it("exports entities valid against FollowTheMoney's own model, with what FtM cannot hold beside it", async () => {
      const { text } = await exported(editor, { format: "ftm" });
      const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as { id: string; schema: string; properties: Record<string, string[]>; vigil?: { schema?: string; properties?: Record<string, string[]> } });
      assert.equal(lines.length, fixture.length);
      for (const l of lines) lineSchemaOf.set(l.id, l.schema);
      const ids = new Set(lines.map((l) => l.id));
      for (const line of lines) assert.deepEqual(ftmProblems(line, ids), [], `${line.schema} ${line.id}`);
      const byId = new Map(lines.map((l) => [l.id, l]));
      const incident = [...byId.values()].find((l) => l.vigil?.schema === "Incident")!;
      assert.equal(incident.schema, "Event");
      assert.deepEqual(incident.vigil!.properties, { violation: ["arbitrary-detention"], victimCount: ["1"], startDate: ["2014-01~"] });
      // FtM gets the nearest date it can hold.
      assert.deepEqual(incident.properties.startDate, ["2014-01"]);
      assert.equal(lines.filter((l) => l.vigil?.schema === "Involvement" && l.schema === "UnknownLink").length, 2);
      const gulshan = [...byId.values()].find((l) => l.properties.name?.[0] === "Gulshan Abbas")!;
      assert.deepEqual([gulshan.properties.birthDate, gulshan.properties.deathDate, gulshan.vigil!.properties], [["1962"], ["2023"], { birthDate: ["1962-XX-XX"], deathDate: ["2023?"] }]);
      // Restricted values leave only when asked; secret ones never.
      assert.ok(!text.includes("held incommunicado"));
      assert.ok(!text.includes("+86 991"));
    });

    it("round-trips an export through an import without losing a statement", async () => {
      const { text } = await exported(editor, { format: "ftm" });
      const started = await receiveImport(services, FROM, editor, { source: [Buffer.from(text)], filename: "export.ftm.jsonl", format: "ftm" });
      assert.deepEqual([started.rowsTotal, started.columns], [fixture.length, []]);
      await commitImport(services, FROM, editor, started.id);
      await runner.drain();
      const done = await getImport(services, FROM, editor, started.id);
      assert.deepEqual([done.state, done.entitiesCreated, done.rowsRejected], ["imported", fixture.length, 0]);
      // Match each new record to its original through the import's derived ids, then compare every statement.
      const originals = await Promise.all(fixture.map((id) => getEntity(services, FROM, editor, id)));
      const created = (await services.db.selectFrom("statements").select("entity_id").distinct().where("source_id", "=", done.sourceId!).execute()).map((r) => r.entity_id);
      assert.equal(created.length, fixture.length);
      const copies = await Promise.all(created.map((id) => getEntity(services, FROM, editor, id)));
      const { recordIdFor } = await import("../../src/records/import-ftm.ts");
      const newIdOf = new Map(fixture.map((id) => [id, recordIdFor(started.id, id)]));
      for (const original of originals) {
        const copy = copies.find((c) => c.id === newIdOf.get(original.id))!;
        assert.ok(copy, `a copy of ${original.schema} ${original.id}`);
        assert.equal(copy.schema, original.schema);
        // Every exported statement came back; restricted and secret ones were not exported.
        const exportable = pairs({ ...original, statements: original.statements.filter((s) => s.sensitivity !== "restricted" && s.sensitivity !== "secret") }, newIdOf);
        assert.deepEqual(pairs(copy), exportable, `${original.schema} ${original.id}`);
        assert.ok(copy.statements.every((s) => s.source === done.sourceId));
      }
    });

    it("rejects malformed lines by line, and a line that points at a rejected one", async () => {
      const lines = [
        JSON.stringify({ id: "p1", schema: "Person", properties: { name: ["Valid Person"] } }),
        "{not json",
        JSON.stringify({ id: "p2", schema: "Starship", properties: {} }),
        JSON.stringify({ id: "p3", schema: "Person", properties: { name: ["X"], warpFactor: ["9"] } }),
        JSON.stringify({ id: "p1", schema: "Person", properties: { name: ["Twice"] } }),
        JSON.stringify({ id: "p4", schema: "Person", properties: { name: ["Y"], birthDate: ["31/12/1990"] } }),
        JSON.stringify({ id: "l1", schema: "UnknownLink", vigil: { schema: "Involvement", properties: { role: ["victim"] } }, properties: { subject: ["p3"], object: ["nowhere"] } }),
        "",
        JSON.stringify({ id: "p5", schema: "Person", properties: { name: "not a list" } }),
      ];
      const started = await receiveImport(services, FROM, editor, { source: [Buffer.from(lines.join("\n"))], filename: "bad.jsonl", format: "ftm" });
      await commitImport(services, FROM, editor, started.id);
      await runner.drain();
      const failed = await getImport(services, FROM, editor, started.id);
      assert.deepEqual([failed.state, failed.rowsValid, failed.rowsRejected], ["failed", 1, 7]);
      const rejections = [];
      for await (const r of allRejections(services, FROM, editor, failed.id)) rejections.push(r);
      assert.deepEqual(rejections.map((r) => r.line), [2, 3, 4, 5, 6, 7, 9]);
      assert.match(rejections[0]!.reason, /^not valid JSON/);
      assert.match(rejections[1]!.reason, /"Starship" is not a schema/);
      assert.match(rejections[2]!.reason, /Person has no property "warpFactor"/);
      assert.match(rejections[3]!.reason, /the id "p1" is already used on line 1/);
      assert.match(rejections[4]!.reason, /birthDate is not a valid EDTF date/);
      assert.match(rejections[5]!.reason, /incident must be the id of a record|no such record/);
      assert.match(rejections[6]!.reason, /properties must map each property to a list of strings/);
    });

    it("exports a list as CSV with its filters, formulas defused, and only to the person who asked", async () => {
      const { id, text } = await exported(editor, { format: "csv", filter: { schema: "Person" } });
      const records = readCsv(text);
      const header = records[0]!.cells;
      assert.deepEqual(header.slice(0, 4), ["id", "schema", "created_at", "archived"]);
      assert.ok(header.includes("birthDate") && header.includes("name") && !header.includes("phone") && !header.includes("notes"));
      assert.equal(records.length - 1, (await listEntities(services, FROM, editor, { schema: "Person", limit: 200 })).entities.length);
      const ilham = records.find((r) => r.cells[header.indexOf("name")]!.startsWith("Ilham Tohti"))!;
      assert.equal(ilham.cells[header.indexOf("name")], "Ilham Tohti; ئىلھام توختى; 伊力哈木·土赫提");
      const view = await getExport(services, FROM, editor, id);
      assert.deepEqual([view.state, view.available, view.format], ["ready", true, "csv"]);
      assert.equal(view.rowCount, records.length - 1);
      await assert.rejects(openExportFile(services, FROM, admin, id), Forbidden, "an administrator follows it but does not download another's file");
      await assert.rejects(getExport(services, FROM, viewer, id), NotFound);
      await assert.rejects(getExport(services, FROM, outsider, id), NotFound);
      const audit = await services.db.selectFrom("audit_events").select(["action", "outcome"]).where("target_id", "=", id).orderBy("id").execute();
      assert.deepEqual(audit.map((a) => `${a.action}:${a.outcome}`), ["export.start:ok", "export.download:ok", "export.download:denied"]);
    });

    it("includes restricted values only when asked and readable, and never exports what the exporter cannot see", async () => {
      const withRestricted = await exported(admin, { format: "ftm", restricted: true });
      assert.ok(withRestricted.text.includes("held incommunicado"));
      assert.ok(!withRestricted.text.includes("+86 991"));
      // An editor not on the record's access list does not read its restricted values, asked or not.
      assert.ok(!(await exported(editor, { format: "ftm", restricted: true })).text.includes("held incommunicado"));
      const hidden = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Protected Witness"] }, restricted: true });
      const byViewer = await exported(viewer, { format: "csv" });
      assert.ok(!byViewer.text.includes("Protected Witness") && !byViewer.text.includes(hidden.id));
      assert.ok(!byViewer.text.includes("held incommunicado"));
      const byAdmin = await exported(admin, { format: "csv" });
      assert.ok(byAdmin.text.includes("Protected Witness"));
    });

    it("refuses a bad request, an unknown filter, and a download that is not ready", async () => {
      await assert.rejects(startExport(services, FROM, editor, { format: "xlsx" }), (e: unknown) => e instanceof Error && /csv or ftm/.test(JSON.stringify((e as { fields?: unknown }).fields)));
      await assert.rejects(startExport(services, FROM, editor, { format: "csv", filter: { schema: "Spaceship" } }), (e: unknown) => e instanceof Error && /schema/.test(e.message));
      await assert.rejects(startExport(services, FROM, editor, { format: "csv", filter: { evil: "1" } }));
      const queued = await startExport(services, FROM, editor, { format: "csv" });
      await assert.rejects(openExportFile(services, FROM, editor, queued.id), Conflict);
      const cancelled = await cancelExport(services, FROM, editor, queued.id);
      assert.equal(cancelled.state, "cancelled");
      assert.equal(await runner.drain(), 0);
    });
  });
}
