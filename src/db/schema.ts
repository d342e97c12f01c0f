import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** Timestamps the database fills in when a row is written without one. */
type DefaultNow = ColumnType<Date, Date | undefined, Date>;

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: DefaultNow;
}

export interface OrganisationsTable {
  id: string;
  slug: string;
  name: string;
  require_totp: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultNow;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  locale: string | null;
  pseudonym: string;
  totp_secret_enc: Buffer | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
  password_changed_at: DefaultNow;
  deactivated_at: Date | null;
  created_at: DefaultNow;
}

export interface MembershipsTable {
  user_id: string;
  org_id: string;
  role: string;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  org_id: string;
  second_factor_pending: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultNow;
  last_seen_at: DefaultNow;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Date | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: DefaultNow;
}

export interface InvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  created_at: DefaultNow;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  org_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: DefaultNow;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: DefaultNow;
  blocked_until: Date | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: DefaultNow;
  org_id: string | null;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  outcome: "ok" | "denied" | "failed";
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  ledger_index: number | null;
}

export interface LedgerLogsTable {
  org_id: string;
  origin: string;
  signer_key_sealed: Uint8Array;
  verifier_key: string;
  public: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultNow;
}

export interface LedgerLeavesTable {
  org_id: string;
  idx: number;
  data: Uint8Array;
  created_at: DefaultNow;
}

export interface LedgerHashesTable {
  org_id: string;
  idx: number;
  hash: Uint8Array;
}

export interface LedgerCheckpointsTable {
  org_id: string;
  size: number;
  root_hash: Uint8Array;
  note: string;
  created_at: DefaultNow;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: DefaultNow;
}

export interface Schema {
  settings: SettingsTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  recovery_codes: RecoveryCodesTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventsTable;
  ledger_logs: LedgerLogsTable;
  ledger_leaves: LedgerLeavesTable;
  ledger_hashes: LedgerHashesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  schema_migrations: SchemaMigrationsTable;
  vault_keyrings: VaultKeyringsTable;
  vault_key_shares: VaultKeySharesTable;
  evidence: EvidenceTable;
}

export type UserRow = Selectable<UsersTable>;
export type OrganisationRow = Selectable<OrganisationsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type EvidenceRow = Selectable<EvidenceTable>;

export interface VaultKeyringsTable {
  org_id: string;
  recipient: string;
  mode: "passphrase" | "shares";
  sealed_identity: string | null;
  threshold: number | null;
  generation: ColumnType<number, number | undefined, number>;
  created_at: DefaultNow;
  rotated_at: Date | null;
}

export interface VaultKeySharesTable {
  org_id: string;
  holder: string;
  sealed: string;
}

export interface EvidenceTable {
  id: string;
  org_id: string;
  ciphertext_sha256: string;
  ciphertext_size: number;
  plaintext_size: number;
  media_type: string;
  commitment: string;
  metadata_enc: Buffer;
  derived_from: string | null;
  ledger_index: number;
  received_by: string | null;
  received_at: DefaultNow;
}

// Documentation records (migration 0004). Declared as a merge of Schema so the tables stay together.
export interface Schema {
  entities: EntitiesTable;
  statements: StatementsTable;
  entity_revisions: EntityRevisionsTable;
  entity_access: EntityAccessTable;
}

export interface EntitiesTable {
  id: string;
  org_id: string;
  schema: string;
  revision: ColumnType<number, number | undefined, number>;
  restricted: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  archived_at: Date | null;
  archived_by: string | null;
  archive_reason: string | null;
  /** Set when the record was merged into another (migration 0006): it is then a redirect. */
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
  merge_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** What a list sorted by name orders on (migration 0017): see refreshNameSortKeys. */
  name_key: ColumnType<string, string | undefined, string>;
}

