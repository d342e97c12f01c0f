import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Invalid } from "../../src/core/index.ts";
import { countryCode, decodeSupplierFile, layoutGraph, parseSupplierFile, type GraphNode } from "../../src/accountability/index.ts";

const fieldError = (pattern: RegExp) => (e: unknown) => e instanceof Invalid && (pattern.test(e.message) || Object.values(e.fields).some((v) => pattern.test(v)));

describe("supplier lists", () => {
  it("finds the name, address and country columns by their usual headers, after a byte-order mark", () => {
    const file = parseSupplierFile('\uFEFFVendor Name,Full Address,Country Code,Spend\n"Acme, Inc.","1 Road, Town",US,100\n');
    assert.deepEqual(file.columns, { name: "Vendor Name", address: "Full Address", country: "Country Code" });
    assert.deepEqual(file.suppliers, [{ line: 2, name: "Acme, Inc.", address: "1 Road, Town", country: "US", countryCode: "us" }]);
  });

  it("reads semicolon- and tab-separated files, and columns the user names", () => {
    assert.equal(parseSupplierFile("Firma;Land\nAcme GmbH;Germany\n", { name: "firma", country: "LAND" }).suppliers[0]!.countryCode, "de");
    assert.equal(parseSupplierFile("supplier\tcountry\nAcme\tChina\n").suppliers[0]!.countryCode, "cn");
  });

  it("reads countries as codes or English names, and says when it cannot", () => {
    assert.equal(countryCode("China"), "cn");
    assert.equal(countryCode(" united  kingdom "), "gb");
    assert.equal(countryCode("UK"), "gb");
    assert.equal(countryCode("PRC"), "cn");
    assert.equal(countryCode("Atlantis"), null);
  });

  it("rejects ragged, unquoted and nameless rows by line and keeps the others", () => {
    const file = parseSupplierFile('name,country\nGood One,cn\nToo,many,cells\nshort\n,cn\n"open quote,cn\n');
    assert.deepEqual(file.suppliers.map((s) => s.line), [2]);
    assert.deepEqual(file.rejected.map((r) => r.line), [3, 4, 5, 6]);
    assert.match(file.rejected[1]!.reason, /1 cells where the header has 2/);
    assert.match(file.rejected[2]!.reason, /no supplier name/);
  });

  it("refuses an empty file, a header alone, an unknown name column and text that is not UTF-8", () => {
    assert.throws(() => parseSupplierFile("\n\n"), fieldError(/empty/));
    assert.throws(() => parseSupplierFile("name\n"), fieldError(/no suppliers/));
    assert.throws(() => parseSupplierFile("id,amount\n1,2\n"), fieldError(/supplier's name/));
    assert.throws(() => parseSupplierFile("name\nx\n", { name: "Firm" }), fieldError(/no column "Firm"/));
    assert.throws(() => decodeSupplierFile(Buffer.from([0x41, 0xe9, 0x0a])), fieldError(/not UTF-8/));
    assert.throws(() => decodeSupplierFile(Buffer.from([0xfe, 0xff, 0x00, 0x41])), fieldError(/UTF-16/));
    assert.equal(decodeSupplierFile(Buffer.from("name\nÜrümqi\n")), "name\nÜrümqi\n");
  });
});

describe("the ownership graph's layout", () => {
  it("puts the centre in the middle and each ring's records apart, inside the drawing", () => {
    const node = (id: string, distance: number): GraphNode => ({ id, schema: "Company", caption: id, countries: [], distance, complicit: false });
    const nodes = [node("c", 0), ...Array.from({ length: 40 }, (_, i) => node(`a${i}`, 1)), node("b", 2)];
    const layout = layoutGraph(nodes);
    const centre = layout.nodes.get("c")!;
    assert.deepEqual([centre.x, centre.y], [layout.width / 2, layout.height / 2]);
    const points = [...layout.nodes.values()];
    assert.equal(new Set(points.map((p) => `${p.x},${p.y}`)).size, points.length);
    for (const p of points) assert.ok(p.x > 0 && p.y > 0 && p.x < layout.width && p.y < layout.height);
  });
});
