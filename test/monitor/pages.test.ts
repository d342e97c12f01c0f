import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, type EntityView } from "../../src/records/index.ts";
import { getDetention, recordDetention } from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

// The pages are the same whatever the database: the service tests run on both.
const target = databaseTargets()[0]!;

describe("detainee monitoring pages", () => {
  let services: TestServices;
  let editor: Actor;
  let adminEmail = "";
  let source: EntityView;
  let camp: EntityView;
  let person: EntityView;
  before(async () => {
    services = await openTestServices(target);
    const org = await setUpOrganisation(services);
    adminEmail = org.adminEmail;
    const admin = (await sessionFor(services, org.adminEmail)).principal;
    editor = (await addMember(services, admin, "editor", "editor@watch.example")).principal.actor;
    await addMember(services, admin, "viewer", "viewer@watch.example");
    source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Testimony T-3"] } });
    camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Aksu camp"], placeType: ["internment-camp"] } });
    person = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Mihrigul Tursun", { value: "مىھرىگۈل تۇرسۇن", lang: "ug", script: "Arab" }] } });
  });
  after(async () => {
    await services.close();
  });

  async function signedIn(email: string): Promise<Client> {
    const c = Client.for(services);
    await c.signIn(email);
    return c;
  }
  const main = (html: string) => html.slice(html.indexOf("<main"), html.indexOf("</main>"));

  it("records a detention from a person's page, adds a transfer and a proof of life, and shows them on the timeline", async () => {
    const c = await signedIn("editor@watch.example");
    const personPage = await (await c.get(`/records/${person.id}`)).text();
    assert.match(personPage, /<h2 id="detentions-title">Detentions<\/h2>/);
    assert.match(personPage, new RegExp(`href="/monitor/detentions/new\\?person=${person.id}"`));
    const created = await c.submit(`/monitor/detentions/new?person=${person.id}`, `/monitor/detentions/new?person=${person.id}`, { person: person.id, startDate: "2015-04", source: source.id, silenceDays: "60" });
    assert.equal(created.status, 303);
    const location = created.headers.get("location")!;
    assert.match(location, /^\/monitor\/detentions\/[0-9a-f-]{36}\?done=recorded$/);
    const id = location.split("/")[3]!.split("?")[0]!;
    const transfer = await c.submit(`/monitor/detentions/${id}`, `/monitor/detentions/${id}/statuses`, { status: "transferred", date: "2015-06", source: source.id, facility: camp.id });
    assert.equal(transfer.status, 303);
    const proof = await c.submit(`/monitor/detentions/${id}`, `/monitor/detentions/${id}/proofs-of-life`, { date: "2016-01-10", source: source.id, kind: "seen" });
    assert.equal(proof.status, 303);
    const page = main(await (await c.get(`/monitor/detentions/${id}`)).text());
    assert.match(page, /Transferred/);
    assert.match(page, /Aksu camp/);
    assert.match(page, /Proof of life/);
    assert.match(page, /days since the last proof of life/);
    const view = await getDetention(services, NO_ORIGIN, editor, id);
    assert.equal(view.statuses.length, 1);
    assert.equal(view.summary.facilityId, camp.id);
    const after = main(await (await c.get(`/records/${person.id}`)).text());
    assert.match(after, new RegExp(`href="/monitor/detentions/${id}"`));
    assert.match(after, /Aksu camp/);
    const facility = main(await (await c.get(`/monitor/facilities/${camp.id}`)).text());
    assert.match(facility, /Known held there now \(1\)/);
    assert.match(facility, /Mihrigul Tursun|مىھرىگۈل تۇرسۇن/);
    assert.match(main(await (await c.get("/monitor/facilities")).text()), /Aksu camp/);
  });

  it("shows a refused status change on its form with the reason, writing nothing", async () => {
    const other = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Sanubar Tursun"] } });
    const d = await recordDetention(services, NO_ORIGIN, editor, { person: other.id, startDate: "2019-02-10", source: source.id });
    const c = await signedIn("editor@watch.example");
    const res = await c.submit(`/monitor/detentions/${d.detention.id}`, `/monitor/detentions/${d.detention.id}/statuses`, { status: "released", date: "2019-01", source: source.id });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /is before the detention began \(2019-02-10\)/);
    assert.match(html, /href="#f-status-date"/);
    assert.match(html, /id="f-status-date"[^>]*value="2019-01"|value="2019-01"[^>]*id="f-status-date"/);
    assert.equal((await getDetention(services, NO_ORIGIN, editor, d.detention.id)).statuses.length, 0);
    const missing = await c.submit(`/monitor/detentions/${d.detention.id}`, `/monitor/detentions/${d.detention.id}/proofs-of-life`, { date: "2019-03" });
    assert.equal(missing.status, 422);
    assert.match(await missing.text(), /cite the source that reports it/);
  });

  it("gives viewers the pages without the forms, and refuses them the forms' actions", async () => {
    const d = await recordDetention(services, NO_ORIGIN, editor, { person: person.id, startDate: "2023", source: source.id, confirmOverlap: true });
    const c = await signedIn("viewer@watch.example");
    const page = await (await c.get(`/monitor/detentions/${d.detention.id}`)).text();
    assert.doesNotMatch(page, /\/statuses"/);
    assert.equal((await c.get(`/monitor/detentions/new?person=${person.id}`)).status, 403);
    assert.doesNotMatch(await (await c.get(`/records/${person.id}`)).text(), /monitor\/detentions\/new/);
  });

  it("speaks Uyghur right to left and Chinese on every page", async () => {
    const d = await recordDetention(services, NO_ORIGIN, editor, { person: person.id, startDate: "2024-02", source: source.id, confirmOverlap: true });
    const c = await signedIn(adminEmail);
    const pages = [`/monitor/detentions/${d.detention.id}`, `/monitor/detentions/new?person=${person.id}`, "/monitor/facilities", `/monitor/facilities/${camp.id}`, `/records/${person.id}`];
    const expected: Record<string, [RegExp, RegExp]> = {
      ug: [/<html lang="ug" dir="rtl">/, /تۇتۇپ تۇرۇش|ئورۇنلار/],
      "zh-Hans": [/<html lang="zh-Hans" dir="ltr">/, /羁押|设施/],
      en: [/<html lang="en" dir="ltr">/, /[Dd]etention|Facilities/],
    };
    for (const [locale, [html, words]] of Object.entries(expected)) {
      await c.get(`/language/${locale}?back=/`);
      for (const path of pages) {
        const res = await c.get(path);
        assert.equal(res.status, 200, `${locale} ${path}`);
        const text = await res.text();
        assert.match(text, html, `${locale} ${path}`);
        assert.match(main(text), words, `${locale} ${path}`);
        assert.doesNotMatch(main(text), /monitor\.[a-z]+\.[a-zA-Z]+/, `${locale} ${path}: an untranslated key`);
      }
    }
  });
});
