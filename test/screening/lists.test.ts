import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, setArchived } from "../../src/records/index.ts";
import { addListMembers, createList, getList, listLists, removeListMembers, screenCsv, setListArchived } from "../../src/screening/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";

const FROM: Origin = { requestId: "req-lists", ip: null, userAgent: "test" };

interface Answer {
  responses: Record<string, { results: { id: string; match: boolean }[]; total: { value: number; relation: string } }>;
}

for (const target of databaseTargets()) {
  describe(`named lists on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    const ids: Record<string, string> = {};
    const body = (value: unknown) => async () => value;
    const clients = new Map<string, { client: Client; csrf: string }>();

    async function api(email: string, method: string, path: string, payload?: unknown): Promise<Response> {
      let entry = clients.get(email);
      if (!entry) {
        const client = Client.for(services);
        await client.signIn(email);
        entry = { client, csrf: csrfFrom(await (await client.get("/account")).text()) };
        clients.set(email, entry);
      }
      return entry.client.request(path, {
        method,
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        headers: { "content-type": "application/json", "x-csrf-token": entry.csrf, origin: "http://vigil.test" },
      });
    }

    const matchOn = async (email: string, list: string, name: string) => api(email, "POST", `/api/v1/match/${list}`, { queries: { q: { schema: "Person", properties: { name: [name] } } } });

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      await addMember(services, adminSession.principal, "partner", "partner@watch.example");
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      ids.chen = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["陈全国"] } })).id;
      ids.zhu = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["朱海仑"] } })).id;
      ids.chenOther = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Chen Quanguo"], birthDate: ["1955-11"] } })).id;
      ids.secret = (await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Wang Junzheng"] } })).id;
      ids.theirs = (await createEntity(services, FROM, outsider, { schema: "Person", properties: { name: ["Chen Quanguo"] } })).id;
      // Another organisation has a list of the same name: it is never ours to see.
      await createList(services, FROM, outsider, { name: "officials", title: "Their officials" });
      await addListMembers(services, FROM, outsider, "officials", body({ ids: [ids.theirs] }));
    });
    after(async () => {
      await services.close();
    });

    it("makes a list and screens against its members only", async () => {
      const made = await createList(services, FROM, researcher, { name: "officials", title: "Sanctioned officials" });
      assert.deepEqual([made.name, made.title, made.members, made.archived], ["officials", "Sanctioned officials", 0, null]);
      const list = await addListMembers(services, FROM, researcher, "officials", body({ ids: [ids.chen, ids.zhu] }));
      assert.deepEqual(list.entries.map((e) => [e.id, e.caption]).sort(), [[ids.chen, "陈全国"], [ids.zhu, "朱海仑"]].sort());
      // The same name is on two records; only the member is a candidate on the list.
      const onList = (await (await matchOn("viewer@watch.example", "officials", "Chen Quanguo")).json()) as Answer;
      assert.deepEqual(onList.responses.q!.results.map((r) => r.id), [ids.chen]);
      const everything = (await (await matchOn("viewer@watch.example", "default", "Chen Quanguo")).json()) as Answer;
      assert.deepEqual(everything.responses.q!.results.map((r) => r.id).sort(), [ids.chen, ids.chenOther].sort());
      // Bulk screening and the CLI take the list too.
      const report = await screenCsv(services, FROM, viewer, "name\nChen Quanguo\nZhu Hailun\n", { list: "officials" });
      assert.deepEqual(report.rows.map((r) => r.matches.map((m) => m.id)), [[ids.chen], [ids.zhu]]);
    });

    it("never finds another organisation's list, an unknown list or an archived one: 404", async () => {
      const outsiders = await matchOn("admin@elsewhere.example", "officials", "Chen Quanguo");
      assert.equal(outsiders.status, 200, "their own list of the same name is theirs");
      assert.deepEqual(((await outsiders.json()) as Answer).responses.q!.results.map((r) => r.id), [ids.theirs]);
      for (const list of ["no-such-list", "UPPER", "a".repeat(65), "..%2F..", "default-x"]) {
        const res = await matchOn("viewer@watch.example", list, "Chen Quanguo");
        assert.equal(res.status, 404, list);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
      }
      await createList(services, FROM, admin, { name: "old", title: "An old list" });
      await setListArchived(services, FROM, admin, "old", true, body({ reason: "superseded" }));
      assert.equal((await matchOn("viewer@watch.example", "old", "Chen Quanguo")).status, 404);
      await setListArchived(services, FROM, admin, "old", false, body({ reason: "needed after all" }));
      assert.equal((await matchOn("viewer@watch.example", "old", "Chen Quanguo")).status, 200);
      await assert.rejects(getList(services, FROM, outsider, "old"), NotFound);
    });

    it("refuses records the caller may not see, by position, and lists only what each reader may see", async () => {
      await assert.rejects(addListMembers(services, FROM, researcher, "officials", body({ ids: [ids.chenOther, ids.secret, ids.theirs] })), (error: unknown) => {
        assert.ok(error instanceof Invalid);
        assert.deepEqual(Object.keys(error.fields).sort(), ["ids.1", "ids.2"]);
        return true;
      });
      assert.equal((await getList(services, FROM, researcher, "officials")).members, 2, "nothing was added");
      await addListMembers(services, FROM, admin, "officials", body({ ids: [ids.secret] }));
      assert.equal((await getList(services, FROM, admin, "officials")).members, 3);
      const asViewer = await getList(services, FROM, viewer, "officials");
      assert.equal(asViewer.members, 2);
      assert.ok(!asViewer.entries.some((e) => e.id === ids.secret));
      const res = await matchOn("viewer@watch.example", "officials", "Wang Junzheng");
      assert.deepEqual(((await res.json()) as Answer).responses.q!.results, []);
    });

    it("removes with a reason, keeps the row, and re-adds", async () => {
      await assert.rejects(removeListMembers(services, FROM, researcher, "officials", body({ ids: [ids.zhu] })), Invalid);
      await assert.rejects(removeListMembers(services, FROM, researcher, "officials", body({ ids: [ids.chenOther], reason: "x" })), Invalid, "not a member");
      const after = await removeListMembers(services, FROM, researcher, "officials", body({ ids: [ids.zhu], reason: "delisted" }));
      assert.ok(!after.entries.some((e) => e.id === ids.zhu));
      const row = await services.db.selectFrom("entity_list_members").selectAll().where("entity_id", "=", ids.zhu!).executeTakeFirstOrThrow();
      assert.equal(row.removal_reason, "delisted");
      assert.equal(row.removed_by, researcher.userId);
      const report = await screenCsv(services, FROM, viewer, "Zhu Hailun", { list: "officials" });
      assert.deepEqual(report.rows[0]!.matches, []);
      await addListMembers(services, FROM, researcher, "officials", body({ ids: [ids.zhu] }));
      assert.ok((await getList(services, FROM, researcher, "officials")).entries.some((e) => e.id === ids.zhu));
      const audit = await services.db.selectFrom("audit_events").select("action").where("action", "like", "names.list.%").where("org_id", "=", admin.orgId).execute();
      assert.deepEqual(new Set(audit.map((a) => a.action)), new Set(["names.list.create", "names.list.add", "names.list.remove", "names.list.archive", "names.list.restore"]));
    });

    it("lets every reader see lists and only those who document change them", async () => {
      assert.ok((await listLists(services, FROM, viewer)).some((l) => l.name === "officials"));
      assert.ok(!(await listLists(services, FROM, outsider)).some((l) => l.title === "Sanctioned officials"));
      await assert.rejects(createList(services, FROM, viewer, { name: "mine", title: "Mine" }), Forbidden);
      await assert.rejects(addListMembers(services, FROM, viewer, "officials", body({ ids: [ids.chenOther] })), Forbidden);
      await assert.rejects(createList(services, FROM, researcher, { name: "officials", title: "Again" }), Conflict);
      for (const name of ["default", "Has Space", "", "x".repeat(65)]) await assert.rejects(createList(services, FROM, researcher, { name, title: "t" }), Invalid, name);
      assert.equal((await api("partner@watch.example", "GET", "/api/v1/lists")).status, 403);
      assert.equal((await matchOn("partner@watch.example", "officials", "Chen Quanguo")).status, 403);
      assert.equal((await api("viewer@watch.example", "POST", "/api/v1/lists", { name: "v", title: "v" })).status, 403);
    });

    it("keeps an archived member on the list and never screens against it", async () => {
      const id = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Huo Liujun"] } })).id;
      await addListMembers(services, FROM, admin, "officials", body({ ids: [id] }));
      await setArchived(services, FROM, admin, id, true, { reason: "entered by mistake" });
      assert.ok((await getList(services, FROM, admin, "officials")).entries.some((e) => e.id === id));
      const report = await screenCsv(services, FROM, admin, "Huo Liujun", { list: "officials" });
      assert.deepEqual(report.rows[0]!.matches, []);
    });

    it("serves the lists over JSON and as pages", async () => {
      const created = await api("researcher@watch.example", "POST", "/api/v1/lists", { name: "witness-names", title: "Names witnesses gave" });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get("location"), "/api/v1/lists/witness-names");
      const added = await api("researcher@watch.example", "POST", "/api/v1/lists/witness-names/members", { ids: [ids.chen] });
      assert.equal(added.status, 200, await added.clone().text());
      assert.deepEqual(((await added.json()) as { entries: { id: string }[] }).entries.map((e) => e.id), [ids.chen]);
      const bad = await api("researcher@watch.example", "POST", "/api/v1/lists/witness-names/members", { ids: ["not-an-id"] });
      assert.equal(bad.status, 422);
      assert.equal((await api("admin@elsewhere.example", "GET", "/api/v1/lists/witness-names")).status, 404);
      const removed = await api("researcher@watch.example", "POST", "/api/v1/lists/witness-names/members/remove", { ids: [ids.chen], reason: "wrong person" });
      assert.equal(((await removed.json()) as { members: number }).members, 0);

      const client = Client.for(services);
      await client.signIn("researcher@watch.example");
      const made = await client.submit("/lists", "/lists", { name: "page-list", title: "Made on the page" });
      assert.equal(made.status, 303);
      assert.equal(made.headers.get("location"), "/lists/page-list?done=created");
      const add = await client.submit("/lists/page-list", "/lists/page-list/members", { ids: `${ids.chen}\n${ids.zhu}` });
      assert.equal(add.status, 303);
      const page = await (await client.get("/lists/page-list?done=added")).text();
      assert.match(page, /陈全国/);
      assert.match(page, /朱海仑/);
      const refused = await client.submit("/lists/page-list", "/lists/page-list/members", { ids: ids.secret! });
      assert.equal(refused.status, 422);
      assert.doesNotMatch(await refused.text(), /Wang Junzheng/);
      const viewerClient = Client.for(services);
      await viewerClient.signIn("viewer@watch.example");
      const asViewer = await (await viewerClient.get("/lists/page-list")).text();
      assert.match(asViewer, /陈全国/);
      assert.doesNotMatch(asViewer, /name="ids"/, "no forms for a reader who may not change the list");
    });
  });
}
