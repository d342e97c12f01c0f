import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, setArchived, updateEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

const FROM: Origin = { requestId: "req-match", ip: null, userAgent: "test" };

interface Result {
  id: string;
  caption: string;
  schema: string;
  properties: Record<string, string[]>;
  score: number;
  match: boolean;
  features: Record<string, number>;
  datasets: string[];
  explanation: string[];
}
interface Answer {
  responses: Record<string, { status: number; results: Result[]; total: { value: number; relation: string }; query: unknown }>;
  limit: number;
  matcher: unknown;
}

for (const target of databaseTargets()) {
  describe(`POST /api/v1/match/{dataset} on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let outsider: Actor;
    const clients = new Map<string, { client: Client; csrf: string }>();
    const ids: Record<string, string> = {};

    async function signedIn(email: string) {
      const client = Client.for(services);
      await client.signIn(email);
      clients.set(email, { client, csrf: csrfFrom(await (await client.get("/account")).text()) });
    }

    async function match(email: string, body: unknown, query = "", dataset = "default"): Promise<Response> {
      const { client, csrf } = clients.get(email)!;
      return client.request(`/api/v1/match/${dataset}${query}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", "x-csrf-token": csrf, origin: "http://vigil.test" } });
    }

    async function answer(email: string, body: unknown, query = ""): Promise<Answer> {
      const res = await match(email, body, query);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Answer;
    }

    const person = (...name: string[]) => ({ schema: "Person", properties: { name } });

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      await addMember(services, adminSession.principal, "viewer", "viewer@watch.example");
      await addMember(services, adminSession.principal, "partner", "partner@watch.example");
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      ids.tohti = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["ئىلھام توختى"], birthDate: ["1969-10-25"] } })).id;
      ids.chen = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["陈全国"] } })).id;
      ids.chenOther = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["陈国全"] } })).id;
      ids.restricted = (await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Mihrigul Tursun"] } })).id;
      ids.witness = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Witness Seven"], alias: [{ value: "Abduweli Ayup", sensitivity: "restricted" }] } })).id;
      ids.company = (await createEntity(services, FROM, admin, { schema: "Company", properties: { name: ["新疆华孚有限公司"] } })).id;
      ids.elsewhere = (await createEntity(services, FROM, outsider, { schema: "Person", properties: { name: ["Ilham Tohti"] } })).id;
      for (const email of [org.adminEmail, "viewer@watch.example", "partner@watch.example", other.adminEmail]) await signedIn(email);
    });
    after(async () => {
      await services.close();
    });

    it("finds Ilham Tohti, written in Uyghur Arabic script, from every spelling", async () => {
      const spellings = ["Ilham Tohti", "Ilham Toxti", "Илһам Тохти", "伊力哈木·土赫提", "Yilihamu Tuheti", "TOHTI, Ilham"];
      const queries = Object.fromEntries(spellings.map((s, i) => [`q${i}`, person(s)]));
      const result = await answer("viewer@watch.example", { queries });
      for (const [i, spelling] of spellings.entries()) {
        const top = result.responses[`q${i}`]!.results[0];
        assert.equal(top?.id, ids.tohti, `${spelling} → ${JSON.stringify(result.responses[`q${i}`]!.results.map((r) => r.caption))}`);
        assert.equal(top?.match, true, `${spelling} scored ${top?.score}`);
      }
    });

    it("finds 陈全国 from its traditional, pinyin and Russian spellings, and tells 陈国全 apart", async () => {
      const spellings = ["陳全國", "Chen Quanguo", "CHEN, Quanguo", "Чэнь Цюаньго"];
      const result = await answer("viewer@watch.example", { queries: Object.fromEntries(spellings.map((s, i) => [`q${i}`, person(s)])) });
      for (const [i, spelling] of spellings.entries()) {
        const matched = result.responses[`q${i}`]!.results.filter((r) => r.match).map((r) => r.id);
        assert.deepEqual(matched, [ids.chen], spelling);
      }
    });

    it("answers in yente's shape", async () => {
      const result = await answer("viewer@watch.example", { queries: { q1: { schema: "Person", properties: { name: "Ilham Tohti", birthDate: ["1969"] } } } }, "?limit=1&threshold=0.5&algorithm=best");
      assert.equal(result.limit, 1);
      assert.deepEqual(Object.keys(result.responses), ["q1"]);
      const q1 = result.responses.q1!;
      assert.equal(q1.status, 200);
      assert.deepEqual(q1.query, { schema: "Person", properties: { name: "Ilham Tohti", birthDate: ["1969"] } });
      assert.equal(q1.total.relation, "eq");
      assert.ok(q1.total.value >= 1);
      assert.equal(q1.results.length, 1);
      const r = q1.results[0]!;
      assert.deepEqual([r.id, r.caption, r.schema, r.datasets], [ids.tohti, "ئىلھام توختى", "Person", ["default"]]);
      assert.deepEqual(r.properties.birthDate, ["1969-10-25"]);
      assert.ok(r.score > 0.5 && r.score <= 1);
      assert.ok(Object.keys(r.features).length > 0);
      assert.ok(r.explanation.length > 0);
    });

    it("matches companies whatever their legal form, and not people against companies", async () => {
      const result = await answer("viewer@watch.example", { queries: { c: { schema: "Company", properties: { name: ["Xinjiang Huafu Co., Ltd."] } }, p: person("新疆华孚") } });
      assert.equal(result.responses.c!.results[0]?.id, ids.company);
      assert.ok(!result.responses.p!.results.some((r) => r.id === ids.company));
    });

    it("never shows a restricted record, or a restricted name, to a viewer outside its access list", async () => {
      const asViewer = await answer("viewer@watch.example", { queries: { r: person("Mihrigul Tursun"), a: person("Abduweli Ayup") } });
      assert.deepEqual(asViewer.responses.r!.results, []);
      assert.equal(asViewer.responses.r!.total.value, 0);
      assert.ok(!asViewer.responses.a!.results.some((r) => r.id === ids.witness));
      assert.equal(asViewer.responses.a!.total.value, 0);
      const asAdmin = await answer("admin@watch.example", { queries: { r: person("Mihrigul Tursun"), a: person("Abduweli Ayup") } });
      assert.equal(asAdmin.responses.r!.results[0]?.id, ids.restricted);
      assert.equal(asAdmin.responses.a!.results[0]?.id, ids.witness);
      assert.deepEqual(asAdmin.responses.a!.results[0]?.properties.alias, ["Abduweli Ayup"]);
    });

    it("never shows another organisation's records, either way", async () => {
      const ours = await answer("viewer@watch.example", { queries: { q: person("Ilham Tohti") } });
      assert.ok(!ours.responses.q!.results.some((r) => r.id === ids.elsewhere));
      const theirs = await answer("admin@elsewhere.example", { queries: { q: person("Ilham Tohti"), c: person("Chen Quanguo") } });
      assert.deepEqual(theirs.responses.q!.results.map((r) => r.id), [ids.elsewhere]);
      assert.deepEqual(theirs.responses.c!.results, []);
    });

    it("follows updates and archives", async () => {
      const id = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Rahile Dawut"] } })).id;
      const found = async (name: string) => (await answer("viewer@watch.example", { queries: { q: person(name) } })).responses.q!.results.some((r) => r.id === id);
      assert.equal(await found("Reyila Dawuti"), true);
      await updateEntity(services, FROM, admin, id, { revision: 1, reason: "wrong person", properties: { name: ["Gulshan Abbas"] } });
      assert.equal(await found("Rahile Dawut"), false);
      assert.equal(await found("Gulshan Abbas"), true);
      await setArchived(services, FROM, admin, id, true, { reason: "duplicate" });
      assert.equal(await found("Gulshan Abbas"), false);
    });

    it("refuses a partner, and an unknown list with 404", async () => {
      assert.equal((await match("partner@watch.example", { queries: { q: person("Ilham Tohti") } })).status, 403);
      const res = await match("viewer@watch.example", { queries: { q: person("Ilham Tohti") } }, "", "us_ofac_sdn");
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    });

    it("answers bad input with problem+json naming the query and field", async () => {
      const cases: [unknown, number, string][] = [
        ["{not json", 400, ""],
        [{}, 422, "queries"],
        [{ queries: {} }, 422, "queries"],
        [{ queries: { q: person("") } }, 422, "queries.q.properties.name.0"],
        [{ queries: { q: person("x".repeat(10_000)) } }, 422, "queries.q.properties.name.0"],
        [{ queries: { q: person("!!! ·,- ???") } }, 422, "queries.q.properties.name.0"],
        [{ queries: { q: { schema: "Person", properties: { birthDate: ["1969"] } } } }, 422, "queries.q.properties.name"],
        [{ queries: { q: { schema: "Incident", properties: { name: ["x"] } } } }, 422, "queries.q.schema"],
        [{ queries: { q: { schema: "Person", properties: { name: [42] } } } }, 422, "queries.q.properties.name"],
        [{ queries: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, person("Ilham Tohti")])) }, 422, "queries"],
        [[], 422, ""],
        [{ queries: [] }, 422, "queries"],
        [{ queries: { q: { schema: "Person", properties: "Ilham Tohti" } } }, 422, "queries.q.properties"],
        [{ queries: { q: person("،،، ۔۔ ！？") } }, 422, "queries.q.properties.name.0"],
        [{ queries: { q: { schema: "Person", properties: { name: ["Ilham Tohti"], alias: ["x".repeat(10_000)] } } } }, 422, "queries.q.properties.alias.0"],
        [{ queries: { q: person(...Array.from({ length: 21 }, () => "Ilham Tohti")) } }, 422, "queries.q.properties.name"],
        [{ queries: { q: { schema: "Person", properties: { name: ["Ilham Tohti"], birthDate: ["1".repeat(600)] } } } }, 422, "queries.q.properties.birthDate.0"],
        [{ queries: { q: { schema: "Person", properties: { "not a property": ["x"] } } } }, 422, "queries.q.properties"],
      ];
      for (const [body, status, field] of cases) {
        const res = await match("viewer@watch.example", body);
        assert.equal(res.status, status, `${JSON.stringify(body).slice(0, 80)}: ${await res.clone().text()}`);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
        if (field) {
          const problem = (await res.json()) as { errors?: Record<string, string> };
          assert.ok(Object.keys(problem.errors ?? {}).some((k) => k.startsWith(field)), `${field} in ${JSON.stringify(problem.errors)}`);
        }
      }
      for (const query of ["?threshold=2", "?limit=0", "?limit=1000", "?algorithm=logic-v9", "?limit=abc", "?threshold=-0.1"]) {
        assert.equal((await match("viewer@watch.example", { queries: { q: person("Ilham Tohti") } }, query)).status, 422, query);
      }
      const { client, csrf } = clients.get("viewer@watch.example")!;
      const headers = { "x-csrf-token": csrf, origin: "http://vigil.test" };
      const plain = await client.request("/api/v1/match/default", { method: "POST", body: "name=Ilham", headers: { ...headers, "content-type": "text/plain" } });
      assert.equal(plain.status, 415);
      const huge = JSON.stringify({ queries: { q: person("Ilham Tohti") }, padding: "x".repeat(2 * 1024 * 1024) });
      const tooLarge = await client.request("/api/v1/match/default", { method: "POST", body: huge, headers: { ...headers, "content-type": "application/json" } });
      assert.equal(tooLarge.status, 413);
    });

    it("reads mixed scripts inside one token, and names at the length limit, without failing", async () => {
      const result = await answer("viewer@watch.example", { queries: { mixed: person("Ilhamتوختى"), han: person("陈Quanguo"), long: person(Array.from({ length: 40 }, () => "Ilham").join(" ").slice(0, 200)) } });
      assert.equal(result.responses.mixed!.results[0]?.id, ids.tohti);
      assert.equal(result.responses.mixed!.results[0]?.match, true);
      assert.ok(result.responses.long!.results.length <= 5);
    });
  });
}
