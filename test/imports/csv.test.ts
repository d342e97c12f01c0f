import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import {
  allRejections, browseRecords, cancelImport, checkImport, commitImport, getEntity, getImport, ImportTooLarge, importJob, listEntities, listMappings, previewImport, receiveImport, setImportMapping,
  type ImportView,
} from "../../src/records/index.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-import", ip: "203.0.113.7", userAgent: "test" };
const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };

function bytes(text: string, encoding: "utf8" | "utf16le" = "utf8", bom = false): Buffer {
  const body = Buffer.from(text, encoding);
  if (!bom) return body;
  return Buffer.concat([encoding === "utf8" ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.from([0xff, 0xfe]), body]);
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

/** The file as a stream of small chunks, as a socket hands it over. */
async function* chunks(buffer: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

const PEOPLE = [
  "Full name,Born,Gender,Ethnicity,Notes",
  "Ilham Tohti,1969-10-25,male,Uyghur,economist",
  '"Abbas, Gulshan",1962-XX-XX,female,ئۇيغۇر,retired doctor',
  "Mihrigul Tursun,1989?,female,维吾尔族,",
].join("\r\n");

const MAPPING = { schema: "Person", columns: { "Full name": "name", Born: "birthDate", Gender: "gender", Ethnicity: "ethnicity", Notes: null } };

for (const target of databaseTargets()) {
  describe(`CSV import on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let editor: Actor;
    let colleague: Actor;
    let admin: Actor;
    let viewer: Actor;
    let runner: JobRunner;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "vigil-import-"));
      services = await openTestServices(target, { dataDir, maxImportBytes: 64 * 1024 });
      const org = await setUpOrganisation(services);
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      admin = adminPrincipal.actor;
      editor = (await addMember(services, adminPrincipal, "editor", "editor@watch.example")).principal.actor;
      colleague = (await addMember(services, adminPrincipal, "researcher", "colleague@watch.example")).principal.actor;
      viewer = (await addMember(services, adminPrincipal, "viewer", "viewer@watch.example")).principal.actor;
      runner = new JobRunner(services, [importJob], { ...QUIET, workerId: "test" });
    });
    after(async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const upload = (actor: Actor, file: Buffer, filename = "people.csv", format = "csv") => receiveImport(services, FROM, actor, { source: chunks(file), filename, format });
    const people = async () => (await listEntities(services, FROM, admin, { schema: "Person", limit: 200 })).entities;
    const uploads = () => (existsSync(join(dataDir, "imports")) ? readdirSync(join(dataDir, "imports")) : []);

    async function imported(file: Buffer, mapping: unknown = MAPPING, options: { partial?: boolean } = {}): Promise<ImportView> {
      const started = await upload(editor, file);
      await setImportMapping(services, FROM, editor, started.id, { mapping });
      await commitImport(services, FROM, editor, started.id, options);
      await runner.drain();
      return getImport(services, FROM, editor, started.id);
    }

    it("imports a UTF-8 file with a byte order mark: mapping saved by name, preview as stored, check, then commit citing the import", async () => {
      const started = await upload(editor, bytes(PEOPLE, "utf8", true));
      assert.deepEqual([started.state, started.encoding, started.rowsTotal, started.columns], ["uploaded", "utf-8", 3, ["Full name", "Born", "Gender", "Ethnicity", "Notes"]]);
      await setImportMapping(services, FROM, editor, started.id, { mapping: MAPPING, saveAs: "People from the hotline" });
      assert.deepEqual((await listMappings(services, FROM, colleague)).map((m) => m.name), ["People from the hotline"]);

      const preview = await previewImport(services, FROM, editor, started.id);
      assert.equal(preview.length, 3);
      assert.deepEqual(preview[1], {
        line: 3, ok: true, schema: "Person", reason: null,
        values: [
          { property: "name", value: "Abbas, Gulshan", lang: null },
          { property: "birthDate", value: "1962-XX-XX", lang: null },
          { property: "gender", value: "female", lang: null },
          // A vocabulary label in any of the three languages is stored as the term's code.
          { property: "ethnicity", value: "uyghur", lang: null },
        ],
      });

      const checking = await checkImport(services, FROM, editor, started.id);
      assert.equal(checking.state, "checking");
      assert.equal((await people()).length, 0);
      assert.equal(await runner.drain(), 1);
      const checked = await getImport(services, FROM, editor, started.id);
      assert.deepEqual([checked.state, checked.rowsValid, checked.rowsRejected, checked.job!.state], ["checked", 3, 0, "succeeded"]);
      assert.deepEqual(checked.job!.progress, { done: 3, total: 3, message: "checked 3 rows" });
      assert.equal((await people()).length, 0, "a dry run writes nothing");

      await commitImport(services, FROM, editor, started.id);
      await runner.drain();
      const done = await getImport(services, FROM, editor, started.id);
      assert.deepEqual([done.state, done.entitiesCreated, done.rowsRejected], ["imported", 3, 0]);
      const records = await people();
      assert.equal(records.length, 3);
      const source = await getEntity(services, FROM, editor, done.sourceId!);
      assert.equal(source.schema, "Source");
      assert.match(source.properties.name![0]!, /^Import of people\.csv/);
      assert.match(source.properties.description![0]!, new RegExp(done.sha256));
      const tursun = records.find((r) => r.properties.name?.[0] === "Mihrigul Tursun")!;
      assert.deepEqual(tursun.properties.birthDate, ["1989?"]);
      assert.deepEqual(tursun.properties.ethnicity, ["uyghur"]);
      assert.ok(tursun.statements.every((s) => s.source === done.sourceId && s.sensitivity === "internal" && s.author === editor.userId));
      const birth = tursun.statements.find((s) => s.property === "birthDate")!;
      assert.deepEqual([birth.dateEarliest, birth.dateLatest], ["1989-01-01", "1989-12-31"]);
      assert.deepEqual(uploads(), [], "the uploaded file is removed once imported");
      const audit = await services.db.selectFrom("audit_events").select("action").where("target_id", "=", started.id).orderBy("id").execute();
      assert.deepEqual(audit.map((a) => a.action), ["import.upload", "import.check", "import.commit", "import.committed"]);
      await assert.rejects(commitImport(services, FROM, editor, started.id), Conflict);
    });

    it("reports every rejected row with its line and reason, and commits nothing unless asked to commit the valid rows", async () => {
      const file = [
        "Full name,Born,Gender,Ethnicity,Notes",
        "Good One,2001,male,uyghur,",
        "Bad Date,2019-13-45,male,uyghur,",
        "Bad Term,2000,female,martian,",
        "Too,Few",
        'Stray "quote",2000,male,uyghur,',
        ",2000,male,uyghur,",
        "Good Two,2002~,female,kazakh,",
        '"Unclosed,2000,male,uyghur,',
      ].join("\n");
      const before = (await people()).length;
      const failed = await imported(Buffer.from(file));
      assert.deepEqual([failed.state, failed.rowsValid, failed.rowsRejected, failed.error], ["failed", 2, 6, "6 rows were rejected: nothing was imported"]);
      assert.equal((await people()).length, before, "nothing written");
      const rejections = [];
      for await (const r of allRejections(services, FROM, editor, failed.id)) rejections.push(r);
      assert.deepEqual(rejections.map((r) => r.line), [3, 4, 5, 6, 7, 9]);
      assert.match(rejections[0]!.reason, /column "Born": birthDate is not a valid EDTF date/);
      assert.match(rejections[1]!.reason, /column "Ethnicity": ethnicity: "martian" is not a term of the ethnicities vocabulary/);
      assert.equal(rejections[2]!.reason, "the row has 2 cells where the header has 5");
      assert.match(rejections[3]!.reason, /a quote inside column 1, which is not quoted/);
      assert.equal(rejections[4]!.reason, "a Person needs name");
      assert.match(rejections[5]!.reason, /a quoted field is not closed/);

      // Asked explicitly: the valid rows go in, the rejected ones stay reported.
      await commitImport(services, FROM, editor, failed.id, { partial: true });
      await runner.drain();
      const partial = await getImport(services, FROM, editor, failed.id);
      assert.deepEqual([partial.state, partial.entitiesCreated, partial.rowsRejected, partial.partial], ["imported", 2, 6, true]);
      const names = (await people()).map((p) => p.properties.name?.[0]);
      assert.ok(names.includes("Good One") && names.includes("Good Two") && !names.includes("Bad Date"));
    });

    it("reads UTF-16 with a byte order mark, either byte order, in any script", async () => {
      const text = "Full name,Born,Gender,Ethnicity,Notes\nئىلھام توختى,1969,male,uyghur,\n伊力哈木·土赫提,1969,male,uyghur,\n";
      for (const file of [bytes(text, "utf16le", true), utf16be(text)]) {
        const done = await imported(file);
        assert.equal(done.state, "imported");
        assert.equal(done.encoding, file[0] === 0xff ? "utf-16le" : "utf-16be");
      }
      const names = (await people()).flatMap((p) => p.properties.name ?? []);
      assert.equal(names.filter((n) => n === "ئىلھام توختى").length, 2);
      assert.equal(names.filter((n) => n === "伊力哈木·土赫提").length, 2);
    });

    it("refuses other encodings, binary files, oversized files and duplicate headers, keeping nothing", async () => {
      const count = async () => (await services.db.selectFrom("imports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
      const n = Number(await count());
      const files = uploads();
      const latin1 = Buffer.concat([Buffer.from("Full name\nJos"), Buffer.from([0xe9]), Buffer.from("\n")]);
      await assert.rejects(upload(editor, latin1), (e: unknown) => e instanceof Invalid && /not UTF-8/.test(e.message) && /iconv/.test(e.message));
      await assert.rejects(upload(editor, Buffer.from("Full name\nJos\n", "utf16le")), (e: unknown) => e instanceof Invalid && /NUL characters/.test(e.message));
      await assert.rejects(upload(editor, Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])), (e: unknown) => e instanceof Invalid && /UTF-32/.test(e.message));
      await assert.rejects(upload(editor, Buffer.alloc(65 * 1024, "a")), ImportTooLarge);
      await assert.rejects(upload(editor, Buffer.from("")), (e: unknown) => e instanceof Invalid && /empty/.test(e.message));
      await assert.rejects(upload(editor, Buffer.from("name,name\na,b\n")), (e: unknown) => e instanceof Invalid && /more than once/.test(e.message));
      await assert.rejects(upload(editor, Buffer.from('"name\n')), (e: unknown) => e instanceof Invalid && /header row/.test(e.message));
      await assert.rejects(upload(editor, Buffer.from("a\n"), "x.csv", "xlsx"), Invalid);
      assert.equal(Number(await count()), n);
      assert.deepEqual(uploads(), files);
    });

    it("refuses a mapping that does not fit the schema or the file, before any row is read", async () => {
      const started = await upload(editor, Buffer.from(PEOPLE));
      const refused = async (mapping: unknown, field: string, pattern: RegExp) => {
        await assert.rejects(setImportMapping(services, FROM, editor, started.id, { mapping }), (e: unknown) => e instanceof Invalid && pattern.test(e.fields[field] ?? ""));
      };
      await refused({ ...MAPPING, schema: "Spaceship" }, "mapping.schema", /unknown schema/);
      await refused({ schema: "Person", columns: { "Full name": "name", Born: "starSign" } }, "mapping.columns.Born", /no property "starSign"/);
      await refused({ schema: "Person", columns: { "Full name": "name", Missing: "birthDate" } }, "mapping.columns.Missing", /no column "Missing"/);
      await refused({ schema: "Person", columns: { Born: "birthDate" } }, "mapping.columns", /needs name/);
      await refused({ schema: "Incident", columns: { "Full name": "name", Notes: "involvements" } }, "mapping.columns.Notes", /reverse of a relationship/);
      await refused({ schema: "Person", columns: { "Full name": { property: "name", lang: "not a tag!" } } }, "mapping.columns.Full name.lang", /language tag/);
      await assert.rejects(setImportMapping(services, FROM, editor, started.id, { mappingName: "never saved" }), NotFound);
      await assert.rejects(checkImport(services, FROM, editor, started.id), (e: unknown) => e instanceof Conflict && /map the columns/.test(e.message));
      // A saved mapping by name fits the same shape of file.
      assert.equal((await setImportMapping(services, FROM, editor, started.id, { mappingName: "People from the hotline" })).mapping!.schema, "Person");
      await cancelImport(services, FROM, editor, started.id);
    });

    it("creates restricted records with the importer on their access lists, unseen by a viewer", async () => {
      const done = await imported(Buffer.from("Full name\nHidden Witness\n"), { schema: "Person", columns: { "Full name": "name" }, restricted: true, sensitivity: "restricted" });
      assert.equal(done.state, "imported");
      const mine = (await listEntities(services, FROM, editor, { schema: "Person", limit: 200 })).entities.find((p) => p.properties.name?.[0] === "Hidden Witness");
      assert.ok(mine?.restricted);
      const seenByViewer = (await listEntities(services, FROM, viewer, { schema: "Person", limit: 200 })).entities.map((p) => p.id);
      assert.ok(!seenByViewer.includes(mine!.id));
    });

    it("keeps each import to its importer and administrators, and refuses those who may not import", async () => {
      const started = await upload(editor, Buffer.from(PEOPLE));
      await assert.rejects(getImport(services, FROM, colleague, started.id), NotFound);
      await assert.rejects(setImportMapping(services, FROM, colleague, started.id, { mapping: MAPPING }), NotFound);
      await assert.rejects(commitImport(services, FROM, colleague, started.id), NotFound);
      assert.equal((await getImport(services, FROM, admin, started.id)).id, started.id);
      await assert.rejects(upload(viewer, Buffer.from(PEOPLE)), Forbidden);
      const denied = await services.db.selectFrom("audit_events").select("outcome").where("actor_id", "=", viewer.userId).where("action", "=", "import.run").execute();
      assert.deepEqual(denied.map((d) => d.outcome), ["denied"]);
      // Cancelling an upload not yet committed removes its file.
      const cancelled = await cancelImport(services, FROM, editor, started.id);
      assert.equal(cancelled.state, "cancelled");
      assert.ok(!uploads().includes(`${started.id}.upload`));
      await assert.rejects(commitImport(services, FROM, editor, started.id), Conflict);
    });

    it("cancels a queued commit before it writes anything", async () => {
      const before = (await people()).length;
      const started = await upload(editor, Buffer.from(PEOPLE));
      await setImportMapping(services, FROM, editor, started.id, { mapping: MAPPING });
      await commitImport(services, FROM, editor, started.id);
      const cancelled = await cancelImport(services, FROM, editor, started.id);
      assert.deepEqual([cancelled.state, cancelled.job!.state], ["cancelled", "cancelled"]);
      assert.equal(await runner.drain(), 0);
      assert.equal((await people()).length, before);
    });

    it("writes each imported record's name key as the records service would, so a list sorted by name finds them", async () => {
      const view = await imported(bytes(["Full name,Born", "Zuhra Ablet,1980", "ayshem Ablet,1982", "Memet Ablet,1979"].join("\n")), { schema: "Person", columns: { "Full name": "name", Born: "birthDate" } });
      assert.equal(view.state, "imported");
      const keys = await services.db.selectFrom("entities").select("name_key").where("org_id", "=", editor.orgId).where("name_key", "like", "%ablet").orderBy("name_key").execute();
      assert.deepEqual(keys.map((k) => k.name_key), ["ayshem ablet", "memet ablet", "zuhra ablet"]);
      const sorted = await browseRecords(services, FROM, viewer, { sort: "name", q: "Ablet", limit: 10 }, ["Person"]);
      assert.deepEqual(sorted.records.map((r) => r.values.name![0]!.value), ["ayshem Ablet", "Memet Ablet", "Zuhra Ablet"]);
    });
  });
}
