// Posts: who held which position. FtM's Position (the post: its name, the organisation or unit it
// belongs to, the jurisdiction) and Occupancy (its holder, from and to as EDTF dates), written as
// records through the records service so that sources, sensitivity, revisions and access lists
// apply; a person's career is read back from them.
import { z } from "zod";
import { can, Invalid, NotFound, parseEdtf, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { getEntity, inputOf, loadRecord, planEntityCreation, viewEntities, visibleTo, writeEntityCreation, type EntityView } from "../records/index.ts";
import { dateOf, nameOf, namesOf, valuesOf, viewsReferring, type Dated } from "./positions-read.ts";
import { UNIT_SCHEMATA, unitsAbove } from "./units.ts";

const EdtfText = z.string().trim().min(1, "is empty").max(64, "at most 64 characters");

export const PostCreateSchema = z
  .strictObject({
    /** An existing Position record, or a new one described by `title` and `unit`. */
    position: z.uuid("the id of a Position record").optional(),
    title: z.string().trim().min(1, "is empty").max(384, "at most 384 characters").optional(),
    unit: z.uuid("the id of an organisation or unit").optional(),
    country: z.string().trim().toLowerCase().max(16).optional(),
    subnationalArea: z.string().trim().max(1024).optional(),
    startDate: EdtfText.optional(),
    endDate: EdtfText.optional(),
    source: z.uuid("the id of a Source record").optional(),
    restricted: z.boolean().optional(),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((p) => (p.position === undefined) !== (p.title === undefined), { message: "name an existing position, or give the title of a new one", path: ["position"] })
  .refine((p) => p.position === undefined || (p.unit === undefined && p.country === undefined && p.subnationalArea === undefined), { message: "an existing position keeps its own unit and jurisdiction", path: ["unit"] });
export type PostCreate = z.infer<typeof PostCreateSchema>;

export interface CareerEntry {
  occupancy: EntityView;
  position: { id: string; name: string | null; country: string[]; subnationalArea: string[] } | null;
  unit: { id: string; name: string | null; schema: string } | null;
  /** The units above the post's unit, top first, as far as the reader may see. */
  unitChain: { id: string; name: string | null }[];
  start: Dated;
  end: Dated;
  /** The widest span the dates can mean: an unknown start or end is open. */
  earliest: string;
  latest: string;
  /** The span the dates certainly cover, when there is one. */
  certainFrom: string | null;
  certainTo: string | null;
  sources: string[];
}

export interface Career {
  person: EntityView;
  entries: CareerEntry[];
}

const OPEN_START = "0000-01-01";
const OPEN_END = "9999-12-31";

async function requireReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "responsibility.view", { kind: "accountability", orgId: actor.orgId }), actor, "responsibility.view", { type: "entity", id: null });
}

/** A Person the reader may know of, or NotFound (never "forbidden": we do not confirm what exists). */
export async function loadOfficial(services: Services, origin: Origin, actor: Actor, id: string): Promise<EntityView> {
  const person = await getEntity(services, origin, actor, id);
  if (person.schema !== "Person") throw new NotFound("no such official");
  return person;
}

/** The posts a person held, as the reader may see them, oldest first (undated last). */
export async function occupanciesOf(services: Services, actor: Actor, personId: string): Promise<CareerEntry[]> {
  const occupancies = await viewsReferring(services, actor, "holder", new Set([personId]), ["Occupancy"]);
  const positionIds = occupancies.flatMap((o) => valuesOf(o, "post"));
  const positions = new Map((await viewEntities(services, actor, positionIds)).map((p) => [p.id, p]));
  const unitIds = [...positions.values()].flatMap((p) => valuesOf(p, "organization"));
  const units = new Map((await viewEntities(services, actor, unitIds)).map((u) => [u.id, u]));
  const entries: CareerEntry[] = [];
  for (const occupancy of occupancies) {
    const position = valuesOf(occupancy, "post").map((id) => positions.get(id)).find((p) => p !== undefined) ?? null;
    const unit = position ? (valuesOf(position, "organization").map((id) => units.get(id)).find((u) => u !== undefined && UNIT_SCHEMATA.includes(u.schema)) ?? null) : null;
    const start = dateOf(occupancy, ["startDate", "date"]);
    const end = dateOf(occupancy, ["endDate"]);
    const sources = new Set<string>();
    for (const s of [...occupancy.statements, ...(position?.statements ?? [])]) if (s.source) sources.add(s.source);
    entries.push({
      occupancy,
      position: position ? { id: position.id, name: nameOf(position), country: valuesOf(position, "country"), subnationalArea: valuesOf(position, "subnationalArea") } : null,
      unit: unit ? { id: unit.id, name: nameOf(unit), schema: unit.schema } : null,
      unitChain: unit ? (await unitsAbove(services, actor, unit)).reverse() : [],
      start,
      end,
      earliest: start.earliest ?? OPEN_START,
      latest: end.latest ?? OPEN_END,
      certainFrom: start.latest,
      certainTo: end.earliest,
      sources: [...sources],
    });
  }
  return entries.sort((a, b) => (a.start.earliest === null ? 1 : 0) - (b.start.earliest === null ? 1 : 0) || a.earliest.localeCompare(b.earliest) || a.latest.localeCompare(b.latest) || a.occupancy.createdAt.getTime() - b.occupancy.createdAt.getTime());
}

