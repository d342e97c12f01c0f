import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Conflict, Forbidden, Invalid, NotFound, openZip, Sealed, type Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, type EntityView } from "../../src/records/index.ts";
import { linkEvidence, operatorCaller, personCaller, receiveEvidence, sealVault, unsealVault, type Caller } from "../../src/evidence/index.ts";
import { createDossier, dossierOdt, getDossier, prepareDossierExport, recordPost, responsibilityMap, reviewLink, startDossierPackage, trackDossier, updateDossier } from "../../src/accountability/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";
import { containsText, pdfText } from "../helpers/pdf-text.ts";
import { makeKeys, PASSPHRASE } from "../evidence/helpers.ts";

async function collect(write: (sink: import("node:stream").Writable) => Promise<void>): Promise<Buffer> {
  const { PassThrough } = await import("node:stream");
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c));
  await write(sink);
  sink.end();
  return Buffer.concat(chunks);
}

async function zipOf(bytes: Buffer) {
  const path = join(mkdtempSync(join(tmpdir(), "vigil-dossier-")), "out.zip");
  writeFileSync(path, bytes);
  return openZip(path);
}

for (const target of databaseTargets()) {
  describe(`referral dossiers on ${target.name}`, () => {
    let services: TestServices;
    let orgId: string;
    let admin: Actor;
    let editor: Actor;
    let editorCaller: Caller;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    let source: EntityView;
    let bureau: EntityView;
    let company: EntityView;
    let camp: EntityView;
    let official: EntityView;
    let torture: EntityView;
    let hidden: EntityView;
    let exhibitId: string;
    const exhibitBytes = Buffer.from("photograph of the camp gate, 2018");
    let editorEmail: string;
    let viewerEmail: string;

    before(async () => {
      services = await openTestServices(target, { dataDir: mkdtempSync(join(tmpdir(), "vigil-dossiers-")) });
      const o = await setUpOrganisation(services);
      orgId = o.orgId;
      const adminSession = await sessionFor(services, o.adminEmail);
      admin = adminSession.principal.actor;
      const ed = await addMember(services, adminSession.principal, "editor", "editor@watch.example");
      editor = ed.principal.actor;
      editorCaller = personCaller(ed.principal);
      editorEmail = "editor@watch.example";
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      viewerEmail = "viewer@watch.example";
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      await makeKeys(services, orgId);
      source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Testimony of a former detainee"], sourceType: ["testimony"], reliability: ["probable"] } });
      company = await createEntity(services, NO_ORIGIN, editor, { schema: "Company", properties: { name: ["Xinjiang Guard Services Co."], registrationNumber: ["91650100MA77"] } });
      bureau = await createEntity(services, NO_ORIGIN, editor, { schema: "PublicBody", properties: { name: ["Kashgar Prefecture Public Security Bureau"] } });
      camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Kashgar camp 3"], placeType: ["internment-camp"], operator: [{ value: bureau.id, source: source.id }] } });
      official = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Wang Mingshan"], alias: [{ value: "王明山", lang: "zh" }], birthDate: ["1964"], nationality: ["cn"] } });
      await recordPost(services, NO_ORIGIN, editor, official.id, { title: "Director", unit: bureau.id, startDate: "2017-01", endDate: "2019-12", source: source.id });
      torture = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Torture of detainees in camp 3"], violation: ["torture"], date: ["2018-04"], place: [{ value: camp.id, source: source.id }], description: ["Detainees were beaten during interrogations."] } });
      hidden = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", restricted: true, properties: { name: ["Death of a protected witness's brother"], violation: ["death-in-custody"], date: ["2018-07"], place: [camp.id] } });
      const guarded = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Guarding of camp 3"], violation: ["arbitrary-detention"], date: ["2018"] } });
      await createEntity(services, NO_ORIGIN, editor, { schema: "Involvement", properties: { incident: [guarded.id], participant: [company.id], role: ["alleged-perpetrator"] } });
      exhibitId = (await receiveEvidence(services, NO_ORIGIN, operatorCaller(orgId), { source: [exhibitBytes], filename: "gate.txt", claimedType: null })).id;
      await linkEvidence(services, NO_ORIGIN, editorCaller, torture.id, { evidence: exhibitId, reason: "shows the gate the testimony describes" });
    });
    after(async () => {
      await services.close();
    });

    it("drafts a dossier about an official, with the acts, exhibits and sources a referral asks for, restricted acts left out", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id, fields: { title: "Referral: Wang Mingshan", programme: "US Global Magnitsky (E.O. 13818)", requestedMeasures: ["Asset freeze", "Visa ban"] } });
      assert.match(dossier.reference, /^D-[A-Z2-9]{8}$/);
      assert.equal(dossier.status, "draft");
      assert.deepEqual(dossier.events.map((e) => e.kind), ["drafted"]);
      const { document } = await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, dossier.id, "print", { log: false });
      assert.equal(document.subject.name, "Wang Mingshan");
      assert.deepEqual(document.subject.names, [{ value: "王明山", lang: "zh" }]);
      assert.deepEqual(document.subject.identifiers.map((i) => i.label), ["Date of birth", "Nationality"]);
      assert.deepEqual(document.posts.map((p) => [p.position, p.unit, p.from, p.to]), [["Director", "Kashgar Prefecture Public Security Bureau", "2017-01", "2019-12"]]);
      assert.deepEqual(document.acts.map((a) => [a.name, a.date, a.place, a.violations]), [["Torture of detainees in camp 3", "2018-04", "Kashgar camp 3", ["Torture"]]]);
      assert.match(document.acts[0]!.responsibility[0]!, /while Wang Mingshan held the post of Director \(2017-01 to 2019-12\)/);
      assert.equal(document.acts[0]!.description, "Detainees were beaten during interrogations.");
      assert.deepEqual(document.sources.map((s) => [s.number, s.name, s.type, s.reliability]), [[1, "Testimony of a former detainee", "Testimony", "Probable"]]);
      assert.deepEqual(document.acts[0]!.sources, [1]);
      assert.deepEqual(document.exhibits.map((e) => [e.number, e.evidenceId, e.supports]), [[1, exhibitId, ["A-1"]]]);
      assert.equal(document.omitted.restricted, 1, "the restricted incident is counted, not shown");
      assert.ok(!JSON.stringify(document).includes("protected witness"));
      const withRestricted = await updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: dossier.revision, fields: { includeRestricted: true }, reason: "the recipient is cleared" });
      const full = (await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, withRestricted.id, "print", { log: false })).document;
      assert.ok(full.acts.some((a) => a.recordId === hidden.id), "the editor made the restricted incident and may include it");
      const forViewer = (await prepareDossierExport(services, NO_ORIGIN, viewer, editorCaller, withRestricted.id, "print", { log: false })).document;
      assert.ok(!forViewer.acts.some((a) => a.recordId === hidden.id), "a reader not on its access list never gets it, whatever the dossier says");
    });

    it("leaves out links an analyst dismissed and acts the author excluded", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id });
      assert.equal(dossier.fields.title, "Referral");
      const link = (await responsibilityMap(services, NO_ORIGIN, researcher, official.id)).command.find((l) => l.record.id === torture.id)!;
      await reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "dismissed", reason: "the dates are doubtful" });
      let doc = (await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, dossier.id, "print", { log: false })).document;
      assert.deepEqual(doc.acts, []);
      assert.equal(doc.omitted.dismissed, 1);
      await reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "reopened", reason: "the roster confirms the dates" });
      const edited = await updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: 1, fields: { excludedActs: [torture.id] } });
      doc = (await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, edited.id, "print", { log: false })).document;
      assert.deepEqual(doc.acts, []);
      assert.equal(doc.omitted.excluded, 1);
    });

    it("drafts a dossier about a company from what happened in its own units", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: company.id, fields: { title: "Referral: Xinjiang Guard Services" } });
      const { document } = await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, dossier.id, "print", { log: false });
      assert.equal(document.subject.kind, "organisation");
      assert.deepEqual(document.subject.identifiers, [{ label: "Registration number", values: ["91650100MA77"] }]);
      assert.deepEqual(document.acts.map((a) => a.name), ["Guarding of camp 3"]);
    });

    it("refuses bad input, lower roles and other organisations, writing nothing", async () => {
      const count = async () => Number((await services.db.selectFrom("referral_dossiers").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
      const before = await count();
      await assert.rejects(createDossier(services, NO_ORIGIN, editor, { subject: "00000000-0000-4000-8000-000000000000" }), (e: unknown) => e instanceof Invalid && e.fields.subject === "no such person or organisation");
      await assert.rejects(createDossier(services, NO_ORIGIN, editor, { subject: torture.id }), (e: unknown) => e instanceof Invalid && /person or an organisation/.test(e.fields.subject ?? ""));
      await assert.rejects(createDossier(services, NO_ORIGIN, editor, { subject: official.id, fields: { title: "" } }), Invalid);
      await assert.rejects(createDossier(services, NO_ORIGIN, editor, { subject: official.id, fields: { colour: "red" } }), Invalid);
      await assert.rejects(createDossier(services, NO_ORIGIN, researcher, { subject: official.id }), Forbidden);
      await assert.rejects(createDossier(services, NO_ORIGIN, outsider, { subject: official.id }), Invalid);
      assert.equal(await count(), before);
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id });
      await assert.rejects(getDossier(services, NO_ORIGIN, outsider, dossier.id), NotFound);
      await assert.rejects(updateDossier(services, NO_ORIGIN, researcher, dossier.id, { revision: 1, fields: { title: "x" } }), Forbidden);
      await assert.rejects(updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: 1, fields: { title: "  " } }), Invalid);
      await updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: 1, fields: { summary: "First." } });
      await assert.rejects(updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: 1, fields: { summary: "Second." } }), Conflict);
      assert.equal((await getDossier(services, NO_ORIGIN, viewer, dossier.id)).fields.summary, "First.");
    });

    it("tracks submissions and outcomes with their history, in order", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id });
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "outcome", outcome: "designated", date: "2026-01-05" }), (e: unknown) => e instanceof Invalid && /submission first/.test(e.message));
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "OFAC", date: "2099-01-01" }), (e: unknown) => e instanceof Invalid && e.fields.date === "is in the future");
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "", date: "2026-01-02" }), Invalid);
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "OFAC", date: "2026-02-30" }), Invalid);
      await assert.rejects(trackDossier(services, NO_ORIGIN, researcher, dossier.id, { kind: "submitted", recipient: "OFAC", date: "2026-01-02" }), Forbidden);
      let view = await trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "US Treasury, OFAC", date: "2025-11-02", summary: "by the secure portal" });
      assert.equal(view.status, "submitted");
      await trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "UK FCDO", date: "2025-11-03" });
      view = await trackDossier(services, NO_ORIGIN, admin, dossier.id, { kind: "outcome", outcome: "designated", recipient: "US Treasury, OFAC", date: "2025-11-20" });
      assert.equal(view.status, "decided");
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "status", status: "draft", summary: "oops" }), Invalid);
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "status", status: "closed" }), Invalid);
      view = await trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "status", status: "closed", summary: "designated by the US; the UK declined to answer" });
      await assert.rejects(trackDossier(services, NO_ORIGIN, editor, dossier.id, { kind: "submitted", recipient: "EU", date: "2025-11-21" }), Conflict);
      await assert.rejects(updateDossier(services, NO_ORIGIN, editor, dossier.id, { revision: 1, fields: { title: "x" } }), Conflict);
      assert.deepEqual(view.events.map((e) => [e.kind, e.recipient, e.statusTo]), [["drafted", "", "draft"], ["submitted", "US Treasury, OFAC", "submitted"], ["submitted", "UK FCDO", null], ["outcome", "US Treasury, OFAC", "decided"], ["status", "", "closed"]]);
    });

    it("writes an OpenDocument text a word processor opens: mimetype first and stored, the official's name in its content", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id, fields: { title: "Referral <&> Wang" } });
      const { document } = await prepareDossierExport(services, NO_ORIGIN, editor, editorCaller, dossier.id, "odt");
      const odt = await dossierOdt(document);
      assert.equal(odt.subarray(30, 38).toString("latin1"), "mimetype");
      assert.equal(odt.subarray(38, 38 + 39).toString("latin1"), "application/vnd.oasis.opendocument.text");
      const zip = await zipOf(odt);
      assert.deepEqual(zip.entries.map((e) => e.name), ["mimetype", "META-INF/manifest.xml", "styles.xml", "meta.xml", "content.xml"]);
      const content = (await zip.read("content.xml")).toString("utf8");
      await zip.close();
      assert.match(content, /Wang Mingshan/);
      assert.match(content, /Referral &lt;&amp;&gt; Wang/);
      assert.match(content, /Torture of detainees in camp 3/);
      const events = (await getDossier(services, NO_ORIGIN, editor, dossier.id)).events;
      assert.deepEqual(events.map((e) => e.kind), ["drafted", "exported"]);
    });

    it("packages the PDF, the editable document and the decrypted exhibits, each exhibit a custody event; refused while sealed", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id });
      await sealVault(services, NO_ORIGIN, operatorCaller(orgId));
      const exported = async () => (await services.db.selectFrom("audit_events").select("id").where("action", "=", "evidence.export").execute()).length;
      const before = await exported();
      await assert.rejects(startDossierPackage(services, NO_ORIGIN, editor, editorCaller, dossier.id), (e: unknown) => e instanceof Sealed && e.status === 503 && /unseal/.test(e.message));
      assert.equal(await exported(), before);
      assert.deepEqual((await getDossier(services, NO_ORIGIN, editor, dossier.id)).events.map((e) => e.kind), ["drafted"], "nothing exported while sealed");
      const client = Client.for(services);
      await client.signIn(editorEmail);
      const sealedPage = await (await client.get(`/dossiers/${dossier.id}`)).text();
      assert.match(sealedPage, /The vault is sealed/);
      assert.doesNotMatch(sealedPage, /\/package"/, "the package is not offered while sealed");
      const refusedPackage = await client.get(`/api/v1/dossiers/${dossier.id}/package`);
      assert.equal(refusedPackage.status, 503);
      assert.match(((await refusedPackage.json()) as { detail: string }).detail, /vault is sealed/);
      await unsealVault(services, NO_ORIGIN, operatorCaller(orgId), { passphrase: PASSPHRASE });
      const { write } = await startDossierPackage(services, NO_ORIGIN, editor, editorCaller, dossier.id);
      const zip = await zipOf(await collect(write));
      const names = zip.entries.map((e) => e.name);
      assert.ok(names.some((n) => n.endsWith(".pdf")) && names.some((n) => n.endsWith(".odt")), names.join(", "));
      const exhibit = await zip.read("exhibits/E-1.txt");
      assert.deepEqual(exhibit, exhibitBytes);
      const manifest = JSON.parse((await zip.read("manifest.json")).toString("utf8")) as { exhibits: { sha256: string; evidenceId: string }[] };
      await zip.close();
      assert.equal(manifest.exhibits[0]!.sha256, createHash("sha256").update(exhibitBytes).digest("hex"));
      assert.equal(await exported(), before + 1);
      const leaf = await services.db.selectFrom("audit_events").select(["details"]).where("action", "=", "evidence.export").orderBy("id", "desc").executeTakeFirstOrThrow();
      assert.equal((leaf.details as { dossier: string }).dossier, dossier.reference);
      assert.deepEqual((await getDossier(services, NO_ORIGIN, editor, dossier.id)).events.map((e) => e.kind), ["drafted", "exported"]);
    });

    it("serves the PDF, the pages and the forms over HTTP, in Uyghur too", async () => {
      const dossier = await createDossier(services, NO_ORIGIN, editor, { subject: official.id, fields: { title: "Referral for Wang Mingshan" } });
      const client = Client.for(services);
      await client.signIn(editorEmail);
      const pdf = await client.get(`/api/v1/dossiers/${dossier.id}/pdf`);
      assert.equal(pdf.status, 200);
      assert.equal(pdf.headers.get("content-type"), "application/pdf");
      const bytes = Buffer.from(await pdf.arrayBuffer());
      assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.ok(containsText(pdfText(bytes), "Wang Mingshan"));
      const page = await client.get(`/dossiers/${dossier.id}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Torture of detainees in camp 3/);
      assert.match(html, new RegExp(dossier.reference));
      const official_ = await client.get(`/officials/${official.id}`);
      assert.match(await official_.text(), /Director/);
      const refused = await client.submit(`/officials/${official.id}`, `/officials/${official.id}/reviews`, { link: `${"direct"}:${torture.id}`, decision: "dismissed", reason: "" });
      assert.equal(refused.status, 422);
      const cycle = await client.submit(`/units/${bureau.id}`, `/units/${bureau.id}/parent`, { parent: bureau.id, revision: "1", reason: "test" });
      assert.equal(cycle.status, 422);
      assert.match(await cycle.text(), /cycle/);
      const badDate = await client.submit(`/officials/${official.id}`, `/officials/${official.id}/posts`, { title: "Deputy", startDate: "early 2015" });
      assert.equal(badDate.status, 422);
      assert.match(await badDate.text(), /EDTF/);
      const ug = await client.get(`/officials/${official.id}`, { "accept-language": "ug" });
      assert.equal(ug.status, 200);
      const viewerClient = Client.for(services);
      await viewerClient.signIn(viewerEmail);
      assert.equal((await viewerClient.get(`/dossiers/${dossier.id}`)).status, 200);
      const tracked = await viewerClient.submit(`/dossiers/${dossier.id}`, `/dossiers/${dossier.id}/events`, { kind: "submitted", recipient: "OFAC", date: "2025-01-01" }).catch(() => null);
      assert.ok(tracked === null || tracked.status === 403, "a viewer cannot track a dossier");
      const record = await client.get(`/records/${official.id}`);
      assert.match(await record.text(), /career-heading/, "the person's record page shows the career");
    });
  });
}