export interface StatementsTable {
  id: string;
  seq: Generated<number>;
  org_id: string;
  entity_id: string;
  property: string;
  value: string | null;
  value_sealed: Buffer | null;
  lang: string | null;
  script: string | null;
  source_id: string | null;
  confidence: number | null;
  sensitivity: "public" | "internal" | "restricted" | "secret";
  date_earliest: string | null;
  date_latest: string | null;
  author_id: string | null;
  created_at: DefaultNow;
  revision: number;
  retracted_at: Date | null;
  retracted_by: string | null;
  retracted_revision: number | null;
  /** The record an entity property points at (migration 0006). */
  ref_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The statement a merge, or its undoing, copied this one from. */
  copied_from: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EntityRevisionsTable {
  entity_id: string;
  number: number;
  kind: "create" | "update" | "archive" | "restore" | "merge" | "unmerge";
  author_id: string | null;
  reason: string;
  created_at: DefaultNow;
  summary: ColumnType<Record<string, unknown>, string, string>;
}

export interface EntityAccessTable {
  entity_id: string;
  user_id: string;
  granted_by: string | null;
  granted_at: DefaultNow;
  /** false when the user is on the list only through a team (migration 0006). */
  direct: ColumnType<boolean, boolean | undefined, boolean>;
}

export type EntityRow = Selectable<EntitiesTable>;
export type StatementRow = Selectable<StatementsTable>;
export type EntityRevisionRow = Selectable<EntityRevisionsTable>;

// The names index and named lists (migration 0005).
export interface Schema {
  name_keys: NameKeysTable;
  entity_lists: EntityListsTable;
  entity_list_members: EntityListMembersTable;
}

export interface NameKeysTable {
  org_id: string;
  entity_id: string;
  key: string;
  /** The birth decade (yyy of yyyy), -1 when unknown (migration 0010). */
  decade: ColumnType<number, number | undefined, number>;
}

export interface EntityListsTable {
  id: string;
  org_id: string;
  name: string;
  title: string;
  created_at: DefaultNow;
  /** Migration 0010. */
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
  archived_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  archived_by: ColumnType<string | null, string | null | undefined, string | null>;
  archive_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EntityListMembersTable {
  list_id: string;
  entity_id: string;
  /** Migration 0010. */
  added_by: ColumnType<string | null, string | null | undefined, string | null>;
  added_at: DefaultNow;
  removed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  removed_by: ColumnType<string | null, string | null | undefined, string | null>;
  removal_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

// Prepared match features and rejected duplicate pairs (migration 0010).
export interface Schema {
  name_features: NameFeaturesTable;
  duplicate_rejections: DuplicateRejectionsTable;
}

export interface NameFeaturesTable {
  entity_id: string;
  org_id: string;
  engine: string;
  guarded: boolean;
  features: ColumnType<unknown, string, string>;
}

export interface DuplicateRejectionsTable {
  org_id: string;
  entity_a: string;
  entity_b: string;
  rejected_by: string | null;
  rejected_at: DefaultNow;
  reason: string;
}

// Vocabularies, merges, tags, assignments, bulk operations and teams (migration 0006).
export interface Schema {
  vocabulary_terms: VocabularyTermsTable;
  entity_merges: EntityMergesTable;
  entity_merge_moves: EntityMergeMovesTable;
  entity_merge_marks: EntityMergeMarksTable;
  entity_tags: EntityTagsTable;
  entity_assignments: EntityAssignmentsTable;
  bulk_operations: BulkOperationsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  entity_team_access: EntityTeamAccessTable;
}

export interface VocabularyTermsTable {
  org_id: string;
  vocabulary: string;
  code: string;
  labels: ColumnType<Record<string, string>, string, string>;
  retired_at: Date | null;
  retired_by: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  updated_by: string | null;
}

export interface EntityMergesTable {
  id: string;
  org_id: string;
  target_id: string;
  merged_id: string;
  reason: string;
  author_id: string | null;
  created_at: DefaultNow;
  target_revision: number;
  merged_revision: number;
  undone_at: Date | null;
  undone_by: string | null;
  undo_reason: string | null;
}

export interface EntityMergeMovesTable {
  merge_id: string;
  kind: "statement" | "reference" | "citation";
  entity_id: string;
  from_statement: string;
  to_statement: string | null;
}

export interface EntityMergeMarksTable {
  merge_id: string;
  kind: "tag" | "assignment" | "user-access" | "team-access";
  ref_id: string;
}

export interface EntityTagsTable {
  id: string;
  org_id: string;
  entity_id: string;
  tag: string;
  added_by: string | null;
  added_at: DefaultNow;
  removed_by: string | null;
  removed_at: Date | null;
}

export interface EntityAssignmentsTable {
  id: string;
  org_id: string;
  entity_id: string;
  user_id: string;
  assigned_by: string | null;
  assigned_at: DefaultNow;
  ended_by: string | null;
  ended_at: Date | null;
}

export interface BulkOperationsTable {
  id: string;
  org_id: string;
  actor_id: string;
  action: "tag" | "untag" | "assign" | "unassign" | "archive";
  params: ColumnType<Record<string, unknown>, string, string>;
  selection: ColumnType<Record<string, unknown>, string, string>;
  status: "pending" | "running" | "done" | "failed" | "cancelled";
  total: number;
  processed: ColumnType<number, number | undefined, number>;
  changed: ColumnType<number, number | undefined, number>;
  cursor: string | null;
  error: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  finished_at: Date | null;
}

export interface TeamsTable {
  id: string;
  org_id: string;
  name: string;
  created_by: string | null;
  created_at: DefaultNow;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  added_by: string | null;
  added_at: DefaultNow;
}

export interface EntityTeamAccessTable {
  entity_id: string;
  team_id: string;
  granted_by: string | null;
  granted_at: DefaultNow;
}

export type BulkOperationRow = Selectable<BulkOperationsTable>;
export type EntityMergeRow = Selectable<EntityMergesTable>;

// Jobs, schedules, imports and exports (migration 0008).
export interface Schema {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  import_mappings: ImportMappingsTable;
  imports: ImportsTable;
  import_rejections: ImportRejectionsTable;
  exports: ExportsTable;
}

type Json = ColumnType<unknown, string, string>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface JobsTable {
  id: string;
  kind: string;
  org_id: string | null;
  owner_id: string | null;
  payload: Json;
  unique_key: string | null;
  state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  run_at: Date;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  lease_owner: Nullable<string>;
  lease_expires_at: Nullable<Date>;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  progress_done: ColumnType<number, number | undefined, number>;
  progress_total: Nullable<number>;
  progress_message: Nullable<string>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  last_error: Nullable<string>;
  created_at: Date;
  started_at: Nullable<Date>;
  finished_at: Nullable<Date>;
  updated_at: Date;
}

export interface JobSchedulesTable {
  name: string;
  kind: string;
  org_id: string | null;
  payload: Json;
  every_seconds: number;
  next_run_at: Date;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Date;
  updated_at: Date;
}

export interface ImportMappingsTable {
  org_id: string;
  name: string;
  schema: string;
  mapping: Json;
  updated_by: string | null;
  updated_at: Date;
}

export interface ImportsTable {
  id: string;
  org_id: string;
  created_by: string;
  created_at: Date;
  format: "csv" | "ftm";
  filename: string;
  byte_size: number;
  sha256: string;
  encoding: "utf-8" | "utf-16le" | "utf-16be";
  columns: Json;
  schema: Nullable<string>;
  mapping: ColumnType<unknown, string | null | undefined, string | null>;
  state: "uploaded" | "checking" | "checked" | "importing" | "imported" | "failed" | "cancelled";
  partial: ColumnType<boolean, boolean | undefined, boolean>;
  job_id: Nullable<string>;
  source_id: Nullable<string>;
  rows_total: Nullable<number>;
  rows_valid: Nullable<number>;
  rows_rejected: Nullable<number>;
  entities_created: Nullable<number>;
  error: Nullable<string>;
  checked_at: Nullable<Date>;
  finished_at: Nullable<Date>;
  file_removed_at: Nullable<Date>;
}

export interface ImportRejectionsTable {
  import_id: string;
  line: number;
  reason: string;
}

export interface ExportsTable {
  id: string;
  org_id: string;
  created_by: string;
  created_at: Date;
  format: "csv" | "ftm";
  filter: Json;
  state: "queued" | "running" | "ready" | "failed" | "cancelled";
  job_id: Nullable<string>;
  row_count: Nullable<number>;
  byte_size: Nullable<number>;
  sha256: Nullable<string>;
  error: Nullable<string>;
  finished_at: Nullable<Date>;
  file_removed_at: Nullable<Date>;
}

export type JobRow = Selectable<JobsTable>;
export type ImportRow = Selectable<ImportsTable>;
export type ExportRow = Selectable<ExportsTable>;

// Evidence linked to records, and web captures (0009_web_capture.sql).
export interface Schema {
  evidence_links: EvidenceLinksTable;
  web_captures: WebCapturesTable;
  web_capture_artifacts: WebCaptureArtifactsTable;
  capture_settings: CaptureSettingsTable;
}

export interface EvidenceLinksTable {
  id: string;
  org_id: string;
  evidence_id: string;
  entity_id: string;
  reason: string;
  linked_by: string | null;
  linked_at: DefaultNow;
  ledger_index: number;
  unlinked_at: Date | null;
  unlinked_by: string | null;
  unlink_reason: string | null;
  unlink_ledger_index: number | null;
}

export interface WebCapturesTable {
  id: string;
  org_id: string;
  source_id: string;
  requested_by: string | null;
  captured_at: Date;
  http_status: number;
  resources: number;
  refused: number;
}

export interface WebCaptureArtifactsTable {
  capture_id: string;
  role: "warc" | "screenshot" | "html" | "text";
  evidence_id: string;
}

export interface CaptureSettingsTable {
  org_id: string;
  allow_private_addresses: boolean;
  updated_by: string | null;
  updated_at: DefaultNow;
}

// Detainee monitoring: one derived row per detention (migration 0011).
export interface Schema {
  monitor_detentions: MonitorDetentionsTable;
}

export interface MonitorDetentionsTable {
  detention_id: string;
  org_id: string;
  person_id: string | null;
  facility_id: string | null;
  status: string | null;
  status_earliest: string | null;
  status_latest: string | null;
  started_earliest: string | null;
  started_latest: string | null;
  last_proof_of_life: string | null;
  sentence_end: string | null;
  ongoing: boolean;
  silence_days: number | null;
  guarded: Generated<boolean>;
  archived: Generated<boolean>;
  updated_at: DefaultNow;
}

export type MonitorDetentionRow = Selectable<MonitorDetentionsTable>;

// Alert rules, alerts and notifications (migration 0012).
export interface Schema {
  alert_rules: AlertRulesTable;
  alert_cursors: AlertCursorsTable;
  alerts: AlertsTable;
  alert_subscriptions: AlertSubscriptionsTable;
  alert_notifications: AlertNotificationsTable;
  alert_webhooks: AlertWebhooksTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_delivery_attempts: AlertDeliveryAttemptsTable;
  alert_feeds: AlertFeedsTable;
}

export interface AlertRulesTable {
  org_id: string;
  rule: string;
  enabled: boolean;
  window_days: number | null;
  updated_by: string | null;
  updated_at: Date;
}

export interface AlertCursorsTable {
  org_id: string;
  rule: string;
  position: Date;
}

export interface AlertsTable {
  id: string;
  org_id: string;
  rule: string;
  detention_id: string;
  fact: string;
  person_id: string | null;
  facility_id: string | null;
  status: string | null;
  days: number | null;
  guarded: boolean;
  raised_at: Date;
  acknowledged_at: Nullable<Date>;
  acknowledged_by: Nullable<string>;
}

export interface AlertSubscriptionsTable {
  id: string;
  org_id: string;
  user_id: string;
  kind: "detention" | "person" | "facility" | "search" | "organisation";
  target_id: string | null;
  label: string | null;
  filter_statuses: string[] | null;
  filter_rules: string[] | null;
  email: boolean;
  created_at: Date;
}

export interface AlertNotificationsTable {
  alert_id: string;
  user_id: string;
  org_id: string;
  created_at: Date;
  read_at: Nullable<Date>;
}

export interface AlertWebhooksTable {
  id: string;
  org_id: string;
  url: string;
  description: string | null;
  secret_sealed: Buffer;
  created_by: string | null;
  created_at: Date;
  revoked_at: Nullable<Date>;
  revoked_by: Nullable<string>;
}

export interface AlertDeliveriesTable {
  id: string;
  alert_id: string;
  org_id: string;
  channel: "email" | "webhook";
  user_id: string | null;
  webhook_id: string | null;
  state: "queued" | "sent" | "failed";
  attempts: ColumnType<number, number | undefined, number>;
  last_status: Nullable<number>;
  last_error: Nullable<string>;
  created_at: Date;
  sent_at: Nullable<Date>;
}

export interface AlertDeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Date;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface AlertFeedsTable {
  id: string;
  org_id: string;
  user_id: string;
  title: string;
  token_hash: Buffer;
  created_at: Date;
  revoked_at: Nullable<Date>;
}

export type AlertRow = Selectable<AlertsTable>;
// Families in detainee monitoring: cases, one-time codes, sealed reports and approved updates (migration 0014).
export interface Schema {
  family_cases: FamilyCasesTable;
  family_codes: FamilyCodesTable;
  family_reports: FamilyReportsTable;
  family_updates: FamilyUpdatesTable;
}

export interface FamilyCasesTable {
  id: string;
  org_id: string;
  reference: string;
  person_id: string | null;
  detention_id: string | null;
  link_hash: string | null;
  link_issued_at: Date | null;
  link_last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  created_by: string;
  created_at: DefaultNow;
}

export interface FamilyCodesTable {
  id: string;
  org_id: string;
  case_id: string;
  code_hash: string;
  issued_by: string;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

export interface FamilyReportsTable {
  id: string;
  org_id: string;
  case_id: string;
  content_sealed: Buffer;
  received_at: Date;
  state: ColumnType<string, string | undefined, string>;
  decided_by: string | null;
  decided_at: Date | null;
  decline_reason_sealed: Buffer | null;
  source_id: string | null;
  person_id: string | null;
  detention_id: string | null;
}

export interface FamilyUpdatesTable {
  id: string;
  org_id: string;
  case_id: string;
  body_sealed: Buffer;
  written_by: string;
  written_at: Date;
  state: ColumnType<string, string | undefined, string>;
  approved_by: string | null;
  approved_at: Date | null;
}

// Urgent actions: addressees, templates edited per organisation, generated versions and their tracking (migration 0013).
export interface Schema {
  urgent_addressees: UrgentAddresseesTable;
  urgent_templates: UrgentTemplatesTable;
  urgent_actions: UrgentActionsTable;
  urgent_action_versions: UrgentActionVersionsTable;
  urgent_action_events: UrgentActionEventsTable;
  responsibility_reviews: ResponsibilityReviewsTable;
  referral_dossiers: ReferralDossiersTable;
  referral_events: ReferralEventsTable;
}

export type UrgentLanguageCode = "en" | "ug" | "zh";

export interface UrgentAddresseesTable {
  id: string;
  org_id: string;
  name: string;
  title: string;
  organisation: string;
  postal_address: string;
  email: string;
  fax: string;
  salutation: string;
  language: UrgentLanguageCode;
  created_by: string | null;
  created_at: DefaultNow;
  updated_by: string | null;
  updated_at: DefaultNow;
  archived_at: Date | null;
  archived_by: string | null;
  archive_reason: string | null;
}

export interface UrgentTemplatesTable {
  org_id: string;
  language: UrgentLanguageCode;
  version: number;
  subject: string;
  body: string;
  concerns: ColumnType<string[], string, string>;
  requests: ColumnType<string[], string, string>;
  reason: string;
  author_id: string | null;
  created_at: DefaultNow;
}

export interface UrgentActionsTable {
  id: string;
  org_id: string;
  detention_id: string;
  status: "draft" | "sent" | "responded" | "closed";
  created_by: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface UrgentActionVersionsTable {
  action_id: string;
  version: number;
  language: UrgentLanguageCode;
  template_version: number;
  addressee_ids: ColumnType<string[], string, string>;
  includes_restricted: boolean;
  includes_secret: boolean;
  document: ColumnType<unknown, string, string>;
  created_by: string | null;
  created_at: DefaultNow;
}

export interface UrgentActionEventsTable {
  id: string;
  action_id: string;
  kind: "sent" | "response" | "status";
  addressee_id: string | null;
  channel: "letter" | "email" | "fax" | "in-person" | "other" | null;
  occurred_on: string | null;
  summary: string;
  evidence_url: string | null;
  status_from: string | null;
  status_to: string | null;
  actor_id: string | null;
  created_at: DefaultNow;
}

// Sanctions and watch lists (migration 0018).
export interface Schema {
  sanctions_lists: SanctionsListsTable;
  sanctions_imports: SanctionsImportsTable;
  sanctions_entries: SanctionsEntriesTable;
  sanctions_entry_changes: SanctionsEntryChangesTable;
  sanctions_entry_keys: SanctionsEntryKeysTable;
  sanctions_matches: SanctionsMatchesTable;
  sanctions_match_decisions: SanctionsMatchDecisionsTable;
}

export interface SanctionsListsTable {
  id: string;
  org_id: string;
  name: string;
  title: string;
  publisher: string | null;
  jurisdictions: string[];
  kind: "sanctions" | "watch" | "trade";
  created_by: string | null;
  created_at: Date;
}

export interface SanctionsImportsTable {
  id: string;
  org_id: string;
  list_id: string;
  format: string;
  filename: string;
  sha256: string;
  byte_size: number;
  encoding: string;
  published_on: string | null;
  mapping: ColumnType<unknown, string | null | undefined, string | null>;
  skip_bad: ColumnType<boolean, boolean | undefined, boolean>;
  state: "received" | "importing" | "imported" | "failed";
  version: number | null;
  lines_read: ColumnType<number, number | undefined, number>;
  added: ColumnType<number, number | undefined, number>;
  changed: ColumnType<number, number | undefined, number>;
  delisted: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  errors: ColumnType<unknown, string | undefined, string>;
  error: string | null;
  job_id: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface SanctionsEntriesTable {
  id: string;
  org_id: string;
  list_id: string;
  source_id: string;
  schema: string;
  properties: ColumnType<Record<string, string[]>, string, string>;
  caption: string;
  programs: string[];
  content_hash: string;
  engine: string;
  features: ColumnType<unknown, string | null, string | null>;
  listed_in: string;
  changed_in: string;
  seen_in: string;
  delisted_in: string | null;
}

export interface SanctionsEntryChangesTable {
  entry_id: string;
  import_id: string;
  change: "changed" | "delisted" | "relisted";
  previous: ColumnType<unknown, string, string>;
}

export interface SanctionsEntryKeysTable {
  org_id: string;
  key: string;
  decade: number;
  entry_id: string;
}

export interface SanctionsMatchesTable {
  id: string;
  org_id: string;
  entity_id: string;
  entry_id: string;
  score: number;
  explanation: ColumnType<unknown, string, string>;
  status: "candidate" | "confirmed" | "rejected";
  found_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
}

export interface SanctionsMatchDecisionsTable {
  id: string;
  match_id: string;
  status: "candidate" | "confirmed" | "rejected";
  reason: string;
  decided_by: string | null;
  decided_at: Date;
}

// Litigation: parties, their consent history, deadlines, exhibits and court bundles (migration 0019).
export interface Schema {
  legal_case_parties: LegalCasePartiesTable;
  legal_case_consents: LegalCaseConsentsTable;
  legal_case_deadlines: LegalCaseDeadlinesTable;
  legal_case_exhibits: LegalCaseExhibitsTable;
  court_bundles: CourtBundlesTable;
}

export interface LegalCasePartiesTable {
  id: string;
  org_id: string;
  case_id: string;
  person_id: string;
  role: "plaintiff" | "witness";
  label: string;
  added_by: string | null;
  added_at: DefaultNow;
}

export interface LegalCaseConsentsTable {
  id: string;
  seq: Generated<number>;
  org_id: string;
  party_id: string;
  scope: "use-testimony" | "be-named" | "share-with-counsel";
  kind: "given" | "withdrawn";
  effective_at: Date;
  note: ColumnType<string, string | undefined, string>;
  recorded_by: string | null;
  recorded_at: DefaultNow;
}

export interface LegalCaseDeadlinesTable {
  id: string;
  org_id: string;
  case_id: string;
  due_on: string;
  title: string;
  created_by: string | null;
  created_at: DefaultNow;
  done_at: Date | null;
  done_by: string | null;
}

export interface LegalCaseExhibitsTable {
  id: string;
  org_id: string;
  case_id: string;
  evidence_id: string;
  label: string;
  description: ColumnType<string, string | undefined, string>;
  party_id: string | null;
  added_by: string | null;
  added_at: DefaultNow;
}

export interface CourtBundlesTable {
  id: string;
  org_id: string;
  case_id: string;
  purpose: "court" | "counsel";
  mode: "decrypted" | "reencrypted";
  recipient: string | null;
  exhibit_ids: ColumnType<string[], string, string>;
  ledger_index: number;
  created_by: string | null;
  created_at: DefaultNow;
}

export interface ResponsibilityReviewsTable {
  id: string;
  seq: Generated<number>;
  org_id: string;
  subject_id: string;
  record_id: string;
  basis: string;
  decision: "confirmed" | "dismissed" | "reopened";
  reason: string;
  actor_id: string | null;
  created_at: DefaultNow;
}

export interface ReferralDossiersTable {
  id: string;
  org_id: string;
  subject_id: string;
  reference: string;
  status: "draft" | "submitted" | "decided" | "closed";
  fields: ColumnType<unknown, string, string>;
  revision: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface ReferralEventsTable {
  id: string;
  seq: Generated<number>;
  dossier_id: string;
  kind: "drafted" | "edited" | "submitted" | "outcome" | "status" | "exported";
  recipient: ColumnType<string, string | undefined, string>;
  occurred_on: string | null;
  outcome: string | null;
  summary: ColumnType<string, string | undefined, string>;
  details: ColumnType<unknown, string | undefined, string>;
  status_from: string | null;
  status_to: string | null;
  actor_id: string | null;
  created_at: DefaultNow;
}
