import { randomBytes } from "node:crypto";
import { canonicalizeToBytes, type JsonObject } from "./canonical-json.ts";
import { decodeBase64 } from "./hash.ts";
import { LedgerError } from "./errors.ts";
import { MAX_ENTRY_SIZE } from "./tiles.ts";

/** What happened to a piece of evidence or a secret record. */
export const CUSTODY_EVENT_KINDS = [
  "received",
  "viewed",
  "downloaded",
  "exported",
  "shared",
  "redacted",
  "merged",
  "key_rotated",
  "secret_read",
  "unsealed",
  // A web capture made the item (instead of "received"): its details name the capture.
  "captured",
  // The item was linked to a record as supporting it, or that link was withdrawn (details name the record and the link).
  "linked",
  "unlinked",
] as const;
export type CustodyEventKind = (typeof CUSTODY_EVENT_KINDS)[number];

/**
 * One leaf of the custody ledger. A leaf is public to anyone who holds the tiles, so it names
 * people only by pseudonymous ids and subjects only by ids, never by name or content; the random
 * nonce makes two otherwise identical events distinct leaves and stops anyone confirming a
 * guessed event by hashing it.
 */
export interface CustodyEvent {
  readonly kind: CustodyEventKind;
  /** Id of the evidence item or record the event is about. */
  readonly subject: string;
  /** Pseudonymous id of the person or process that acted. */
  readonly actor: string;
  /** RFC 3339 UTC timestamp, e.g. 2025-01-31T12:00:00.000Z. */
  readonly time: string;
  /** Base64 of at least 16 random bytes. */
  readonly nonce: string;
  readonly details: JsonObject;
}

const MIN_NONCE_BYTES = 16;
/** Ids are opaque tokens (UUIDs, "pseud:…"): no spaces, so a person's name cannot pass for one. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export function newCustodyEvent(input: {
  kind: CustodyEventKind;
  subject: string;
  actor: string;
  time?: Date;
  details?: JsonObject;
}): CustodyEvent {
  const event: CustodyEvent = {
    kind: input.kind,
    subject: input.subject,
    actor: input.actor,
    time: (input.time ?? new Date()).toISOString(),
    nonce: randomBytes(MIN_NONCE_BYTES).toString("base64"),
    details: input.details ?? {},
  };
  checkEvent(event);
  return event;
}

function invalid(reason: string): never {
  throw new LedgerError("invalid-event", reason);
}

function checkEvent(event: CustodyEvent): void {
  if (!(CUSTODY_EVENT_KINDS as readonly string[]).includes(event.kind)) invalid(`unknown kind ${JSON.stringify(event.kind)}`);
  if (typeof event.subject !== "string" || !ID.test(event.subject)) invalid("subject is an opaque id");
  if (typeof event.actor !== "string" || !ID.test(event.actor)) invalid("actor is a pseudonymous id");
  if (typeof event.time !== "string" || !UTC_TIME.test(event.time) || Number.isNaN(Date.parse(event.time))) {
    invalid("time is an RFC 3339 UTC timestamp");
  }
  const nonce = typeof event.nonce === "string" ? decodeBase64(event.nonce) : undefined;
  if (!nonce || nonce.length < MIN_NONCE_BYTES) invalid(`nonce is base64 of at least ${MIN_NONCE_BYTES} bytes`);
  if (typeof event.details !== "object" || event.details === null || Array.isArray(event.details)) invalid("details is an object");
}

/**
 * The leaf bytes: RFC 8785 canonical JSON of the event, so anyone re-encoding the same event
 * gets the same hash. At most 65,535 bytes, the most a tlog-tiles entry bundle can carry.
 */
export function encodeLeaf(event: CustodyEvent): Uint8Array {
  checkEvent(event);
  const { kind, subject, actor, time, nonce, details } = event;
  const bytes = canonicalizeToBytes({ kind, subject, actor, time, nonce, details });
  if (bytes.length > MAX_ENTRY_SIZE) {
    throw new LedgerError("leaf-too-large", `a leaf of ${bytes.length} bytes exceeds ${MAX_ENTRY_SIZE}; move bulky details out of the ledger`);
  }
  return bytes;
}

/** Reads a leaf back, refusing bytes that are not exactly what encodeLeaf would write. */
export function decodeLeaf(leaf: Uint8Array): CustodyEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(leaf));
  } catch {
    return invalid("a leaf is UTF-8 JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) invalid("a leaf is a JSON object");
  const event = parsed as CustodyEvent;
  if (Buffer.compare(Buffer.from(encodeLeaf(event)), Buffer.from(leaf)) !== 0) invalid("a leaf is the canonical JSON of an event");
  return event;
}
