// The facility registry: places whose type is a detention place, with who is known held there now
// and who was before. "Held there" is worked out from each detention's course as the reader may see
// it, never from the projection alone: a restricted transfer must not say where someone is to a
// reader who may not read it.
import { can, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { getEntity, visibleRecords, visibleTo, viewEntities, type EntityView } from "../records/index.ts";
import { detentionViews, type DetentionView } from "./detentions.ts";
import { FacilityListSchema } from "./input.ts";
import { FACILITY_PLACE_TYPES } from "./summary.ts";

export interface FacilitySummary {
  facility: EntityView;
  /** Detentions known to be there now that the reader may see without restricted values. */
  heldNow: number;
}

export interface FacilityView {
  facility: EntityView;
  heldNow: DetentionView[];
  heldBefore: DetentionView[];
  /** More detentions name the facility than are shown. */
  truncated: boolean;
}

const MAX_DETENTIONS = 300;

async function requireListing(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
}

export function isFacility(place: EntityView): boolean {
  return place.schema === "Address" && (place.properties.placeType ?? []).some((t) => FACILITY_PLACE_TYPES.includes(t));
}

/** The registry: live facilities the reader may see, by name, with how many are held there now. */
export async function listFacilities(services: Services, origin: Origin, actor: Actor, raw: unknown = {}): Promise<FacilitySummary[]> {
  await requireListing(services, origin, actor);
  const { limit } = parseInput(FacilityListSchema, raw);
  const rows = await visibleRecords(services.db, actor)
    .where("e.schema", "=", "Address")
    .where("e.archived_at", "is", null)
    .where((eb) =>
      eb.exists(
        eb.selectFrom("statements as s").select("s.id").whereRef("s.entity_id", "=", "e.id").where("s.property", "=", "placeType").where("s.retracted_at", "is", null).where("s.value", "in", [...FACILITY_PLACE_TYPES]),
      ),
    )
    .orderBy("e.created_at")
    .limit(limit)
    .execute();
  const facilities = (await viewEntities(services, actor, rows.map((r) => r.id))).filter(isFacility);
  const ids = facilities.map((f) => f.id);
  // A guarded row may owe its facility to a restricted value: counted for administrators only.
  const counts = ids.length
    ? await services.db
        .selectFrom("monitor_detentions as m")
        .innerJoin("entities as e", "e.id", "m.detention_id")
        .select(["m.facility_id", (eb) => eb.fn.countAll<string>().as("n")])
        .where(visibleTo(actor))
        .where("m.facility_id", "in", ids)
        .where("m.ongoing", "=", true)
        .where("m.archived", "=", false)
        .$if(actor.role !== "admin", (q) => q.where("m.guarded", "=", false))
        .groupBy("m.facility_id")
        .execute()
    : [];
  const held = new Map(counts.map((c) => [c.facility_id!, Number(c.n)]));
  const name = (f: EntityView) => (f.properties.name?.[0] ?? f.properties.full?.[0] ?? "").toLocaleLowerCase();
  return facilities.map((facility) => ({ facility, heldNow: held.get(facility.id) ?? 0 })).sort((a, b) => name(a.facility).localeCompare(name(b.facility)));
}

/** A facility and the detentions that name it: held there now, and held there before. */
export async function getFacility(services: Services, origin: Origin, actor: Actor, id: string): Promise<FacilityView> {
  await requireListing(services, origin, actor);
  const facility = await getEntity(services, origin, actor, id);
  if (!isFacility(facility)) throw new NotFound("no such facility");
  // Detentions naming it directly, through a status change, or placed there by the projection.
  const direct = await services.db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select(["s.entity_id", "e.schema"])
    .where("s.ref_id", "=", facility.id)
    .where("s.property", "=", "facility")
    .where("s.retracted_at", "is", null)
    .where("e.schema", "in", ["Detention", "CustodyStatus"])
    .where("e.archived_at", "is", null)
    .limit(MAX_DETENTIONS * 4)
    .execute();
  const statusIds = direct.filter((r) => r.schema === "CustodyStatus").map((r) => r.entity_id);
  const viaStatus = statusIds.length
    ? await services.db.selectFrom("statements").select("ref_id").where("entity_id", "in", statusIds).where("property", "=", "detention").where("retracted_at", "is", null).where("ref_id", "is not", null).execute()
    : [];
  const projected = await services.db.selectFrom("monitor_detentions").select("detention_id").where("facility_id", "=", facility.id).where("archived", "=", false).limit(MAX_DETENTIONS).execute();
  const candidates = [...new Set([...direct.filter((r) => r.schema === "Detention").map((r) => r.entity_id), ...viaStatus.map((r) => r.ref_id!), ...projected.map((r) => r.detention_id)])];
  const views = await detentionViews(services, actor, candidates.slice(0, MAX_DETENTIONS));
  const byStart = (a: DetentionView, b: DetentionView) => (b.summary.startedEarliest ?? "").localeCompare(a.summary.startedEarliest ?? "");
  return {
    facility,
    heldNow: views.filter((v) => v.summary.ongoing && v.summary.facilityId === facility.id).sort(byStart),
    heldBefore: views.filter((v) => !(v.summary.ongoing && v.summary.facilityId === facility.id)).sort(byStart),
    truncated: candidates.length > MAX_DETENTIONS,
  };
}
