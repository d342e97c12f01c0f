-- Sanctions and watch lists (src/accountability/lists*.ts, sanctions*.ts, gap*.ts).
--
-- A list is kept apart from the documentation records: its entries are what a government or a
-- publisher says, not what the organisation documents, so they are not statements. They keep the
-- FollowTheMoney shape (schema + properties) so that they export as FtM and the names engine reads
-- them as it reads records.

CREATE TABLE sanctions_lists (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  publisher text CHECK (publisher IS NULL OR length(publisher) <= 200),
  -- Who imposes the measures of this list: US, UK, EU, CA, AU, UN, CH, JP, NZ (src/accountability/lists.ts).
  jurisdictions text[] NOT NULL DEFAULT '{}',
  kind text NOT NULL CHECK (kind IN ('sanctions', 'watch', 'trade')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  UNIQUE (org_id, name)
);

-- One row per file imported into a list, whether it was imported or refused. An imported one is a
-- version of the list (`version`, 1, 2, …); a refused one keeps every rejected line in `errors`.
CREATE TABLE sanctions_imports (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  list_id uuid NOT NULL REFERENCES sanctions_lists (id),
  format text NOT NULL,
  filename text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  byte_size bigint NOT NULL,
  encoding text NOT NULL,
  -- The list's own publication date (YYYY-MM-DD), read from the file or given by the importer.
  published_on text CHECK (published_on IS NULL OR published_on ~ '^\d{4}-\d{2}-\d{2}$'),
  mapping jsonb,
  skip_bad boolean NOT NULL DEFAULT false,
  state text NOT NULL CHECK (state IN ('received', 'importing', 'imported', 'failed')),
  version integer,
  lines_read integer NOT NULL DEFAULT 0,
  added integer NOT NULL DEFAULT 0,
  changed integer NOT NULL DEFAULT 0,
  delisted integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  -- Rejected lines as [{line, reason}], at most 10,000 of them; `rejected` counts them all.
  errors jsonb NOT NULL DEFAULT '[]',
  error text,
  job_id uuid,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  UNIQUE (list_id, version)
);
CREATE INDEX sanctions_imports_list ON sanctions_imports (list_id, created_at);

CREATE TABLE sanctions_entries (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  list_id uuid NOT NULL REFERENCES sanctions_lists (id),
  -- The entry's id in the list itself (an SDN uid, a UK Group ID, an OpenSanctions id).
  source_id text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
  schema text NOT NULL,
  properties jsonb NOT NULL,
  caption text NOT NULL,
  programs text[] NOT NULL DEFAULT '{}',
  -- SHA-256 of the canonical schema and properties: a re-import compares it to find changes.
  content_hash text NOT NULL,
  -- The names engine's prepared features (src/names preparedToJson), and the engine that made them.
  engine text NOT NULL,
  features jsonb,
  listed_in uuid NOT NULL,
  changed_in uuid NOT NULL,
  seen_in uuid NOT NULL,
  -- The import that no longer held it; null while listed.
  delisted_in uuid,
  UNIQUE (list_id, source_id)
);
CREATE INDEX sanctions_entries_list ON sanctions_entries (list_id, caption);

-- What changed in an entry, version by version (its first listing is `listed_in`).
CREATE TABLE sanctions_entry_changes (
  entry_id uuid NOT NULL,
  import_id uuid NOT NULL,
  change text NOT NULL CHECK (change IN ('changed', 'delisted', 'relisted')),
  -- The schema and properties before the change.
  previous jsonb NOT NULL,
  PRIMARY KEY (entry_id, import_id)
);
CREATE INDEX sanctions_entry_changes_import ON sanctions_entry_changes (import_id);

-- The names engine's blocking keys of every entry (src/names blockingKeys, by birth decade), as
-- name_keys holds them for records. Derived and rebuilt with the entries: no foreign keys (0016).
CREATE TABLE sanctions_entry_keys (
  org_id uuid NOT NULL,
  key text NOT NULL,
  decade smallint NOT NULL,
  entry_id uuid NOT NULL,
  PRIMARY KEY (org_id, key, decade, entry_id)
);
CREATE INDEX sanctions_entry_keys_entry ON sanctions_entry_keys (entry_id);

-- A record (an official, a company) the names engine found on a list: a candidate until an analyst
-- confirms or rejects it; every decision is kept in sanctions_match_decisions and can be reversed.
CREATE TABLE sanctions_matches (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  entry_id uuid NOT NULL REFERENCES sanctions_entries (id),
  score real NOT NULL,
  explanation jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('candidate', 'confirmed', 'rejected')),
  found_at timestamptz NOT NULL,
  decided_by uuid REFERENCES users (id),
  decided_at timestamptz,
  reason text CHECK (reason IS NULL OR length(reason) <= 2000),
  UNIQUE (entity_id, entry_id)
);
CREATE INDEX sanctions_matches_org ON sanctions_matches (org_id, status, score DESC);
CREATE INDEX sanctions_matches_entry ON sanctions_matches (entry_id);

CREATE TABLE sanctions_match_decisions (
  id uuid PRIMARY KEY,
  match_id uuid NOT NULL REFERENCES sanctions_matches (id),
  status text NOT NULL CHECK (status IN ('candidate', 'confirmed', 'rejected')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  decided_by uuid REFERENCES users (id),
  decided_at timestamptz NOT NULL
);
CREATE INDEX sanctions_match_decisions_match ON sanctions_match_decisions (match_id, decided_at);
