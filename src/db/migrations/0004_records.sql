-- Documentation records: entities in the FollowTheMoney model, every property value a statement
-- with its source, author, time and sensitivity; revisions that number every change; access lists
-- for restricted records. Nothing here is ever deleted: archiving and retracting are timestamps.

CREATE TABLE entities (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  schema text NOT NULL CHECK (schema ~ '^[A-Z][A-Za-z]{1,63}$'),
  -- The revision the entity is at; an update names the revision it edited (optimistic concurrency).
  revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  -- Need-to-know: only administrators and the people on the access list see a restricted record.
  restricted boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  archived_by uuid REFERENCES users (id),
  archive_reason text CHECK (archive_reason IS NULL OR length(archive_reason) BETWEEN 1 AND 2000),
  CHECK ((archived_at IS NULL) = (archive_reason IS NULL))
);
-- Lists page newest first by (created_at, id), within one organisation, optionally one schema.
CREATE INDEX entities_org_created ON entities (org_id, created_at DESC, id DESC);
CREATE INDEX entities_org_schema_created ON entities (org_id, schema, created_at DESC, id DESC);

CREATE TABLE statements (
  id uuid PRIMARY KEY,
  -- Order of entry, so values read back in the order they were given (ids are random).
  seq bigint GENERATED ALWAYS AS IDENTITY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  property text NOT NULL CHECK (property ~ '^[a-z][A-Za-z0-9]{0,63}$'),
  -- Plain for every sensitivity but secret; secret values are sealed with the application key,
  -- bound to the statement id, and nothing derived from them (dates) is kept in the clear.
  value text CHECK (value IS NULL OR length(value) <= 65000),
  value_sealed bytea,
  lang text CHECK (lang IS NULL OR lang ~ '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$'),
  script text CHECK (script IS NULL OR script ~ '^[A-Z][a-z]{3}$'),
  source_id uuid REFERENCES entities (id),
  confidence real CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
  sensitivity text NOT NULL CHECK (sensitivity IN ('public', 'internal', 'restricted', 'secret')),
  -- EDTF values of date properties, as the first and last day they can mean (YYYY-MM-DD sorts as text).
  date_earliest text CHECK (date_earliest IS NULL OR date_earliest ~ '^\d{4}-\d{2}-\d{2}$'),
  date_latest text CHECK (date_latest IS NULL OR date_latest ~ '^\d{4}-\d{2}-\d{2}$'),
  author_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The revision that added the statement, and the one that retracted it: a statement is part of
  -- revision r when revision <= r and (retracted_revision IS NULL OR retracted_revision > r).
  revision integer NOT NULL CHECK (revision >= 1),
  retracted_at timestamptz,
  retracted_by uuid REFERENCES users (id),
  retracted_revision integer CHECK (retracted_revision IS NULL OR retracted_revision > revision),
  CHECK ((sensitivity = 'secret') = (value IS NULL AND value_sealed IS NOT NULL)),
  CHECK ((retracted_at IS NULL) = (retracted_revision IS NULL))
);
CREATE INDEX statements_entity ON statements (entity_id, property) WHERE retracted_at IS NULL;
CREATE INDEX statements_entity_history ON statements (entity_id, revision);
CREATE INDEX statements_dates ON statements (org_id, property, date_earliest, date_latest) WHERE date_earliest IS NOT NULL AND retracted_at IS NULL;
CREATE INDEX statements_source ON statements (source_id) WHERE source_id IS NOT NULL;

CREATE TABLE entity_revisions (
  entity_id uuid NOT NULL REFERENCES entities (id),
  number integer NOT NULL CHECK (number >= 1),
  kind text NOT NULL CHECK (kind IN ('create', 'update', 'archive', 'restore')),
  author_id uuid REFERENCES users (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Counts per property of statements added and retracted, for the history list; the statements
  -- themselves say exactly what changed.
  summary jsonb NOT NULL,
  PRIMARY KEY (entity_id, number)
);

CREATE TABLE entity_access (
  entity_id uuid NOT NULL REFERENCES entities (id),
  user_id uuid NOT NULL REFERENCES users (id),
  granted_by uuid REFERENCES users (id),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_id, user_id)
);
CREATE INDEX entity_access_user ON entity_access (user_id);
