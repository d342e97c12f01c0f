import type { Role, Scope } from "./roles.ts";

/**
 * Every access decision in Vigil, in one place, as (actor, action, record) → yes or no.
 * Services call `authorize` before they read or write; routes never decide.
 * Read top to bottom, this file is the whole policy.
 */

export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  /** null for a signed-in person; the token's scopes for a script. */
  scopes: readonly Scope[] | null;
}

/** The records an action applies to. Later issues add their own kinds here. */
export type Subject =
  | { kind: "organisation"; orgId: string }
  | { kind: "user"; orgId: string; userId: string }
  | { kind: "audit"; orgId: string }
  | { kind: "own-account"; userId: string }
  | { kind: "evidence"; orgId: string }
  | { kind: "vault"; orgId: string }
  /** An organisation's custody ledger. */
  | { kind: "ledger"; orgId: string }
  /** An organisation's documentation records as a whole: to list them or add one. */
  | { kind: "records"; orgId: string }
  /** One documentation record; `onAccessList` is whether the actor is on a restricted record's list. */
  | { kind: "record"; orgId: string; restricted: boolean; onAccessList: boolean }
  /** An organisation's controlled vocabularies (violation types, roles, place types…). */
  | { kind: "vocabularies"; orgId: string }
  /** An organisation's teams, the groups put on access lists. */
  | { kind: "teams"; orgId: string }
  /** A background job (an import, an export…) and the person it works for. */
  | { kind: "job"; orgId: string; ownerId: string | null }
  /** An organisation's monitoring alerts, their rules, webhooks, and its members' subscriptions and feeds. */
  | { kind: "alerts"; orgId: string }
  /** An organisation's family cases (detainee monitoring): codes, reports, updates. */
  | { kind: "family"; orgId: string }
  /** An organisation's urgent-action addressees and templates. */
  | { kind: "urgent-actions"; orgId: string }
  /** An organisation's sanctions and watch lists, the matches of its records on them, and its gap table. */
  | { kind: "sanctions"; orgId: string }
  /** An organisation's accountability work: officials' responsibility maps and referral dossiers. */
  | { kind: "accountability"; orgId: string };

export type Action =
  | "organisation.view"
  | "organisation.configure"
  | "user.list"
  | "user.invite"
  | "user.change-role"
  | "user.deactivate"
  | "audit.read"
  | "account.view"
  | "account.manage"
  | "evidence.upload"
  | "evidence.view"
  | "evidence.read"
  | "evidence.redact"
  | "evidence.link"
  | "evidence.capture"
  | "capture.configure"
  | "vault.manage"
  | "vault.unseal"
  | "ledger.read-hashes"
  | "ledger.read-entries"
  | "ledger.configure"
  | "record.list"
  | "record.create"
  | "record.view"
  | "record.edit"
  | "record.archive"
  | "record.read-restricted"
  | "record.reveal-secret"
  | "record.manage-access"
  | "record.merge"
  | "vocabulary.view"
  | "vocabulary.manage"
  | "team.view"
  | "team.manage"
  | "job.view"
  | "job.cancel"
  | "import.run"
  | "export.run"
  | "export.download"
  | "names.match"
  | "names.manage-lists"
  | "names.review-duplicates"
  | "alert.view"
  | "alert.acknowledge"
  | "alert.subscribe"
  | "alert.subscribe-organisation"
  | "alert.configure"
  | "family.view"
  | "family.manage"
  | "family.triage"
  | "family.write-update"
  | "family.approve-update"
  // Detainee monitoring: the silence dashboard and its facility map.
  | "monitor.read-silence"
  // Urgent actions: asked of the detention they come from (a record subject), or of the
  // organisation's addressees and templates (an urgent-actions subject).
  | "urgent.view"
  | "urgent.create"
  | "urgent.track"
  | "urgent.addressee.view"
  | "urgent.addressee.manage"
  | "urgent.template.view"
  | "urgent.template.manage"
  // Litigation: asked of the LegalCase record (a record subject), so a restricted case is as
  // need-to-know as any restricted record.
  | "case.view"
  | "case.manage"
  | "case.export"
  // Accountability: the complicity registry and the ownership graph, and screening a supplier list.
  | "complicity.view"
  | "suppliers.screen"
  // Sanctions: the lists, the matches of records on them, the gap table.
  | "sanctions.view"
  | "sanctions.import"
  | "sanctions.review"
  // Accountability: responsibility maps of officials, analysts' decisions on their links, referral dossiers.
  | "responsibility.view"
  | "responsibility.review"
  | "dossier.view"
  | "dossier.write"
  | "dossier.track"
  | "dossier.export";

