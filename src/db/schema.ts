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
}

export interface EntityRevisionsTable {
  entity_id: string;
  number: number;
  kind: "create" | "update" | "archive" | "restore";
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
}

export interface EntityListsTable {
  id: string;
  org_id: string;
  name: string;
  title: string;
  created_at: DefaultNow;
}

export interface EntityListMembersTable {
  list_id: string;
  entity_id: string;
}
