-- Background jobs on the database, recurring schedules, CSV and FollowTheMoney imports with their
-- rejected rows and remembered column mappings, and exports. Times are written by the code from
-- its clock (never now() in a query), so leases and schedules can be tested with a clock moved by hand.

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  -- Whose job it is: progress and result are shown to them (and to their organisation's administrators).
  org_id uuid REFERENCES organisations (id),
  owner_id uuid REFERENCES users (id),
  payload jsonb NOT NULL DEFAULT '{}',
  -- Idempotency: at most one job of a kind ever has a given key, whatever its state, so two
  -- processes enqueueing the same unit of work (an alert, a scheduled occurrence) run it once.
  unique_key text CHECK (unique_key IS NULL OR length(unique_key) BETWEEN 1 AND 500),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
  -- A running job belongs to one worker until its lease expires; a worker that stops renewing it
  -- (crashed, cut off) loses the job to the next worker that claims.
  lease_owner text,
  lease_expires_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  progress_done bigint NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
  progress_total bigint CHECK (progress_total IS NULL OR progress_total >= 0),
  progress_message text CHECK (progress_message IS NULL OR length(progress_message) <= 500),
  result jsonb,
  last_error text CHECK (last_error IS NULL OR length(last_error) <= 2000),
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL,
  CHECK ((state = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CHECK ((state IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (kind, unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_owner ON jobs (org_id, owner_id, created_at DESC);

-- Recurring work: each occurrence becomes one job whose unique key names the schedule and the
-- occurrence's time, so several processes firing the same schedule enqueue it once.
CREATE TABLE job_schedules (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.:-]{0,199}$'),
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  org_id uuid REFERENCES organisations (id),
  payload jsonb NOT NULL DEFAULT '{}',
  every_seconds integer NOT NULL CHECK (every_seconds BETWEEN 1 AND 31622400),
  next_run_at timestamptz NOT NULL,
  paused boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX job_schedules_due ON job_schedules (next_run_at) WHERE NOT paused;

-- Column mappings an organisation has saved by name, to be reused for the next file of the same shape.
CREATE TABLE import_mappings (
  org_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  schema text NOT NULL CHECK (schema ~ '^[A-Z][A-Za-z]{1,63}$'),
  -- {"columns": {"header": "property" | null}, "sensitivity": "...", ...}: see src/records/import-mapping.ts.
  mapping jsonb NOT NULL,
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, name)
);

CREATE TABLE imports (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'ftm')),
  -- The name the file had on the uploader's machine, shown back to them; never used as a path.
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  encoding text NOT NULL CHECK (encoding IN ('utf-8', 'utf-16le', 'utf-16be')),
  -- The header of a CSV file, in order.
  columns jsonb NOT NULL DEFAULT '[]',
  schema text CHECK (schema IS NULL OR schema ~ '^[A-Z][A-Za-z]{1,63}$'),
  mapping jsonb,
  state text NOT NULL CHECK (state IN ('uploaded', 'checking', 'checked', 'importing', 'imported', 'failed', 'cancelled')),
  -- Commit the valid rows although some were rejected: only when the importer asked for it.
  partial boolean NOT NULL DEFAULT false,
  job_id uuid REFERENCES jobs (id),
  -- The Source record that represents this import: every imported value cites it.
  source_id uuid REFERENCES entities (id),
  rows_total bigint,
  rows_valid bigint,
  rows_rejected bigint,
  entities_created bigint,
  error text CHECK (error IS NULL OR length(error) <= 2000),
  checked_at timestamptz,
  finished_at timestamptz,
  -- The uploaded file is removed once imported or abandoned; the row stays as the record of it.
  file_removed_at timestamptz
);
CREATE INDEX imports_org_created ON imports (org_id, created_at DESC, id DESC);

CREATE TABLE import_rejections (
  import_id uuid NOT NULL REFERENCES imports (id),
  -- The line of the file where the rejected row starts (1 is the first line, the header in a CSV).
  line bigint NOT NULL CHECK (line >= 1),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  PRIMARY KEY (import_id, line)
);

CREATE TABLE exports (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'ftm')),
  -- The list filters, as the list API takes them.
  filter jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed', 'cancelled')),
  job_id uuid REFERENCES jobs (id),
  row_count bigint,
  byte_size bigint,
  sha256 text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
  error text CHECK (error IS NULL OR length(error) <= 2000),
  finished_at timestamptz,
  file_removed_at timestamptz
);
CREATE INDEX exports_org_created ON exports (org_id, created_at DESC, id DESC);
