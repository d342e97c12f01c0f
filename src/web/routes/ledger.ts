import { Hono, type Context } from "hono";
import {
  consistencyProof,
  inclusionProof,
  orgIdForSlug,
  readCheckpoint,
  readEntryBundle,
  readTile,
  setLedgerPublic,
  type ServedTile,
} from "../../custody/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readForm } from "../middleware/body.ts";

/**
 * Each organisation's custody log in the C2SP tlog-tiles layout under /ledger/<slug>/, so
 * standard tooling can follow it, plus JSON proofs under /api/v1/ledger/<slug>/.
 * Thin: every access decision is in src/custody and the permission hub.
 */
export const ledgerRoutes = new Hono<AppEnv>();

/** Who asks: a fully signed-in principal, or nobody. */
function reader(c: Context<AppEnv>) {
  const principal = c.var.principal;
  return principal && !principal.secondFactorPending ? principal.actor : null;
}

function tileResponse(c: Context<AppEnv>, tile: ServedTile): Response {
  // Partial tiles are replaced by wider ones as the log grows; full tiles never change.
  c.header("Cache-Control", tile.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return c.body(Buffer.from(tile.bytes), 200, { "Content-Type": "application/octet-stream" });
}

ledgerRoutes.get("/ledger/:org/checkpoint", async (c) => {
  const services = c.var.services;
  const note = await readCheckpoint(services, c.var.origin, reader(c), await orgIdForSlug(services, c.req.param("org")));
  c.header("Cache-Control", "no-cache");
  return c.body(note, 200, { "Content-Type": "text/plain; charset=utf-8" });
});

ledgerRoutes.get("/ledger/:org/tile/entries/*", async (c) => {
  const services = c.var.services;
  const orgId = await orgIdForSlug(services, c.req.param("org"));
  const rest = new URL(c.req.url).pathname.split("/tile/entries/")[1] ?? "";
  return tileResponse(c, await readEntryBundle(services, c.var.origin, reader(c), orgId, rest));
});

ledgerRoutes.get("/ledger/:org/tile/*", async (c) => {
  const services = c.var.services;
  const orgId = await orgIdForSlug(services, c.req.param("org"));
  const path = new URL(c.req.url).pathname.replace(/^\/ledger\/[^/]+\//, "");
  return tileResponse(c, await readTile(services, c.var.origin, reader(c), orgId, path));
});

ledgerRoutes.get("/api/v1/ledger/:org/proof/inclusion", async (c) => {
  const services = c.var.services;
  const orgId = await orgIdForSlug(services, c.req.param("org"));
  return c.json(await inclusionProof(services, c.var.origin, reader(c), orgId, { index: c.req.query("index"), size: c.req.query("size") }));
});

ledgerRoutes.get("/api/v1/ledger/:org/proof/consistency", async (c) => {
  const services = c.var.services;
  const orgId = await orgIdForSlug(services, c.req.param("org"));
  return c.json(await consistencyProof(services, c.var.origin, reader(c), orgId, { old: c.req.query("old"), size: c.req.query("size") }));
});

/** `{ "public": true }` as JSON, or `public=on` from a form: whether anyone may read the hashes. */
ledgerRoutes.post("/api/v1/ledger/settings", async (c) => {
  const principal = requirePrincipal(c);
  if ((c.req.header("content-type") ?? "").startsWith("application/json")) {
    const body: unknown = await c.req.json().catch(() => undefined);
    const isPublic = typeof body === "object" && body !== null ? (body as { public?: unknown }).public : undefined;
    await setLedgerPublic(c.var.services, c.var.origin, principal.actor, isPublic);
    return c.json({ public: isPublic });
  }
  // A form comes from the audit page (an unchecked box sends nothing): back to it, without JavaScript.
  const value = (await readForm(c)).public;
  await setLedgerPublic(c.var.services, c.var.origin, principal.actor, value === "on" || value === "true");
  return c.redirect("/admin/audit?ledger=saved#ledger", 303);
});
