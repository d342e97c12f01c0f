import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { appendCustodyEvents, DbHashReader, ensureLog, ledgerSize, signCheckpointNow, verifyLedger, type CustodyEventInput } from "../../src/custody/index.ts";
import {
  decodeEntryBundle,
  decodeHash,
  encodeHash,
  hashLeaf,
  openCheckpoint,
  parseVerifierKey,
  readHashTile,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "../../src/ledger/index.ts";
import { logSigner } from "../../src/custody/log.ts";
import { issueTokenForUser } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { ledgerCheckpointCommand, ledgerVerifierKeyCommand, ledgerVerifyCommand } from "../../src/cli/commands.ts";
import type { Command } from "../../src/cli/command.ts";
import { buildGoLedgerVerifier, runGoLedgerVerifier } from "../interop/ledger-verify/go.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

const SIZE = 300;

async function runCommand(services: TestServices, command: Command, values: Record<string, string | string[] | boolean | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(services, values as never, "", { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

for (const target of databaseTargets()) {
  describe(`custody ledger over HTTP and the CLI on ${target.name}`, () => {
    let services: TestServices;
    let orgId = "";
    let leaves: Buffer[] = [];
    let admin: Client;
    let viewer: Client;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      orgId = org.orgId;
      const { principal } = await sessionFor(services, org.adminEmail);
      await addMember(services, principal, "viewer", "viewer@watch.example");
      const events: CustodyEventInput[] = Array.from({ length: SIZE }, (_, i) => ({ kind: "received", orgId, subject: `ev-${i}`, actorPseudonym: "pseud:aa", details: { n: i } }));
      await appendCustodyEvents(services.db, services, events.slice(0, 100));
      await appendCustodyEvents(services.db, services, events.slice(100));
      leaves = (await services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).orderBy("idx").execute()).map((r) => Buffer.from(r.data));
      admin = Client.for(services);
      await admin.signIn(org.adminEmail);
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
    });
    after(async () => {
      await services.close();
    });

    it("serves a checkpoint that verifies with the key `vigil ledger verifier-key` prints", async () => {
      const printed = await runCommand(services, ledgerVerifierKeyCommand);
      assert.equal(printed.code, 0);
      assert.match(printed.out, /^vigil\.local\/ledger\/watch\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
      const signed = await runCommand(services, ledgerCheckpointCommand);
      assert.equal(signed.code, 0);
      const res = await viewer.get("/ledger/watch/checkpoint");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      const note = await res.text();
      assert.equal(note, `${signed.out}\n`);
      const { checkpoint } = openCheckpoint(note, [parseVerifierKey(printed.out)], "vigil.local/ledger/watch");
      assert.equal(checkpoint.size, SIZE);
    });

    it("serves inclusion and consistency proofs that verify against the signed root", async () => {
      const note = await (await viewer.get("/ledger/watch/checkpoint")).text();
      const root = openCheckpoint(note, [(await ensureLog(services, orgId)).verifier]).checkpoint.rootHash;
      for (const index of [0, 137, SIZE - 1]) {
        const res = await viewer.get(`/api/v1/ledger/watch/proof/inclusion?index=${index}&size=${SIZE}`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { proof: string[]; size: number; rootHash: string };
        assert.equal(body.rootHash, encodeHash(root));
        assert.ok(verifyInclusion(hashLeaf(leaves[index]!), index, SIZE, body.proof.map((p) => decodeHash(p) as Hash), root));
        assert.ok(!verifyInclusion(hashLeaf(leaves[index === 0 ? 1 : 0]!), index, SIZE, body.proof.map((p) => decodeHash(p) as Hash), root));
      }
      const old = (await (await viewer.get(`/api/v1/ledger/watch/proof/inclusion?index=0&size=100`)).json()) as { rootHash: string };
      const res = await viewer.get(`/api/v1/ledger/watch/proof/consistency?old=100&size=${SIZE}`);
      const body = (await res.json()) as { proof: string[] };
      assert.ok(verifyConsistency(100, SIZE, decodeHash(old.rootHash) as Hash, root, body.proof.map((p) => decodeHash(p) as Hash)));
    });

    it("answers bad proof queries with problem+json", async () => {
      for (const query of [`inclusion?index=${SIZE}&size=${SIZE}`, `inclusion?index=0&size=${SIZE + 1}`, "inclusion?index=1.5&size=3", "inclusion?index=-1&size=3", "inclusion?index=0&size=99999999999999999999", "consistency?old=5&size=4", "consistency?size=4"]) {
        const res = await viewer.get(`/api/v1/ledger/watch/proof/${query}`);
        assert.equal(res.status, 422, query);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
      }
      assert.equal((await viewer.get("/api/v1/ledger/nowhere/proof/inclusion?index=0&size=1")).status, 404);
      const translated = await Client.for(services).request(`/api/v1/ledger/watch/proof/inclusion?index=${SIZE}&size=${SIZE}`, { headers: { authorization: `Bearer ${(await runTokenFor(services)).token}`, "accept-language": "zh-Hans" } });
      const problem = (await translated.json()) as { detail: string; errors: Record<string, string> };
      assert.deepEqual({ detail: problem.detail, errors: problem.errors }, { detail: "部分字段无效", errors: { index: "必须小于树的大小" } });
    });

    it("serves hash tiles equal to readHashTile, full ones immutable, and entry bundles to admins only", async () => {
      const full = await viewer.get("/ledger/watch/tile/0/000");
      assert.equal(full.status, 200);
      assert.match(full.headers.get("cache-control") ?? "", /immutable/);
      const expected = await readHashTile({ level: 0, index: 0, width: 256 }, SIZE, new DbHashReader(services.db, orgId));
      assert.deepEqual(Buffer.from(await full.arrayBuffer()), Buffer.from(expected));
      const partial = await viewer.get(`/ledger/watch/tile/0/001.p/${SIZE - 256}`);
      assert.equal(partial.status, 200);
      assert.doesNotMatch(partial.headers.get("cache-control") ?? "", /immutable/);
      assert.equal((await partial.arrayBuffer()).byteLength, 32 * (SIZE - 256));
      assert.equal((await viewer.get("/ledger/watch/tile/0/002")).status, 404);
      assert.equal((await viewer.get("/ledger/watch/tile/1/000.p/1")).status, 200);
      assert.equal((await viewer.get("/ledger/watch/tile/entries/000")).status, 403);
      const bundle = await admin.get("/ledger/watch/tile/entries/000");
      assert.equal(bundle.status, 200);
      assert.deepEqual(decodeEntryBundle(new Uint8Array(await bundle.arrayBuffer())).map((e) => Buffer.from(e)), leaves.slice(0, 256));
      assert.equal((await Client.for(services).get("/ledger/watch/tile/entries/000")).status, 401, "anonymous is refused with 401 for tools");
    });

    it("records each entry bundle an admin reads in the audit trail, without growing the ledger", async () => {
      const reads = () =>
        services.db.selectFrom("audit_events").select(["actor_id", "outcome", "target_id", "details"]).where("action", "=", "ledger.read-entries").where("outcome", "=", "ok").orderBy("id").execute();
      const before = (await reads()).length;
      const sizeBefore = await ledgerSize(services.db, orgId);
      assert.equal((await admin.get("/ledger/watch/tile/entries/000")).status, 200);
      assert.equal((await admin.get("/ledger/watch/tile/entries/001.p/10")).status, 200);
      assert.equal((await admin.get("/ledger/watch/tile/entries/005")).status, 404, "a tile that does not exist is not a read");
      const after = await reads();
      assert.equal(after.length, before + 2);
      const adminId = (await services.db.selectFrom("users").select("id").where("email", "=", "admin@watch.example").executeTakeFirstOrThrow()).id;
      assert.deepEqual(
        after.slice(before).map((row) => ({ actor: row.actor_id, target: row.target_id, details: typeof row.details === "string" ? JSON.parse(row.details) : row.details })),
        [
          { actor: adminId, target: orgId, details: { tile: 0, width: 256 } },
          { actor: adminId, target: orgId, details: { tile: 1, width: 10 } },
        ],
      );
      assert.equal(await ledgerSize(services.db, orgId), sizeBefore, "reading the log adds no leaf");
    });

    it("keeps hashes from anonymous readers until an admin makes the log public", async () => {
      const anonymous = Client.for(services);
      assert.equal((await anonymous.get("/ledger/watch/checkpoint")).status, 401);
      assert.equal((await anonymous.get("/api/v1/ledger/watch/proof/inclusion?index=0&size=1")).status, 401);
      const refused = await viewer.request("/api/v1/ledger/settings", { method: "POST", body: JSON.stringify({ public: true }), headers: { "content-type": "application/json", origin: "http://vigil.test", "x-csrf-token": "none" } });
      assert.ok(refused.status === 403, `a viewer got ${refused.status}`);
      const { token } = await runTokenFor(services);
      const made = await admin.request("/api/v1/ledger/settings", { method: "POST", body: JSON.stringify({ public: true }), headers: { "content-type": "application/json", authorization: `Bearer ${token}`, cookie: "" } });
      assert.equal(made.status, 200);
      assert.equal((await anonymous.get("/ledger/watch/checkpoint")).status, 200);
      assert.equal((await anonymous.get("/ledger/watch/tile/0/000")).status, 200);
      assert.equal((await anonymous.get("/api/v1/ledger/watch/proof/inclusion?index=0&size=1")).status, 200);
      assert.equal((await anonymous.get("/ledger/watch/tile/entries/000")).status, 401, "entries stay private");
      await admin.request("/api/v1/ledger/settings", { method: "POST", body: JSON.stringify({ public: false }), headers: { "content-type": "application/json", authorization: `Bearer ${token}`, cookie: "" } });
      assert.equal((await anonymous.get("/ledger/watch/checkpoint")).status, 401);
    });

    it("shows administrators the ledger on the audit page and toggles publishing from its form", async () => {
      const log = await ensureLog(services, orgId);
      const page = await (await admin.get("/admin/audit")).text();
      assert.match(page, /<section id="ledger"/);
      assert.ok(page.includes(log.verifierKey), "the verifier key is shown");
      assert.ok(page.includes(`vigil.local/ledger/watch\n${SIZE}\n`), "the latest checkpoint's text is shown");
      assert.match(page, /<dd>300<\/dd>/);
      assert.doesNotMatch(page, /name="public" value="on" checked/);
      const anonymous = Client.for(services);
      const saved = await admin.submit("/admin/audit", "/api/v1/ledger/settings", { public: "on" });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get("location"), "/admin/audit?ledger=saved#ledger");
      assert.equal((await anonymous.get("/ledger/watch/checkpoint")).status, 200, "published");
      const after = await (await admin.get("/admin/audit?ledger=saved")).text();
      assert.match(after, /name="public" value="on" checked/);
      assert.ok(after.includes("The ledger setting is saved."));
      // An unchecked box sends no field: the form makes the log private again.
      assert.equal((await admin.submit("/admin/audit", "/api/v1/ledger/settings", {})).status, 303);
      assert.equal((await anonymous.get("/ledger/watch/checkpoint")).status, 401, "private again");
      const settings = await services.db.selectFrom("audit_events").select("details").where("action", "=", "ledger.configure").where("outcome", "=", "ok").orderBy("id", "desc").limit(2).execute();
      assert.deepEqual(settings.map((row) => (typeof row.details === "string" ? JSON.parse(row.details) : row.details)), [{ public: false }, { public: true }]);
    });

    it("has Go's sumdb/note and tlog accept the checkpoint and proofs served over HTTP", async () => {
      const binary = await buildGoLedgerVerifier();
      const key = (await runCommand(services, ledgerVerifierKeyCommand)).out;
      const note = await (await viewer.get("/ledger/watch/checkpoint")).text();
      const inclusion = await Promise.all(
        [0, 255, 256, SIZE - 1].map(async (index) => ({
          index,
          leafHash: encodeHash(hashLeaf(leaves[index]!)),
          proof: ((await (await viewer.get(`/api/v1/ledger/watch/proof/inclusion?index=${index}&size=${SIZE}`)).json()) as { proof: string[] }).proof,
        })),
      );
      const consistency = await Promise.all(
        [1, 100, 257].map(async (oldSize) => ({
          oldSize,
          oldRoot: ((await (await viewer.get(`/api/v1/ledger/watch/proof/inclusion?index=0&size=${oldSize}`)).json()) as { rootHash: string }).rootHash,
          proof: ((await (await viewer.get(`/api/v1/ledger/watch/proof/consistency?old=${oldSize}&size=${SIZE}`)).json()) as { proof: string[] }).proof,
        })),
      );
      const answer = await runGoLedgerVerifier<{ noteError: string; size: number; leavesRoot?: string; root: string; inclusion: string[]; consistency: string[] }>(binary, {
        mode: "verify",
        verifierKey: key,
        checkpoint: note,
        origin: "vigil.local/ledger/watch",
        leaves: leaves.map((l) => l.toString("base64")),
        inclusion,
        consistency,
      });
      assert.equal(answer.noteError, "");
      assert.equal(answer.size, SIZE);
      assert.equal(answer.leavesRoot, answer.root);
      assert.deepEqual(answer.inclusion, inclusion.map(() => "ok"));
      assert.deepEqual(answer.consistency, consistency.map(() => "ok"));
    });

    it("verifies the untouched log, then detects a changed leaf, a forked checkpoint and a truncation", async () => {
      const clean = await runCommand(services, ledgerVerifyCommand);
      assert.equal(clean.code, 0, clean.err);
      assert.equal(clean.out, `verified ${SIZE} leaves against checkpoint of size ${SIZE}`);

      // A forked checkpoint: validly signed by the log's key, same size, another root.
      const signer = await logSigner(services, orgId);
      const forked = signCheckpoint({ origin: "vigil.local/ledger/watch", size: 200, rootHash: hashLeaf(Buffer.from("another history")) }, [signer]);
      const dir = mkdtempSync(join(tmpdir(), "vigil-fork-"));
      writeFileSync(join(dir, "forked"), forked);
      const fork = await runCommand(services, ledgerVerifyCommand, { checkpoint: [join(dir, "forked")] });
      assert.equal(fork.code, 1);
      assert.match(fork.err, /^fork: .*tree size 200/);

      // A changed leaf row.
      const original = leaves[42]!;
      await services.db.updateTable("ledger_leaves").set({ data: Buffer.from(original.toString("utf8").replace("ev-42", "ev-43")) }).where("org_id", "=", orgId).where("idx", "=", 42).execute();
      const changed = await verifyLedger(services, orgId);
      assert.deepEqual(changed.ok ? null : changed, { ok: false, problem: "leaf-mismatch", leafIndex: 42 });
      const cli = await runCommand(services, ledgerVerifyCommand);
      assert.equal(cli.code, 1);
      assert.match(cli.err, /^leaf 42 /);
      await services.db.updateTable("ledger_leaves").set({ data: original }).where("org_id", "=", orgId).where("idx", "=", 42).execute();

      // Truncation: the last leaf is deleted.
      await sql`DELETE FROM ledger_leaves WHERE org_id = ${orgId} AND idx = ${SIZE - 1}`.execute(services.db);
      const truncated = await verifyLedger(services, orgId);
      assert.deepEqual(truncated.ok ? null : truncated, { ok: false, problem: "truncated", expectedSize: SIZE, actualSize: SIZE - 1 });
      assert.match((await runCommand(services, ledgerVerifyCommand)).err, /truncated/);
    });

    it("signs one checkpoint per size, so signing again without growth returns the same note", async () => {
      const first = await signCheckpointNow(services, orgId);
      const again = await signCheckpointNow(services, orgId);
      assert.equal(again.note, first.note);
    });
  });
}

async function runTokenFor(services: TestServices): Promise<{ token: string }> {
  const created = await issueTokenForUser(services, NO_ORIGIN, { email: "admin@watch.example", name: "ledger", scopes: ["admin"], expiresInDays: 1 });
  return { token: created.token };
}
