import { Hono } from "hono";
import {
  addDeadline, addExhibit, addParty, bundleTextFor, completeDeadline, createLegalCase, exportCourtBundle, getCaseFile, listLegalCases, recordConsent,
  type CaseFile, type ConsentEntry,
} from "../../accountability/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { direction } from "../i18n.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";
import { zipResponse } from "./cases.tsx";

/** The legal cases' API: thin, as every check and rule is in src/accountability. */
export const casesApi = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function consentJson(h: ConsentEntry) {
  return { id: h.id, scope: h.scope, kind: h.kind, effectiveAt: h.effectiveAt.toISOString(), note: h.note, recordedBy: h.recordedBy, recordedAt: new Date(h.recordedAt).toISOString() };
}

function caseJson(f: CaseFile) {
  return {
    id: f.record.id,
    revision: f.record.revision,
    properties: f.record.properties,
    restricted: f.record.restricted,
    defendants: f.defendants,
    parties: f.parties.map((p) => ({
      id: p.id,
      role: p.role,
      label: p.label,
      person: p.personId,
      personName: p.personName,
      consent: Object.fromEntries(Object.entries(p.consent).map(([scope, entry]) => [scope, entry ? consentJson(entry) : null])),
      history: p.history.map(consentJson),
    })),
    deadlines: f.deadlines.map((d) => ({ id: d.id, dueOn: d.dueOn, title: d.title, doneAt: d.doneAt ? new Date(d.doneAt).toISOString() : null })),
    exhibits: f.exhibits.map((x) => ({ id: x.id, label: x.label, description: x.description, evidence: x.evidenceId, party: x.partyId, mediaType: x.evidence?.mediaType ?? null, size: x.evidence?.size ?? null })),
    bundles: f.bundles.map((b) => ({ id: b.id, purpose: b.purpose, mode: b.mode, recipient: b.recipient, exhibits: b.exhibitIds, ledgerIndex: b.ledgerIndex, createdAt: new Date(b.createdAt).toISOString() })),
  };
}

casesApi.get("/api/v1/cases", async (c) => {
  const { actor } = requirePrincipal(c);
  const items = await listLegalCases(c.var.services, c.var.origin, actor);
  return c.json({ items: items.map((k) => ({ ...k, updatedAt: new Date(k.updatedAt).toISOString() })) });
});

casesApi.post("/api/v1/cases", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await createLegalCase(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/cases/${created.id}`);
  return c.json(caseJson(await getCaseFile(c.var.services, c.var.origin, actor, created.id)), 201);
});

casesApi.get(`/api/v1/cases/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(caseJson(await getCaseFile(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

casesApi.post(`/api/v1/cases/${ID}/parties`, async (c) => {
  const { actor } = requirePrincipal(c);
  const party = await addParty(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json({ id: party.id, role: party.role, label: party.label, person: party.personId }, 201);
});

casesApi.post(`/api/v1/cases/${ID}/consents`, async (c) => {
  const { actor } = requirePrincipal(c);
  const entry = await recordConsent(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json(consentJson(entry), 201);
});

casesApi.post(`/api/v1/cases/${ID}/deadlines`, async (c) => {
  const { actor } = requirePrincipal(c);
  const d = await addDeadline(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json({ id: d.id, dueOn: d.dueOn, title: d.title, doneAt: null }, 201);
});

casesApi.post(`/api/v1/cases/${ID}/deadlines/done`, async (c) => {
  const { actor } = requirePrincipal(c);
  await completeDeadline(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.body(null, 204);
});

casesApi.post(`/api/v1/cases/${ID}/exhibits`, async (c) => {
  const principal = requirePrincipal(c);
  const x = await addExhibit(c.var.services, c.var.origin, principal.actor, principal.user.pseudonym, c.req.param("id"), () => readJson(c));
  return c.json({ id: x.id, label: x.label, description: x.description, evidence: x.evidenceId, party: x.partyId }, 201);
});

casesApi.post(`/api/v1/cases/${ID}/bundles`, async (c) => {
  const principal = requirePrincipal(c);
  const bundle = await exportCourtBundle(c.var.services, c.var.origin, principal.actor, principal.user.pseudonym, c.req.param("id"), () => readJson(c), bundleTextFor(c.var.t, c.var.locale, direction(c.var.locale)));
  return zipResponse(bundle);
});