/** A person's career as a timeline: every post they held that the reader may see. */
export async function officialCareer(services: Services, origin: Origin, actor: Actor, personId: string): Promise<Career> {
  await requireReading(services, origin, actor);
  const person = await loadOfficial(services, origin, actor, personId);
  return { person, entries: await occupanciesOf(services, actor, person.id) };
}

function checkDate(value: string | undefined, field: string, errors: FieldErrors): { earliest: string; latest: string } | null {
  if (value === undefined) return null;
  const parsed = parseEdtf(value);
  if (!parsed.ok) {
    errors[field] = `is not a valid EDTF date: ${parsed.error}`;
    return null;
  }
  return parsed.value;
}

/**
 * Records that a person held a post: a new Position (title, unit, jurisdiction) or an existing
 * one, and the Occupancy (from, to), both in one transaction, each value citing the source.
 */
export async function recordPost(services: Services, origin: Origin, actor: Actor, personId: string, raw: unknown): Promise<Career> {
  await requirePermission(services, origin, can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "record.create", { type: "entity", id: null });
  const person = await loadRecord(services, actor, personId);
  if (person.row.schema !== "Person") throw new NotFound("no such official");
  const input = parseInput(PostCreateSchema, await inputOf(raw));
  const errors: FieldErrors = {};
  const start = checkDate(input.startDate, "startDate", errors);
  const end = checkDate(input.endDate, "endDate", errors);
  if (start && end && end.latest < start.earliest) errors.endDate = "ends before it starts";
  if (input.unit) {
    const [unit] = await viewEntities(services, actor, [input.unit]);
    if (!unit) errors.unit = "no such unit";
    else if (!UNIT_SCHEMATA.includes(unit.schema)) errors.unit = `must be an organisation or unit, not a ${unit.schema}`;
  }
  if (input.position) {
    const [position] = await viewEntities(services, actor, [input.position]);
    if (!position || position.schema !== "Position") errors.position = "no such position";
  }
  if (Object.keys(errors).length > 0) throw new Invalid("some fields are not valid", errors);
  const value = (v: string) => (input.source ? { value: v, source: input.source } : v);
  const restricted = input.restricted ?? false;
  const positionPlan = input.title
    ? await planEntityCreation(services, origin, actor, {
        schema: "Position",
        restricted,
        reason: input.reason ?? "post recorded",
        properties: {
          name: [value(input.title)],
          ...(input.unit ? { organization: [value(input.unit)] } : {}),
          ...(input.country ? { country: [value(input.country)] } : {}),
          ...(input.subnationalArea ? { subnationalArea: [value(input.subnationalArea)] } : {}),
        },
      })
    : null;
  const postId = positionPlan?.id ?? input.position!;
  await services.db.transaction().execute(async (tx) => {
    if (positionPlan) await writeEntityCreation(tx, services, origin, actor, positionPlan);
    // Planned inside the transaction, where the new Position already exists for its reference check.
    const occupancyPlan = await planEntityCreation({ ...services, db: tx }, origin, actor, {
      schema: "Occupancy",
      restricted,
      reason: input.reason ?? "post recorded",
      properties: {
        holder: [value(person.row.id)],
        post: [value(postId)],
        ...(input.startDate ? { startDate: [value(input.startDate)] } : {}),
        ...(input.endDate ? { endDate: [value(input.endDate)] } : {}),
      },
    });
    await writeEntityCreation(tx, services, origin, actor, occupancyPlan);
  });
  return officialCareer(services, origin, actor, person.row.id);
}

export interface OfficialSummary {
  id: string;
  name: string | null;
  posts: number;
}

/** People holding a post the reader may see, by name: the officials' list. */
export async function listOfficials(services: Services, origin: Origin, actor: Actor, limit = 500): Promise<OfficialSummary[]> {
  await requireReading(services, origin, actor);
  const rows = await services.db
    .selectFrom("entities as e")
    .select("e.id")
    .where(visibleTo(actor))
    .where("e.schema", "=", "Occupancy")
    .where("e.archived_at", "is", null)
    .where("e.merged_into", "is", null)
    .orderBy("e.created_at", "desc")
    .limit(5000)
    .execute();
  const posts = new Map<string, number>();
  for (const o of await viewEntities(services, actor, rows.map((r) => r.id))) for (const h of valuesOf(o, "holder")) posts.set(h, (posts.get(h) ?? 0) + 1);
  const names = await namesOf(services, actor, posts.keys());
  return [...names.keys()]
    .map((id) => ({ id, name: names.get(id) ?? null, posts: posts.get(id)! }))
    .sort((a, b) => (a.name ?? "\uffff").localeCompare(b.name ?? "\uffff") || a.id.localeCompare(b.id))
    .slice(0, limit);
}

/** Live records of some schemata the reader may see, by name, for the choices of a form. */
export async function recordChoices(services: Services, actor: Actor, schemata: readonly string[], limit = 500): Promise<{ id: string; name: string }[]> {
  const rows = await services.db
    .selectFrom("entities as e")
    .select("e.id")
    .where(visibleTo(actor))
    .where("e.schema", "in", [...schemata])
    .where("e.archived_at", "is", null)
    .where("e.merged_into", "is", null)
    .orderBy("e.created_at", "desc")
    .limit(limit)
    .execute();
  const names = await namesOf(services, actor, rows.map((r) => r.id));
  return [...names].map(([id, name]) => ({ id, name: name ?? id })).sort((a, b) => a.name.localeCompare(b.name));
}
