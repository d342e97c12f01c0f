// What a detention's course comes to: its current status and where, since when, the last proof of
// life, the sentence end, whether it is still going on. One pure function, used for the projection
// (over every statement) and for each reader's pages and API answers (over the statements that
// reader may read), so that a reader never learns from a summary what their timeline hides.

/** Statuses after which the person is no longer held: the detention has ended. */
export const ENDING_STATUSES: readonly string[] = ["released", "released-restricted", "died-in-custody"];
/** Statuses a second release may not follow. */
export const RELEASE_STATUSES: readonly string[] = ["released", "released-restricted"];
/** Place types (place-types vocabulary) that make an Address a facility of the registry. */
export const FACILITY_PLACE_TYPES: readonly string[] = ["detention-facility", "internment-camp", "prison", "police-station", "convenience-police-station"];

export interface DatedValue {
  value: string | null;
  earliest: string | null;
  latest: string | null;
  /** Restricted or secret: the summary is then guarded. */
  sensitive: boolean;
}

export interface StatusFacts {
  id: string;
  restricted: boolean;
  createdAt: Date;
  status: DatedValue | null;
  date: DatedValue | null;
  facility: DatedValue | null;
  sentenceEnd: DatedValue | null;
}

export interface ProofFacts {
  id: string;
  restricted: boolean;
  date: DatedValue | null;
}

export interface DetentionFacts {
  restricted: boolean;
  person: DatedValue | null;
  personRestricted: boolean;
  facility: DatedValue | null;
  start: DatedValue | null;
  silenceDays: DatedValue | null;
  statuses: StatusFacts[];
  proofs: ProofFacts[];
}

export interface DetentionSummary {
  personId: string | null;
  facilityId: string | null;
  status: string | null;
  statusEarliest: string | null;
  statusLatest: string | null;
  startedEarliest: string | null;
  startedLatest: string | null;
  lastProofOfLife: string | null;
  sentenceEnd: string | null;
  ongoing: boolean;
  silenceDays: number | null;
  guarded: boolean;
}

/** Statuses in the order they happened: by date, undated first, then as entered. */
export function statusOrder(a: Pick<StatusFacts, "date" | "createdAt" | "id">, b: Pick<StatusFacts, "date" | "createdAt" | "id">): number {
  const ae = a.date?.earliest ?? "";
  const be = b.date?.earliest ?? "";
  return ae.localeCompare(be) || (a.date?.latest ?? "").localeCompare(b.date?.latest ?? "") || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}

export function summariseDetention(facts: DetentionFacts): DetentionSummary {
  let guarded = facts.restricted || facts.personRestricted;
  const use = (v: DatedValue | null) => {
    if (v?.sensitive) guarded = true;
    return v;
  };
  use(facts.person);
  use(facts.start);
  const days = Number(use(facts.silenceDays)?.value ?? NaN);
  let facilityId = use(facts.facility)?.value ?? null;
  const statuses = facts.statuses.filter((s) => s.status?.value).sort(statusOrder);
  let current: StatusFacts | null = null;
  let sentenceEnd: string | null = null;
  for (const s of statuses) {
    if (s.restricted) guarded = true;
    use(s.status);
    use(s.date);
    current = s;
    const facility = use(s.facility);
    if (facility?.value) facilityId = facility.value;
    // A transfer to no named facility is a transfer to an unknown place.
    else if (s.status!.value === "transferred") facilityId = null;
    const end = use(s.sentenceEnd);
    if (end?.latest) sentenceEnd = end.latest;
  }
  let lastProofOfLife: string | null = null;
  for (const p of facts.proofs) {
    const date = p.date;
    if (!date?.latest) continue;
    if (p.restricted) guarded = true;
    use(date);
    if (lastProofOfLife === null || date.latest > lastProofOfLife) lastProofOfLife = date.latest;
  }
  const firstDated = statuses.find((s) => s.date?.earliest);
  const started = facts.start?.earliest ? facts.start : (firstDated?.date ?? null);
  return {
    personId: facts.person?.value ?? null,
    facilityId,
    status: current?.status?.value ?? null,
    statusEarliest: current?.date?.earliest ?? null,
    statusLatest: current?.date?.latest ?? null,
    startedEarliest: started?.earliest ?? null,
    startedLatest: started?.latest ?? null,
    lastProofOfLife,
    sentenceEnd,
    ongoing: current?.status?.value ? !ENDING_STATUSES.includes(current.status.value) : true,
    silenceDays: Number.isInteger(days) && days >= 1 && days <= 3650 ? days : null,
    guarded,
  };
}
