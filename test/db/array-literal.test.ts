import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { arrayLiteral, type Database } from "../../src/db/index.ts";
import { databaseTargets } from "../helpers/database.ts";

const AWKWARD = ['plain', '', 'NULL', 'null', 'a,b', '{braces}', ' padded ', 'say "no"', 'back\\slash', '\\"', 'line\nbreak', 'tab\there', 'ئۇيغۇر', '伊力哈木', 'emoji 🙂'];

describe("arrayLiteral", () => {
  it("quotes every string, escapes quotes and backslashes, and writes NULL for missing elements", () => {
    assert.equal(arrayLiteral([]), "{}");
    assert.equal(arrayLiteral(["a", null, undefined, 'x"y', "b\\c"]), '{"a",NULL,NULL,"x\\"y","b\\\\c"}');
    assert.equal(arrayLiteral([1, -2, 3.5, true, false]), "{1,-2,3.5,t,f}");
  });

  it("refuses a number the database could not read back", () => {
    assert.throws(() => arrayLiteral([Number.NaN]), RangeError);
    assert.throws(() => arrayLiteral([Number.POSITIVE_INFINITY]), RangeError);
  });
});

for (const target of databaseTargets()) {
  describe(`arrayLiteral read by ${target.name}`, () => {
    let database: Database;
    before(async () => {
      database = await target.open();
    });
    after(async () => {
      await database.close();
    });

    it("gives back every awkward text exactly, NULLs included, in order", async () => {
      const values = [...AWKWARD, null];
      const { rows } = await sql<{ v: string | null; n: number }>`SELECT v, n::int AS n FROM unnest(${arrayLiteral(values)}::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n`.execute(database.db);
      assert.deepEqual(rows.map((r) => r.v), values);
    });

    it("gives back uuids, small integers and booleans as their types", async () => {
      const ids = [randomUUID(), randomUUID()];
      const { rows } = await sql<{ id: string; d: number; b: boolean }>`SELECT * FROM unnest(${arrayLiteral(ids)}::uuid[], ${arrayLiteral([-1, 197])}::smallint[], ${arrayLiteral([true, false])}::boolean[]) AS t(id, d, b)`.execute(database.db);
      assert.deepEqual(rows, [{ id: ids[0], d: -1, b: true }, { id: ids[1], d: 197, b: false }]);
    });

    it("is refused with the database's error when an element is not of the type", async () => {
      await assert.rejects(sql`SELECT unnest(${arrayLiteral(["not a uuid"])}::uuid[])`.execute(database.db), /uuid/);
    });
  });
}
