import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { SMTPServer } from "smtp-server";
import { XMLParser } from "fast-xml-parser";
import { NO_ORIGIN, type Services } from "../../src/context.ts";
import { Forbidden, Invalid, type Actor } from "../../src/core/index.ts";
import { openDatabase, type Database } from "../../src/db/index.ts";
import { enqueueJob, JobRunner } from "../../src/jobs/index.ts";
import { createEntity } from "../../src/records/index.ts";
import {
  acknowledgeAlert, createFeed, createWebhook, revokeWebhook, webhookDeliveries, emailJob, EVALUATE_JOB, evaluateAlertsJob, inbox, listAlerts, readFeed, subscribe, unreadCount, updateRules, verifyWebhook, webhookJob,
} from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const DAY = 86_400_000;
const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000, concurrency: 1 };
const DEFINITIONS = [evaluateAlertsJob, emailJob, webhookJob];

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** A local SMTP server speaking real SMTP; `refuse` and `hang` make the next connections fail. */
async function startSmtp() {
  const received: Mail[] = [];
  const control = { refuse: 0, hang: 0 };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "vigil" && auth.password === "s3cret-pass") callback(null, { user: auth.username });
      else callback(new Error("bad credentials"));
    },
    onConnect(_session, callback) {
      // Never greets: the client's greeting timeout fires.
      if (control.hang > 0) {
        control.hang--;
        return;
      }
      callback();
    },
    onRcptTo(_address, _session, callback) {
      if (control.refuse > 0) {
        control.refuse--;
        const error = new Error("mailbox busy, try later") as Error & { responseCode: number };
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, control, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A local HTTP endpoint recording each POST; `hang` leaves the next requests unanswered. */
async function startEndpoint() {
  const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
  const control = { hang: 0 };
  const hanging: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (control.hang > 0) {
        control.hang--;
        hanging.push(req);
        return;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`;
  return {
    url, received, control,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function unfoldedMail(data: string): string {
  // Quoted-printable soft breaks and encoded characters, enough to search the text.
  return data.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** RFC 4287 §4.1.1 and §4.1.2: a feed has id, title, updated (and an author, here on the feed); each entry id, title, updated, and content or an alternate link. */
function parseAtom(xml: string) {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => name === "entry" || name === "link" });
  const doc = parser.parse(xml, true) as { feed?: Record<string, unknown> & { "@xmlns"?: string; entry?: Record<string, unknown>[] } };
  const feed = doc.feed;
  assert.ok(feed, "the document's root is a feed");
  assert.equal(feed["@xmlns"], "http://www.w3.org/2005/Atom");
  for (const name of ["id", "title", "updated", "author"]) assert.ok(feed[name] !== undefined, `the feed has ${name}`);
  assert.ok(!Number.isNaN(Date.parse(String(feed.updated))), "updated is a date-time");
  for (const entry of feed.entry ?? []) {
    for (const name of ["id", "title", "updated"]) assert.ok(entry[name] !== undefined, `an entry has ${name}`);
    assert.match(String(entry.id), /^urn:uuid:[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(String(entry.updated))));
    const links = (entry.link ?? []) as { "@rel"?: string; "@href": string }[];
    assert.ok(entry.content !== undefined || links.some((l) => (l["@rel"] ?? "alternate") === "alternate"), "an entry has content or an alternate link");
  }
  return feed;
}

for (const target of databaseTargets()) {
  describe(`alerts and notifications on ${target.name}`, () => {
    let services: TestServices;
    let other: Services;
    let otherDatabase: Database | null = null;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
    let admin: Actor;
    let editor: Actor;
    let viewer: Actor;
    let researcher: Actor;
    let partner: Actor;
    let outsider: Actor;
    let editorEmail = "";
    let webhookSecret = "";
    let feedToken = "";

    /** A person and their detention as records, and the projection row set here directly to the exact state the rules read (the records-changed listener wrote one first). */
    async function detainee(name: string, lastProofOfLife: Date, extra: { guarded?: boolean } = {}) {
      const person = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: [name] } });
      const detention = await createEntity(services, NO_ORIGIN, editor, { schema: "Detention", properties: { person: [person.id], startDate: ["2024-02-01"] } });
      await sql`
        insert into monitor_detentions (detention_id, org_id, person_id, status, status_earliest, status_latest, started_earliest, started_latest, last_proof_of_life, ongoing, guarded)
        values (${detention.id}, ${editor.orgId}, ${person.id}, 'in-custody', '2024-02-01', '2024-02-01', '2024-02-01', '2024-02-01', ${isoDay(lastProofOfLife)}, true, ${extra.guarded ?? false})
        on conflict (detention_id) do update set status = excluded.status, status_earliest = excluded.status_earliest, status_latest = excluded.status_latest,
          started_earliest = excluded.started_earliest, started_latest = excluded.started_latest, last_proof_of_life = excluded.last_proof_of_life, ongoing = excluded.ongoing, guarded = excluded.guarded`.execute(services.db);
      return { person, detention };
    }

    before(async () => {
      smtp = await startSmtp();
      endpoint = await startEndpoint();
      services = await openTestServices(target, {
        smtpUrl: `smtp://vigil:s3cret-pass@127.0.0.1:${smtp.port}`,
        mailFrom: "Vigil <alerts@watch.example>",
        smtpTimeoutMs: 400,
        webhookTimeoutMs: 400,
        publicUrl: "https://vigil.watch.example",
      });
      if (target.name === "postgres") {
        const name = (await sql<{ db: string }>`select current_database() as db`.execute(services.db)).rows[0]!.db;
        const url = new URL(process.env.TEST_DATABASE_URL!);
        url.pathname = `/${name}`;
        otherDatabase = await openDatabase({ databaseUrl: url.toString(), maxConnections: 4 });
        other = { ...services, db: otherDatabase.db };
      } else {
        other = services;
      }
      const org = await setUpOrganisation(services);
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      admin = adminPrincipal.actor;
      editorEmail = "editor@watch.example";
      editor = (await addMember(services, adminPrincipal, "editor", editorEmail)).principal.actor;
      viewer = (await addMember(services, adminPrincipal, "viewer", "viewer@watch.example")).principal.actor;
      researcher = (await addMember(services, adminPrincipal, "researcher", "researcher@watch.example")).principal.actor;
      partner = (await addMember(services, adminPrincipal, "partner", "partner@watch.example")).principal.actor;
      const elsewhere = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, elsewhere.adminEmail)).principal.actor;
      // The watching: the editor takes every alert of the organisation (inbox and email) and a feed;
      // the administrator adds a webhook.
      await subscribe(services, NO_ORIGIN, editor, { kind: "organisation", email: true });
      const hook = await createWebhook(services, NO_ORIGIN, admin, { url: endpoint.url, description: "campaign desk" });
      webhookSecret = hook.secret;
      feedToken = (await createFeed(services, NO_ORIGIN, editor, { title: "My watchlist" })).token;
    });
    after(async () => {
      await otherDatabase?.close();
      await services.close();
      await smtp.close();
      await endpoint.close();
    });

    it("raises exactly one alert for a detainee silent 91 days across two job runners, and delivers it by email, signed webhook and Atom", async () => {
      const { detention } = await detainee("Ilham Tohti", new Date(services.now().getTime() - 91 * DAY));
      await detainee("Rahile Dawut", new Date(services.now().getTime() - 90 * DAY));
      const a = new JobRunner(services, DEFINITIONS, { ...QUIET, workerId: "process-a" });
      const b = new JobRunner(other, DEFINITIONS, { ...QUIET, workerId: "process-b" });
      // Two evaluations queued at once (two processes' schedules, or a manual run beside the schedule).
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "first" });
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "second" });
      const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
      assert.equal(ranA + ranB, 2, "each runner evaluated once");
      const evaluations = await services.db.selectFrom("jobs").select(["state", "lease_owner", "result"]).where("kind", "=", EVALUATE_JOB).execute();
      assert.deepEqual(evaluations.map((j) => j.state), ["succeeded", "succeeded"]);

      const alerts = await services.db.selectFrom("alerts").selectAll().execute();
      assert.equal(alerts.length, 1, "one alert, not one per runner, and none for 90 days of silence");
      assert.equal(alerts[0]!.detention_id, detention.id);
      assert.equal(alerts[0]!.rule, "silence");
      assert.equal(alerts[0]!.days, 91);
      const deliveries = await services.db.selectFrom("alert_deliveries").select(["channel", "state"]).orderBy("channel").execute();
      assert.deepEqual(deliveries, [{ channel: "email", state: "queued" }, { channel: "webhook", state: "queued" }]);

      // The deliveries, again split between the two processes.
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(smtp.received.length, 1, "one email");
      assert.deepEqual(smtp.received[0]!.to, [editorEmail]);
      const mail = unfoldedMail(smtp.received[0]!.data);
      assert.match(mail, /Subject: \[Vigil\] No proof of life: Ilham Tohti/);
      assert.match(mail, /no proof of life for 91 days/);
      assert.ok(mail.includes(`https://vigil.watch.example/alerts/${alerts[0]!.id}`));

      assert.equal(endpoint.received.length, 1, "one webhook");
      const hook = endpoint.received[0]!;
      assert.ok(verifyWebhook(webhookSecret, String(hook.headers["vigil-signature"]), hook.body, services.now()), "the signature verifies");
      assert.ok(!verifyWebhook(webhookSecret, String(hook.headers["vigil-signature"]), hook.body.replace("91", "19"), services.now()), "a changed body does not");
      assert.ok(!verifyWebhook("whsec_another", String(hook.headers["vigil-signature"]), hook.body, services.now()), "another secret does not");
      assert.ok(!verifyWebhook(webhookSecret, String(hook.headers["vigil-signature"]), hook.body, new Date(services.now().getTime() + 600_000)), "an old signature is refused");
      const payload = JSON.parse(hook.body) as { type: string; alert: { id: string; rule: string; daysSilent: number; person: string } };
      assert.equal(payload.type, "alert.raised");
      assert.deepEqual([payload.alert.id, payload.alert.rule, payload.alert.daysSilent, payload.alert.person], [alerts[0]!.id, "silence", 91, "Ilham Tohti"]);

      const feed = parseAtom(await readFeed(services, feedToken));
      assert.equal(feed.entry?.length, 1);
      assert.equal(feed.entry![0]!.id, `urn:uuid:${alerts[0]!.id}`);

      // Inside Vigil: the inbox and its count, and acknowledging.
      assert.equal(await unreadCount(services, editor), 1);
      const box = await inbox(services, NO_ORIGIN, editor);
      assert.equal(box[0]!.days, 91);
      const acknowledged = await acknowledgeAlert(services, NO_ORIGIN, editor, alerts[0]!.id);
      assert.ok(acknowledged.acknowledged);
      assert.equal(await unreadCount(services, editor), 0, "opening it marked it read");

      // A later evaluation raises nothing new for the same silence.
      services.clock.advance(DAY);
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "third" });
      await a.drain();
      const silent = await services.db.selectFrom("alerts").select(["detention_id", "days"]).where("detention_id", "<>", detention.id).execute();
      assert.equal(await services.db.selectFrom("alerts").select("id").execute().then((r) => r.length), 2, "one new alert");
      assert.deepEqual(silent.map((r) => r.days), [91], "only the second detainee, silent 91 days now");
      await sql`delete from alert_delivery_attempts`.execute(services.db);
      smtp.received.length = 0;
      endpoint.received.length = 0;
    });

    it("keeps an email queued while the SMTP server refuses or does not answer, and sends it on a later attempt", async () => {
      const before = smtp.received.length;
      const { detention } = await detainee("Gulshan Abbas", new Date(services.now().getTime() - 200 * DAY));
      const runner = new JobRunner(services, DEFINITIONS, QUIET);
      smtp.control.refuse = 1;
      smtp.control.hang = 1;
      endpoint.control.hang = 1;
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "smtp" });
      await runner.drain();
      const alert = await services.db.selectFrom("alerts").select("id").where("detention_id", "=", detention.id).executeTakeFirstOrThrow();
      const email = () => services.db.selectFrom("alert_deliveries").selectAll().where("alert_id", "=", alert.id).where("channel", "=", "email").executeTakeFirstOrThrow();
      const hook = () => services.db.selectFrom("alert_deliveries").selectAll().where("alert_id", "=", alert.id).where("channel", "=", "webhook").executeTakeFirstOrThrow();
      // First attempts: one of refused / hung (whichever connection came first), and the webhook hung.
      assert.equal((await email()).state, "queued");
      assert.equal((await hook()).state, "queued");
      assert.match((await hook()).last_error ?? "", /did not answer within 0.4 s/);
      assert.equal(smtp.received.length, before);
      // Retried with backoff: not before its time.
      await runner.drain();
      assert.equal((await email()).attempts, 1);
      services.clock.advance(31_000);
      await runner.drain();
      assert.equal((await hook()).state, "sent", "the webhook's second attempt is answered");
      const second = await email();
      assert.equal(second.state, "queued", "the SMTP server failed twice");
      services.clock.advance(61_000);
      await runner.drain();
      const third = await email();
      assert.equal(third.state, "sent");
      assert.equal(third.attempts, 3);
      assert.equal(smtp.received.length, before + 1, "sent once, nothing lost");
      const attempts = await services.db.selectFrom("alert_delivery_attempts").select(["attempt", "status", "error"]).where("delivery_id", "=", third.id).orderBy("attempt").execute();
      assert.equal(attempts.length, 3);
      assert.ok(attempts.some((a) => a.status === 451 && /refused/.test(a.error ?? "")), "the refusal is recorded with its reply code");
      assert.ok(attempts.some((a) => a.status === null && /timed out|Greeting never received|timeout/i.test(a.error ?? "")), "the timeout is recorded");
      for (const a of attempts) assert.ok(!(a.error ?? "").includes("s3cret-pass"), "the SMTP password is never recorded");
      const hookAttempts = await services.db.selectFrom("alert_delivery_attempts").select(["status", "error"]).where("delivery_id", "=", (await hook()).id).orderBy("attempt").execute();
      assert.deepEqual(hookAttempts.map((a) => a.status), [null, 204]);
    });

    it("sends no restricted value outside Vigil for a guarded case, and shows it inside only to who may read it", async () => {
      smtp.received.length = 0;
      endpoint.received.length = 0;
      const { detention } = await detainee("Confidential Name Abdurehim", new Date(services.now().getTime() - 120 * DAY), { guarded: true });
      const runner = new JobRunner(services, DEFINITIONS, QUIET);
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "guarded" });
      await runner.drain();
      const alert = await services.db.selectFrom("alerts").selectAll().where("detention_id", "=", detention.id).executeTakeFirstOrThrow();
      assert.equal(alert.guarded, true);
      const mail = unfoldedMail(smtp.received.map((m) => m.data).join("\n"));
      const hookBodies = endpoint.received.map((r) => r.body).join("\n");
      const feed = await readFeed(services, feedToken);
      for (const [channel, text] of [["email", mail], ["webhook", hookBodies], ["feed", feed]] as const) {
        assert.ok(text.includes(alert.id), `${channel} links to the alert`);
        assert.ok(!text.includes("Abdurehim"), `${channel} does not name the person`);
        // A word of its own: the alert's id, which the message must carry, may contain the digits 120.
        assert.doesNotMatch(text, /\b120\b/, `${channel} does not say how long`);
        assert.ok(!text.includes(detention.id), `${channel} does not name the detention`);
        assert.match(text, /needs attention/, `${channel} says it needs attention`);
      }
      const payload = JSON.parse(endpoint.received[0]!.body) as { alert: Record<string, unknown> };
      assert.deepEqual(Object.keys(payload.alert).sort(), ["id", "needsAttention", "raisedAt", "title", "url"]);
      parseAtom(feed);
      // Inside Vigil: an editor (not on a list) sees that it needs attention; the administrator reads it.
      const forEditor = (await listAlerts(services, NO_ORIGIN, editor)).alerts.find((a) => a.id === alert.id)!;
      assert.equal(forEditor.described, false);
      assert.equal(forEditor.days, null);
      const forAdmin = (await listAlerts(services, NO_ORIGIN, admin)).alerts.find((a) => a.id === alert.id)!;
      assert.equal(forAdmin.described, true);
      assert.equal(forAdmin.days, 120);
    });

    it("refuses nonsensical rule windows with a message per field, and applies a sensible one", async () => {
      for (const [windowDays, message] of [[0, /at least 1 day/], [-5, /at least 1 day/], [4000, /at most 3650/], ["ninety", /whole number/], [1.5, /whole number/]] as const) {
        await assert.rejects(updateRules(services, NO_ORIGIN, admin, { rules: [{ rule: "silence", enabled: true, windowDays }] }), (e: unknown) => e instanceof Invalid && message.test(e.fields["rules.0.windowDays"] ?? ""), String(windowDays));
      }
      await assert.rejects(updateRules(services, NO_ORIGIN, admin, { rules: [{ rule: "death", enabled: true, windowDays: 10 }] }), (e: unknown) => e instanceof Invalid && /only the silence rule/.test(e.fields["rules.0.windowDays"] ?? ""));
      await assert.rejects(updateRules(services, NO_ORIGIN, admin, { rules: [{ rule: "sleep", enabled: true }] }), Invalid);
      const rules = await updateRules(services, NO_ORIGIN, admin, { rules: [{ rule: "silence", enabled: true, windowDays: "30" }, { rule: "death", enabled: false }] });
      assert.equal(rules.find((r) => r.rule === "silence")!.windowDays, 30);
      assert.equal(rules.find((r) => r.rule === "death")!.enabled, false);
      // A 40-day silence now alerts; a case with its own window of 60 days does not.
      const { detention: shorter } = await detainee("Memet Emin", new Date(services.now().getTime() - 40 * DAY));
      const { detention: ownWindow } = await detainee("Tursun Niyaz", new Date(services.now().getTime() - 40 * DAY));
      await sql`update monitor_detentions set silence_days = 60 where detention_id = ${ownWindow.id}`.execute(services.db);
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "windows" });
      await new JobRunner(services, DEFINITIONS, QUIET).drain();
      const raised = new Set((await services.db.selectFrom("alerts").select("detention_id").execute()).map((r) => r.detention_id));
      assert.ok(raised.has(shorter.id));
      assert.ok(!raised.has(ownWindow.id));
    });

    it("fails a delivery to a removed endpoint at once instead of retrying it, and shows it in the delivery log", async () => {
      const second = await createWebhook(services, NO_ORIGIN, admin, { url: `${endpoint.url}?second` });
      const { detention } = await detainee("Perhat Tursun", new Date(services.now().getTime() - 300 * DAY));
      await enqueueJob(services, services.db, { kind: EVALUATE_JOB, uniqueKey: "removed-endpoint" });
      const runner = new JobRunner(services, DEFINITIONS, QUIET);
      await runner.runDue();
      await revokeWebhook(services, NO_ORIGIN, admin, second.id);
      await runner.drain();
      const alert = await services.db.selectFrom("alerts").select("id").where("detention_id", "=", detention.id).executeTakeFirstOrThrow();
      const log = await webhookDeliveries(services, NO_ORIGIN, admin, second.id);
      const delivery = log.deliveries.find((d) => d.alertId === alert.id)!;
      assert.equal(delivery.state, "failed");
      assert.equal(delivery.attempts.length, 1);
      assert.match(delivery.attempts[0]!.error ?? "", /endpoint was removed/);
      const job = await services.db.selectFrom("jobs").select(["state", "attempts"]).where("unique_key", "=", `delivery:${delivery.id}`).executeTakeFirstOrThrow();
      assert.deepEqual(job, { state: "failed", attempts: 1 });
      await assert.rejects(webhookDeliveries(services, NO_ORIGIN, outsider, second.id), /no such webhook/);
    });

    it("lets each role do only what the policy allows", async () => {
      await assert.rejects(updateRules(services, NO_ORIGIN, editor, { rules: [{ rule: "silence", enabled: false }] }), Forbidden);
      await assert.rejects(acknowledgeAlert(services, NO_ORIGIN, viewer, "00000000-0000-4000-8000-000000000000"), Forbidden);
      await assert.rejects(listAlerts(services, NO_ORIGIN, partner), Forbidden);
      await assert.rejects(subscribe(services, NO_ORIGIN, researcher, { kind: "organisation" }), Forbidden);
      await assert.rejects(createWebhook(services, NO_ORIGIN, editor, { url: "https://example.org/hook" }), Forbidden);
      await assert.rejects(createWebhook(services, NO_ORIGIN, admin, { url: "ftp://example.org/hook" }), Invalid);
      assert.deepEqual((await listAlerts(services, NO_ORIGIN, outsider)).alerts, [], "another organisation sees none of ours");
      const ours = (await services.db.selectFrom("alerts").select("id").executeTakeFirstOrThrow()).id;
      await assert.rejects(acknowledgeAlert(services, NO_ORIGIN, outsider, ours), /no such alert/);
      const someDetention = (await services.db.selectFrom("alerts").select("detention_id").executeTakeFirstOrThrow()).detention_id;
      await assert.rejects(subscribe(services, NO_ORIGIN, outsider, { kind: "detention", target: someDetention }), (e: unknown) => e instanceof Invalid && e.fields.target === "no such record");
      const viewerWatch = await subscribe(services, NO_ORIGIN, viewer, { kind: "detention", target: someDetention, email: false });
      assert.equal(viewerWatch.kind, "detention");
      await assert.rejects(subscribe(services, NO_ORIGIN, viewer, { kind: "detention", target: someDetention }), /already watch/);
      await assert.rejects(readFeed(services, "vgf_" + "A".repeat(43)), /no such feed/);
    });
  });
}
