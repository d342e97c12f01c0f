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
}

export type UserRow = Selectable<UsersTable>;
export type OrganisationRow = Selectable<OrganisationsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