/** What a token needs among its scopes to perform an action. */
const SCOPE_OF: Record<Action, Scope> = {
  "organisation.view": "read",
  "organisation.configure": "admin",
  "user.list": "admin",
  "user.invite": "admin",
  "user.change-role": "admin",
  "user.deactivate": "admin",
  "audit.read": "admin",
  "account.view": "read",
  "account.manage": "write",
  "evidence.upload": "write",
  "evidence.view": "read",
  "evidence.read": "read",
  "evidence.redact": "write",
  "evidence.link": "write",
  "evidence.capture": "write",
  "capture.configure": "admin",
  "vault.manage": "admin",
  "vault.unseal": "admin",
  "ledger.read-hashes": "read",
  "ledger.read-entries": "admin",
  "ledger.configure": "admin",
  "record.list": "read",
  "record.create": "write",
  "record.view": "read",
  "record.edit": "write",
  "record.archive": "write",
  "record.read-restricted": "read",
  "record.reveal-secret": "read",
  "record.manage-access": "write",
  "record.merge": "write",
  "vocabulary.view": "read",
  "vocabulary.manage": "admin",
  "team.view": "read",
  "team.manage": "admin",
  "job.view": "read",
  "job.cancel": "write",
  "import.run": "write",
  "export.run": "read",
  "export.download": "read",
  "names.match": "read",
  "names.manage-lists": "write",
  "names.review-duplicates": "write",
  "alert.view": "read",
  "alert.acknowledge": "write",
  "alert.subscribe": "write",
  "alert.subscribe-organisation": "write",
  "alert.configure": "admin",
  "family.view": "read",
  "family.manage": "write",
  "family.triage": "write",
  "family.write-update": "write",
  "family.approve-update": "write",
  "monitor.read-silence": "read",
  "urgent.view": "read",
  "urgent.create": "write",
  "urgent.track": "write",
  "urgent.addressee.view": "read",
  "urgent.addressee.manage": "write",
  "urgent.template.view": "read",
  "urgent.template.manage": "admin",
  "case.view": "read",
  "case.manage": "write",
  "case.export": "write",
  "complicity.view": "read",
  "suppliers.screen": "read",
  "sanctions.view": "read",
  "sanctions.import": "write",
  "sanctions.review": "write",
  "responsibility.view": "read",
  "responsibility.review": "write",
  "dossier.view": "read",
  "dossier.write": "write",
  "dossier.track": "write",
  "dossier.export": "read",
};

function sameOrganisation(actor: Actor, action: Action, subject: Subject): boolean {
  // A log's hashes are checked by whoever holds a copy: partners and other organisations included.
  if (action === "ledger.read-hashes") return true;
  return !("orgId" in subject) || subject.orgId === actor.orgId;
}

function tokenAllows(actor: Actor, action: Action): boolean {
  if (actor.scopes === null) return true;
  const needed = SCOPE_OF[action];
  // admin implies write implies read.
  if (actor.scopes.includes("admin")) return true;
  if (needed === "write") return actor.scopes.includes("write");
  if (needed === "read") return actor.scopes.includes("read") || actor.scopes.includes("write");
  return false;
}

