// Imports of several batches: the names index and search documents an import derives in memory
// are the ones the records service rebuilds from the stored statements; a row rejected in a late
// batch still leaves nothing written; records and statements get time-ordered ids.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { allRejections, commitImport, getImport, importJob, receiveImport, setImportMapping, type ImportView } from "../../src/records/index.ts";
import { IMPORT_BATCH } from "../../src/records/import.ts";
import { orderedIds } from "../../src/records/ordered-ids.ts";
import { reindexNames } from "../../src/screening/index.ts";
import { reindexSearch } from "../../src/search/index.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-batches", ip: "203.0.113.9", userAgent: "test" };
const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const NAMES = ["Ilham Tohti", "ئىلھام توختى", "伊力哈木·土赫提", "Gulshan Abbas", "Rahile Dawut", "Sayragul Sauytbay", "Mihrigul Tursun"];
const BORN = ["1969-10-25", "1962-XX-XX", "1989?", "1970/1975", "", "1955~"];

/** More rows than two batches hold; row i varies names, scripts, dates, empty cells and vocabulary labels. */
function people(rows: number, bad: (i: number) => boolean = () => false): Buffer {
  const lines = ["Full name,Alias,Born,Gender,Ethnicity,Nationality,Notes"];
  for (let i = 0; i < rows; i++) {
    const born = bad(i) ? "2019-13-45" : BORN[i % BORN.length];
    lines.push(`${NAMES[i % NAMES.length]} ${i},${i % 3 === 0 ? `${NAMES[(i + 2) % NAMES.length]}` : ""},${born},${i % 2 ? "female" : "male"},${["Uyghur", "ئۇيغۇر", "维吾尔族", "kazakh"][i % 4]},${i % 5 ? "cn" : ""},"detained in 201${i % 10}, row ${i}"`);
  }
  return Buffer.from(lines.join("\n") + "\n");
}

const MAPPING = { schema: "Person", columns: { "Full name": "name", Alias: "alias", Born: "birthDate", Gender: "gender", Ethnicity: "ethnicity", Nationality: "nationality", Notes: "notes" } };

