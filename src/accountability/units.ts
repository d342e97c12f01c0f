// The hierarchy of units: an Organization (or PublicBody) answers to its `parentUnit`; the places
// under a unit are the facilities it operates (Address.operator, the monitor's facility registry).
// Walked level by level through views the reader may see, so a restricted unit or a restricted
// parentUnit value neither appears nor carries the walk for someone not on its access list.
import { can, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { getEntity, inputOf, schemaAndDescendants, updateEntity, viewEntities, type EntityView } from "../records/index.ts";
import { nameOf, valuesOf, viewsReferring } from "./positions-read.ts";
import { z } from "zod";
import { parseInput } from "../accounts/index.ts";

/** Deeper than any real chain of command; a guard against data that loops through records one cannot see. */
export const MAX_UNIT_DEPTH = 25;

export const UNIT_SCHEMATA = schemaAndDescendants("Organization");
const PLACE_SCHEMATA = ["Address"];

export interface UnitNode {
  id: string;
  name: string | null;
  schema: string;
  /** The units from the top unit of the walk down to this one, both included. */
  chain: { id: string; name: string | null }[];
  view: EntityView;
}

export interface PlaceUnder {
  id: string;
  name: string | null;
  /** The unit operating it, and the chain from the top unit down to that one. */
  unitId: string;
  chain: { id: string; name: string | null }[];
  view: EntityView;
}

/** A unit and every unit under it (subunits of subunits…), each with its chain from `top`. */
export async function unitsUnder(services: Services, actor: Actor, top: EntityView): Promise<Map<string, UnitNode>> {
  const nodes = new Map<string, UnitNode>([[top.id, { id: top.id, name: nameOf(top), schema: top.schema, chain: [{ id: top.id, name: nameOf(top) }], view: top }]]);
  let level = new Set([top.id]);
  for (let depth = 0; depth < MAX_UNIT_DEPTH && level.size > 0; depth++) {
    const children = await viewsReferring(services, actor, "parentUnit", level, UNIT_SCHEMATA);
    const next = new Set<string>();
    for (const child of children) {
      if (nodes.has(child.id)) continue;
      const parent = valuesOf(child, "parentUnit").map((p) => nodes.get(p)).find((p) => p !== undefined && level.has(p.id));
      if (!parent) continue;
      nodes.set(child.id, { id: child.id, name: nameOf(child), schema: child.schema, chain: [...parent.chain, { id: child.id, name: nameOf(child) }], view: child });
      next.add(child.id);
    }
    level = next;
  }
  return nodes;
}

/** The places operated by any of `units`, each with the chain to its operating unit. */
export async function placesUnder(services: Services, actor: Actor, units: ReadonlyMap<string, UnitNode>): Promise<Map<string, PlaceUnder>> {
  const places = await viewsReferring(services, actor, "operator", new Set(units.keys()), PLACE_SCHEMATA);
  const out = new Map<string, PlaceUnder>();
  for (const place of places) {
    const unit = valuesOf(place, "operator").map((u) => units.get(u)).find((u) => u !== undefined)!;
    out.set(place.id, { id: place.id, name: nameOf(place), unitId: unit.id, chain: unit.chain, view: place });
  }
  return out;
}

/** The units above `unit`, nearest first, as far as the reader may see. */
export async function unitsAbove(services: Services, actor: Actor, unit: EntityView): Promise<{ id: string; name: string | null }[]> {
  const out: { id: string; name: string | null }[] = [];
  const seen = new Set([unit.id]);
  let current = unit;
  for (let depth = 0; depth < MAX_UNIT_DEPTH; depth++) {
    const parentId = valuesOf(current, "parentUnit").find((p) => !seen.has(p));
    if (!parentId) break;
    const [parent] = await viewEntities(services, actor, [parentId]);
    if (!parent) break;
    out.push({ id: parent.id, name: nameOf(parent) });
    seen.add(parent.id);
    current = parent;
  }
  return out;
}

export interface UnitView {
  unit: EntityView;
  /** From the top of the hierarchy down to the unit's parent. */
  above: { id: string; name: string | null }[];
  /** Every unit under it, with its chain from this unit; this unit is not among them. */
  below: UnitNode[];
  /** Facilities operated by this unit or a unit under it. */
  places: PlaceUnder[];
}

async function requireUnitReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "responsibility.view", { kind: "accountability", orgId: actor.orgId }), actor, "responsibility.view", { type: "entity", id: null });
}

/** A unit's place in the hierarchy: the chain above it, the units and facilities under it. */
export async function getUnit(services: Services, origin: Origin, actor: Actor, id: string): Promise<UnitView> {
  await requireUnitReading(services, origin, actor);
  const unit = await getEntity(services, origin, actor, id);
  if (!UNIT_SCHEMATA.includes(unit.schema)) throw new NotFound("no such unit");
  const nodes = await unitsUnder(services, actor, unit);
  const places = await placesUnder(services, actor, nodes);
  const above = (await unitsAbove(services, actor, unit)).reverse();
  return { unit, above, below: [...nodes.values()].filter((n) => n.id !== unit.id), places: [...places.values()] };
}

export const ParentUnitSchema = z.strictObject({
  /** The unit it answers to; null to make it a top unit. */
  parent: z.uuid("the id of a unit").nullable(),
  revision: z.number().int().min(1),
  reason: z.string().trim().min(1, "say why").max(2000),
  source: z.uuid("the id of a Source record").optional(),
});

/** Places a unit under another (or at the top): a records update, so the cycle check, history and sources apply. */
export async function setParentUnit(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<UnitView> {
  await requireUnitReading(services, origin, actor);
  await requirePermission(services, origin, can(actor, "record.edit", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false }), actor, "record.edit", { type: "entity", id: null });
  const unit = await getEntity(services, origin, actor, id);
  if (!UNIT_SCHEMATA.includes(unit.schema)) throw new NotFound("no such unit");
  const input = parseInput(ParentUnitSchema, await inputOf(raw));
  if (input.parent === unit.id) throw new Invalid("a unit cannot be placed under itself or under one of its own subordinate units: that would make a cycle in the chain of command", { parent: "is the unit itself" });
  const values = input.parent === null ? [] : [input.source ? { value: input.parent, source: input.source } : input.parent];
  await updateEntity(services, origin, actor, id, { revision: input.revision, reason: input.reason, properties: { parentUnit: values } });
  return getUnit(services, origin, actor, id);
}
