import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeCompanyName } from "../../src/names/index.ts";

test("normalises Latin, Cyrillic and Chinese legal forms", () => {
  assert.deepEqual(normalizeCompanyName("Xinjiang Huafu Co., Ltd."), { name: "xinjiang huafu", legalForms: ["ltd"] });
  assert.deepEqual(normalizeCompanyName("Alfa L.L.C."), { name: "alfa", legalForms: ["llc"] });
  assert.deepEqual(normalizeCompanyName("Siemens AG"), { name: "siemens", legalForms: ["ag"] });
  assert.deepEqual(normalizeCompanyName("GREAT WALL GMBH"), { name: "great wall", legalForms: ["gmbh"] });
  assert.deepEqual(normalizeCompanyName("АО «Вектор»"), { name: "вектор", legalForms: ["jsc"] });
  assert.deepEqual(normalizeCompanyName("ООО Альфа"), { name: "альфа", legalForms: ["llc"] });
  assert.deepEqual(normalizeCompanyName("JSC Vector"), { name: "vector", legalForms: ["jsc"] });
  assert.deepEqual(normalizeCompanyName("新疆华孚时尚股份有限公司"), { name: "新疆华孚时尚", legalForms: ["jsc"] });
  assert.deepEqual(normalizeCompanyName("杭州海康威视有限公司"), { name: "杭州海康威视", legalForms: ["ltd"] });
  assert.deepEqual(normalizeCompanyName("新疆生产建设兵团集团"), { name: "新疆生产建设兵团", legalForms: ["group"] });
});

test("keeps a name that is only a legal form", () => {
  assert.equal(normalizeCompanyName("LLC").name, "llc");
});
