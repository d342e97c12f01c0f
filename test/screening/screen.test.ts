import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import { reportCsv, screenCsv } from "../../src/screening/index.ts";
import { screenCommand } from "../../src/cli/commands.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { runInProcess } from "../../src/cli/main.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FROM: Origin = { requestId: "req-screen", ip: null, userAgent: "test" };

const UPLOAD = [
  "name,schema,birthDate",
  "Ilham Toxti,Person,1969",
  '"CHEN, Quanguo",Person,',
  ",Person,",
  "Xinjiang Huafu Company Limited,Company,",
  `${"x".repeat(300)},Person,`,
  '"!!! ---",Person,',
  "Nobody Known Anywhere,Person,",
  "Ilham Tohti,Incident,",
  "Mihrigul Tursun,Person,",
].join("\n");

for (const target of databaseTargets()) {
  describe(`bulk screening on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let viewer: Actor;
    const ids: Record<string, string> = {};
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      ids.tohti = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["ئىلھام توختى"] } })).id;
      ids.chen = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Чэнь Цюаньго"] } })).id;
      ids.company = (await createEntity(services, FROM, admin, { schema: "Company", properties: { name: ["新疆华孚有限公司"] } })).id;
      ids.restricted = (await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Mihrigul Tursun"] } })).id;
    });
    after(async () => {
      await services.close();
    });

    it("reports each row's best match and every rejected row with its line number", async () => {
      const report = await screenCsv(services, FROM, viewer, UPLOAD);
      const best = Object.fromEntries(report.rows.map((r) => [r.line, r.matches.find((m) => m.result.match)?.id ?? null]));
      assert.deepEqual(best, { 2: ids.tohti, 3: ids.chen, 5: ids.company, 8: null, 10: null });
      assert.deepEqual(report.rejected.map((r) => r.line), [4, 6, 7, 9]);
      assert.match(report.rejected.find((r) => r.line === 6)!.reason, /at most 200 characters/);
      assert.match(report.rejected.find((r) => r.line === 9)!.reason, /unknown schema "Incident"/);
      // The restricted record is not a candidate for a viewer outside its list.
      assert.deepEqual(report.rows.find((r) => r.line === 10)!.matches, []);
      const asAdmin = await screenCsv(services, FROM, admin, UPLOAD);
      assert.equal(asAdmin.rows.find((r) => r.line === 10)!.matches[0]?.id, ids.restricted);
    });

    it("writes the report as CSV, quoting what needs quoting and defusing formulas", async () => {
      const csv = reportCsv(await screenCsv(services, FROM, viewer, 'name\n"=HYPERLINK(""x"")"\nIlham Tohti\n'));
      const lines = csv.trimEnd().split("\r\n");
      assert.equal(lines[0], "line,name,schema,status,match_id,match_caption,match_schema,score,match,explanation");
      assert.ok(lines.some((l) => l.startsWith(`"'=HYPERLINK(""x"")"`) || l.includes(`'=HYPERLINK`)), csv);
      assert.ok(lines.some((l) => l.startsWith("3,Ilham Tohti,Person,match,") && l.includes(ids.tohti!)), csv);
    });

    it("reads a file without a header, with quoted line breaks counted in line numbers", async () => {
      const report = await screenCsv(services, FROM, viewer, '"Ilham\nTohti"\n\n   \nChen Quanguo\n', { threshold: 0.7 });
      assert.deepEqual(report.rows.map((r) => [r.line, r.matches[0]?.id]), [[1, ids.tohti], [5, ids.chen]]);
      // An empty line is skipped; a line of spaces is a row without a name.
      assert.deepEqual(report.rejected.map((r) => r.line), [4]);
      await assert.rejects(screenCsv(services, FROM, viewer, '"not closed\n'), /line 1: a quoted field is not closed/);
      await assert.rejects(screenCsv(services, FROM, viewer, "Ilham Tohti", { threshold: 3 }), /threshold/);
    });

    it("screens from the page, and downloads the same report as CSV", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const page = await client.submit("/screening", "/screening", { csv: UPLOAD, schema: "Person", threshold: "0.8" });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /ئىلھام توختى/);
      assert.match(html, /4 rejected/);
      assert.doesNotMatch(html, new RegExp(ids.restricted!));
      const download = await client.submit("/screening", "/screening/report.csv", { csv: UPLOAD, schema: "Person", threshold: "0.8" });
      assert.equal(download.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.match(download.headers.get("content-disposition") ?? "", /attachment/);
      assert.equal(await download.text(), reportCsv(await screenCsv(services, FROM, viewer, UPLOAD)));
      const empty = await client.submit("/screening", "/screening", { csv: "", schema: "Person", threshold: "0.8" });
      assert.equal(empty.status, 422);
    });

    it("uploads a CSV file as multipart, screens it on the page and downloads the report", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const csrf = csrfFrom(await (await client.get("/screening")).text());
      const upload = (path: string, file: Blob | null, fields: Record<string, string> = {}, token = csrf) => {
        const form = new FormData();
        if (file) form.append("file", file, "names.csv");
        for (const [k, v] of Object.entries({ schema: "Person", threshold: "0.8", ...fields })) form.append(k, v);
        return client.request(`${path}?_csrf=${encodeURIComponent(token)}`, { method: "POST", body: form, headers: { origin: "http://vigil.test" } });
      };
      const page = await upload("/screening", new Blob([UPLOAD], { type: "text/csv" }));
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /ئىلھام توختى/);
      assert.match(html, /4 rejected/);
      assert.doesNotMatch(html, new RegExp(ids.restricted!));
      const download = await upload("/screening/report.csv", new Blob([UPLOAD], { type: "text/csv" }));
      assert.equal(download.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.equal(await download.text(), reportCsv(await screenCsv(services, FROM, viewer, UPLOAD)));
      // Pasted text in the same multipart form, when no file is chosen.
      const pasted = await upload("/screening", null, { csv: "Chen Quanguo" });
      assert.match(await pasted.text(), /Чэнь Цюаньго/);
      // The report page's download form sends the text back as multipart too.
      assert.match(html, /enctype="multipart\/form-data"/);
    });

    it("refuses an upload that is too large, not UTF-8, not a form, or without a token", async () => {
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      const csrf = csrfFrom(await (await client.get("/screening")).text());
      const send = (file: Blob, token = csrf) => {
        const form = new FormData();
        form.append("file", file, "names.csv");
        return client.request(`/screening?_csrf=${encodeURIComponent(token)}`, { method: "POST", body: form, headers: { origin: "http://vigil.test" } });
      };
      const limit = services.config.maxBodyBytes;
      assert.equal((await send(new Blob(["Ilham Tohti\n".repeat(Math.ceil(limit / 12) + 10)]))).status, 413);
      const latin1 = await send(new Blob([Buffer.from("name\nTurs\xfcn\n", "latin1")]));
      assert.equal(latin1.status, 422);
      assert.match(await latin1.text(), /CSV UTF-8/);
      assert.equal((await send(new Blob(["Ilham Tohti"]), "forged")).status, 403);
      const empty = await send(new Blob([""]));
      assert.equal(empty.status, 422, "an empty file and no pasted text");
      const broken = await client.request(`/screening?_csrf=${encodeURIComponent(csrf)}`, { method: "POST", body: "--x\r\nnot multipart", headers: { origin: "http://vigil.test", "content-type": "multipart/form-data" } });
      assert.ok(broken.status >= 400 && broken.status < 500, String(broken.status));
    });

    it("screens a file from the command line, FILE as an argument or --file, without restricted records", async () => {
      const dir = mkdtempSync(join(tmpdir(), "vigil-screen-"));
      writeFileSync(join(dir, "names.csv"), UPLOAD);
      assert.equal(screenCommand.check!({ file: "x.csv", threshold: "0.8" }), null);
      assert.match(screenCommand.check!({ file: "x.csv", threshold: "2" }) ?? "", /threshold/);
      assert.match(screenCommand.check!({}) ?? "", /name the CSV file/);
      for (const args of [["screen", join(dir, "names.csv")], ["screen", "--file", join(dir, "names.csv"), "--threshold", "0.8"]]) {
        // The `vigil` process reads the file and hands its text over as standard input (readsFile).
        const result = await runInProcess(services, args, UPLOAD);
        assert.equal(result.exitCode, 0, result.stderr);
        assert.ok(result.stdout.includes(ids.tohti!));
        assert.ok(!result.stdout.includes(ids.restricted!));
        assert.deepEqual(result.stderr.trim().split("\n").map((l) => /line (\d+)/.exec(l)?.[1]), ["4", "6", "7", "9"]);
      }
      assert.equal(screenCommand.readsFile, "file");
      const twice = await runInProcess(services, ["screen", "a.csv", "--file", "b.csv"], "");
      assert.equal(twice.exitCode, 1);
      assert.match(twice.stderr, /once/);
      const extra = await runInProcess(services, ["screen", "a.csv", "b.csv"], "");
      assert.match(extra.stderr, /unexpected argument/);
      const unknownList = await runInProcess(services, ["screen", "a.csv", "--list", "nope"], UPLOAD);
      assert.equal(unknownList.exitCode, 1);
      assert.match(unknownList.stderr, /no list named "nope"/);
    });
  });
}