for (const target of databaseTargets()) {
  describe(`imports in several batches on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let editor: Actor;
    let runner: JobRunner;
    const rows = 2 * IMPORT_BATCH + 321;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "vigil-import-batches-"));
      services = await openTestServices(target, { dataDir, maxImportBytes: 16 * 1024 * 1024 });
      const org = await setUpOrganisation(services);
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      editor = (await addMember(services, adminPrincipal, "editor", "editor@batches.example")).principal.actor;
      runner = new JobRunner(services, [importJob], { ...QUIET, workerId: "test" });
    });
    after(async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function imported(file: Buffer, mapping: object = MAPPING, options: { partial?: boolean } = {}): Promise<ImportView> {
      const started = await receiveImport(services, FROM, editor, { source: [file], filename: "people.csv", format: "csv" });
      await setImportMapping(services, FROM, editor, started.id, { mapping });
      await commitImport(services, FROM, editor, started.id, options);
      await runner.drain();
      return getImport(services, FROM, editor, started.id);
    }

    /** The derived rows of the organisation's records, in a stable order and comparable form. */
    async function derived() {
      const keys = await sql<{ entity_id: string; key: string; decade: number }>`SELECT entity_id, key, decade FROM name_keys WHERE org_id = ${editor.orgId} ORDER BY entity_id, key, decade`.execute(services.db);
      const features = await sql<{ entity_id: string; engine: string; guarded: boolean; features: unknown }>`SELECT entity_id, engine, guarded, features FROM name_features WHERE org_id = ${editor.orgId} ORDER BY entity_id`.execute(services.db);
      const documents = await sql<Record<string, unknown>>`
        SELECT entity_id, schema, restricted, archived, level, tsv::text AS tsv, violations, places, years, has_restricted, r_tsv::text AS r_tsv, r_violations, r_places, r_years, filters
        FROM search_documents WHERE org_id = ${editor.orgId} ORDER BY entity_id`.execute(services.db);
      return { keys: keys.rows, features: features.rows, documents: documents.rows };
    }

    async function counts() {
      const count = async (table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(services.db)).rows[0]!.n);
      return {
        entities: await count("entities"), statements: await count("statements"), revisions: await count("entity_revisions"), keys: await count("name_keys"),
        features: await count("name_features"), documents: await count("search_documents"), access: await count("entity_access"),
      };
    }

    it("writes, over several batches, the names index and search documents the records service rebuilds from the stored statements", async () => {
      const plain = await imported(people(rows));
      assert.deepEqual([plain.state, plain.entitiesCreated], ["imported", rows]);
      // Restricted records with restricted values, and secret values (sealed: nothing of them is indexed).
      const restricted = await imported(people(50), { ...MAPPING, sensitivity: "restricted", restricted: true });
      const secret = await imported(people(30), { ...MAPPING, sensitivity: "secret" });
      assert.deepEqual([restricted.state, secret.state], ["imported", "imported"]);

      const written = await derived();
      assert.equal(written.documents.length, rows + 50 + 30 + 3, "one document per record and per import's Source");
      assert.ok(written.keys.length > rows, "names keyed");
      assert.ok(written.documents.some((d) => d.has_restricted === true && typeof d.r_tsv === "string"), "restricted values searched apart");
      await reindexNames(services, editor.orgId);
      await reindexSearch(services, editor.orgId);
      const rebuilt = await derived();
      assert.deepEqual(written.keys, rebuilt.keys);
      assert.deepEqual(written.features, rebuilt.features);
      assert.deepEqual(written.documents, rebuilt.documents);
    });

    it("gives the records and statements of an import time-ordered ids, in the file's order", async () => {
      const done = await imported(people(IMPORT_BATCH + 10));
      const records = await services.db
        .selectFrom("statements as s")
        .innerJoin("entities as e", "e.id", "s.entity_id")
        .select(["e.id as entity", "s.id as statement", "s.value", "s.seq"])
        .where("s.source_id", "=", done.sourceId!)
        .where("s.property", "=", "notes")
        .orderBy("s.seq")
        .execute();
      assert.equal(records.length, IMPORT_BATCH + 10);
      assert.ok(records.every((r) => V7.test(r.entity) && V7.test(r.statement)));
      assert.deepEqual(records.map((r) => r.value), records.map((_, i) => `detained in 201${i % 10}, row ${i}`));
      for (let i = 1; i < records.length; i++) {
        assert.ok(records[i]!.entity > records[i - 1]!.entity, `record ${i} sorts after the one before it`);
        assert.ok(records[i]!.statement > records[i - 1]!.statement, `statement ${i} sorts after the one before it`);
      }
    });

    it("writes nothing when a row of a late batch is rejected, and its valid rows when asked", async () => {
      const before = await counts();
      const lateLine = 2 * IMPORT_BATCH + 200;
      const failed = await imported(people(rows, (i) => i + 2 === lateLine));
      assert.deepEqual([failed.state, failed.rowsRejected, failed.error], ["failed", 1, "1 row was rejected: nothing was imported"]);
      assert.deepEqual(await counts(), before, "no record, statement, revision, key or document is left of the batches written before it");
      const rejections = [];
      for await (const r of allRejections(services, FROM, editor, failed.id)) rejections.push(r);
      assert.deepEqual(rejections.map((r) => r.line), [lateLine]);
      assert.match(rejections[0]!.reason, /birthDate is not a valid EDTF date/);

      await commitImport(services, FROM, editor, failed.id, { partial: true });
      await runner.drain();
      const partial = await getImport(services, FROM, editor, failed.id);
      assert.deepEqual([partial.state, partial.entitiesCreated, partial.rowsRejected], ["imported", rows - 1, 1]);
      const after = await counts();
      assert.equal(after.entities - before.entities, rows);
      assert.equal(after.documents - before.documents, rows);
      assert.equal(after.revisions - before.revisions, rows);
    });
  });
}

describe("time-ordered ids", () => {
  it("are UUID version 7, strictly increasing, and move the time on when the counter overflows", () => {
    const next = orderedIds(new Date("2026-11-25T10:00:00.000Z"), { counter: 2 ** 26 - 3 });
    const ids = Array.from({ length: 8 }, next);
    assert.ok(ids.every((id) => V7.test(id)), ids.join(" "));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `${ids[i]} > ${ids[i - 1]}`);
    const ms = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.equal(ms(ids[0]!), Date.parse("2026-11-25T10:00:00.000Z"));
    assert.equal(ms(ids[7]!), Date.parse("2026-11-25T10:00:00.001Z"));
    const other = orderedIds(new Date("2026-11-25T10:00:00.000Z"));
    assert.equal(new Set([...ids, ...Array.from({ length: 5000 }, other)]).size, 5008);
  });
});