function roleAllows(actor: Actor, action: Action, subject: Subject): boolean {
  switch (action) {
    case "organisation.view":
      return actor.role !== "partner";
    case "organisation.configure":
    case "user.list":
    case "user.invite":
    case "audit.read":
      return actor.role === "admin";
    case "user.change-role":
    case "user.deactivate":
      // An admin manages others; nobody demotes or deactivates themself by accident here.
      return actor.role === "admin" && subject.kind === "user" && subject.userId !== actor.userId;
    case "ledger.read-hashes":
      // Hashes and checkpoints reveal only how many events there were and when.
      return true;
    case "ledger.read-entries":
    case "ledger.configure":
      return actor.role === "admin";
    case "account.view":
    case "account.manage":
      return subject.kind === "own-account" && subject.userId === actor.userId;
    // Evidence: those who document add it and make redacted copies; every member but a partner
    // sees it, and reads its decrypted metadata and content (the vault must be unsealed too).
    case "evidence.upload":
    case "evidence.redact":
      return actor.role === "admin" || actor.role === "editor" || actor.role === "researcher";
    case "evidence.view":
    case "evidence.read":
      return actor.role !== "partner";
    // Linking evidence to a record, or withdrawing the link, is documenting: the record must also
    // be one the actor may edit (asked of the record separately). Capturing a web page makes
    // evidence and a Source at once. Letting captures reach private addresses is the admins' call.
    case "evidence.link":
    case "evidence.capture":
      return isDocumenter(actor);
    case "capture.configure":
      return actor.role === "admin";
    // The organisation's keys: creating, rotating, exporting, unsealing and sealing them.
    case "vault.manage":
    case "vault.unseal":
      return actor.role === "admin";
    // Documentation records: every member but a partner reads them, those who document write them.
    // A restricted record is need-to-know: administrators and its access list only; to anyone else
    // it does not exist. Restricted statements follow the same list; secret values (sources'
    // identities) are revealed on request, to those who document, each reading audited.
    case "record.list":
      return actor.role !== "partner";
    case "record.create":
      return isDocumenter(actor);
    case "record.view":
      return actor.role !== "partner" && knowsOf(actor, subject);
    case "record.edit":
    case "record.archive":
    case "record.reveal-secret":
      return isDocumenter(actor) && knowsOf(actor, subject);
    case "record.read-restricted":
      return actor.role !== "partner" && subject.kind === "record" && (actor.role === "admin" || subject.onAccessList);
    case "record.manage-access":
      return actor.role === "admin" || (actor.role === "editor" && subject.kind === "record" && subject.onAccessList);
    // Merging two records (researchers dedupe people across testimonies) rewrites both: it is asked
    // of each record in turn, and each must be one the actor knows of.
    case "record.merge":
      return isDocumenter(actor) && knowsOf(actor, subject);
    // Vocabularies are read by every member but a partner, and changed by administrators only.
    case "vocabulary.view":
      return actor.role !== "partner";
    case "vocabulary.manage":
      return actor.role === "admin";
    // Teams: members see them to grant access to them; administrators make them and change members.
    case "team.view":
      return actor.role !== "partner";
    case "team.manage":
      return actor.role === "admin";
    // A background job's progress and result are its owner's, and its organisation's administrators'.
    case "job.view":
    case "job.cancel":
      return subject.kind === "job" && (actor.role === "admin" || (subject.ownerId !== null && subject.ownerId === actor.userId));
    // Importing writes records (each row checked as a new record of the importer's); exporting reads
    // them, each as the exporter may see it; the exported file is handed to the job's owner only.
    case "import.run":
      return isDocumenter(actor);
    case "export.run":
      return actor.role !== "partner";
    case "export.download":
      return actor.role !== "partner" && subject.kind === "job" && subject.ownerId === actor.userId;
    // Matching names (the /match API, bulk screening): whoever reads records, against what they may see.
    case "names.match":
      return actor.role !== "partner";
    // Named lists to screen against are made and kept by those who document; every reader screens
    // against them. Probable duplicates are reviewed (merged or set aside) by the same people.
    case "names.manage-lists":
    case "names.review-duplicates":
      return isDocumenter(actor);
    // Monitoring alerts: every reader sees those about records they may know of, and watches cases,
    // facilities and saved searches (an inbox, emails, a feed of their own); those who document
    // acknowledge them. Every alert of the organisation goes to administrators and editors who opt
    // in. Which rules run, their windows and the webhooks are the administrators' call.
    case "alert.view":
    case "alert.subscribe":
      return actor.role !== "partner";
    case "alert.acknowledge":
      return isDocumenter(actor);
    case "alert.subscribe-organisation":
      return actor.role === "admin" || actor.role === "editor";
    case "alert.configure":
      return actor.role === "admin";
    // Families (detainee monitoring): every member but a partner sees that cases exist and their
    // dates; only administrators and editors issue codes, read what families wrote (sealed), turn
    // it into records, and write and approve what a family is told. The second-person rule for
    // approving an update depends on the organisation's members: src/monitor/family-updates.ts.
    case "family.view":
      return actor.role !== "partner" && subject.kind === "family";
    case "family.manage":
    case "family.triage":
    case "family.write-update":
    case "family.approve-update":
      return (actor.role === "admin" || actor.role === "editor") && subject.kind === "family";
    // Who has gone silent: every member but a partner, each row only if its detention is one they
    // may know of (and a guarded one only if they may read its restricted part: asked in the query).
    case "monitor.read-silence":
      return actor.role !== "partner";
    // Urgent actions are advocacy: administrators and editors write them and log what was sent and
    // answered; every member but a partner reads them. An action is as need-to-know as its
    // detention: who may not know of a restricted detention does not know of its actions either.
    // Addressees are kept by the same writers; templates are the administrators'.
    case "urgent.view":
      return actor.role !== "partner" && knowsOf(actor, subject);
    case "urgent.create":
    case "urgent.track":
      return (actor.role === "admin" || actor.role === "editor") && knowsOf(actor, subject);
    case "urgent.addressee.view":
    case "urgent.template.view":
      return actor.role !== "partner";
    case "urgent.addressee.manage":
      return actor.role === "admin" || actor.role === "editor";
    case "urgent.template.manage":
      return actor.role === "admin";
    // Legal cases: every member but a partner reads them (parties appear by label and record, consent
    // by its history); administrators and editors, who carry the organisation's word to lawyers and
    // courts, add parties, record consent, deadlines and exhibits, and make court bundles (which
    // also needs evidence.read on the vault, asked separately).
    case "case.view":
      return actor.role !== "partner" && knowsOf(actor, subject);
    case "case.manage":
    case "case.export":
      return (actor.role === "admin" || actor.role === "editor") && knowsOf(actor, subject);
    // The complicity registry and the ownership graph are read as the records are: every member but
    // a partner, each finding, organisation and link only if its records are ones they may know of.
    // Screening a supplier list against them is reading too (as bulk name screening is); findings
    // themselves are records, written through the records service by those who document.
    case "complicity.view":
    case "suppliers.screen":
      return actor.role !== "partner" && subject.kind === "records";
    // Sanctions lists are what governments publish: every member but a partner reads them, the
    // matches and the gap table (each record only if they may know of it: asked in the query).
    // Importing a list changes what everyone screens against: administrators and editors. Those
    // who document run the matching and confirm or reject what it proposes.
    case "sanctions.view":
      return actor.role !== "partner" && subject.kind === "sanctions";
    case "sanctions.import":
      return (actor.role === "admin" || actor.role === "editor") && subject.kind === "sanctions";
    case "sanctions.review":
      return isDocumenter(actor) && subject.kind === "sanctions";
    // Accountability: every member but a partner reads an official's responsibility map (each link
    // only when its records are ones they may know of: asked of the records themselves); those who
    // document confirm or dismiss a link. Referral dossiers are advocacy, like urgent actions:
    // administrators and editors draft, edit and track them; every member but a partner reads and
    // exports them (the exhibits need evidence.read and an unsealed vault as well).
    case "responsibility.view":
    case "dossier.view":
    case "dossier.export":
      return actor.role !== "partner" && subject.kind === "accountability";
    case "responsibility.review":
      return isDocumenter(actor) && subject.kind === "accountability";
    case "dossier.write":
    case "dossier.track":
      return (actor.role === "admin" || actor.role === "editor") && subject.kind === "accountability";
  }
}

function isDocumenter(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "editor" || actor.role === "researcher";
}

function knowsOf(actor: Actor, subject: Subject): boolean {
  return subject.kind === "record" && (!subject.restricted || actor.role === "admin" || subject.onAccessList);
}

export function can(actor: Actor, action: Action, subject: Subject): boolean {
  return sameOrganisation(actor, action, subject) && tokenAllows(actor, action) && roleAllows(actor, action, subject);
}
