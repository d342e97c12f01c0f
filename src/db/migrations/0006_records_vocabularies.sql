-- Records, second part: controlled vocabularies, references between records, merges and their
-- undoing, tags, assignments, bulk operations, and teams on access lists. As in 0004, nothing is
-- deleted: terms are retired, tags removed and assignments ended with a time and an author.

-- Vocabularies: the defaults ship in code (src/records/vocabulary-defaults.ts); a row here is an
-- organisation's own term, or its change to a default one (labels, retirement). A code never
-- changes and is never deleted, so every statement that uses it stays readable.
CREATE TABLE vocabulary_terms (
  org_id uuid NOT NULL REFERENCES organisations (id),
  vocabulary text NOT NULL CHECK (vocabulary ~ '^[a-z][a-z-]{1,39}$'),
  code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  -- {"en": "…", "ug": "…", "zh-Hans": "…"}: English is required, the others fall back to it.
  labels jsonb NOT NULL CHECK (jsonb_typeof(labels) = 'object' AND labels ? 'en'),
  retired_at timestamptz,
  retired_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  PRIMARY KEY (org_id, vocabulary, code)
);

-- References: a statement whose property is an entity property keeps the record it points at in
-- ref_id, so "what points at this record" (relationships, merges) is an index lookup.
ALTER TABLE statements ADD COLUMN ref_id uuid REFERENCES entities (id);
UPDATE statements s SET ref_id = e.id FROM entities e WHERE s.value IS NOT NULL AND e.id::text = s.value AND e.org_id = s.org_id;
CREATE INDEX statements_ref ON statements (ref_id) WHERE ref_id IS NOT NULL AND retracted_at IS NULL;
CREATE INDEX statements_source_live ON statements (source_id) WHERE source_id IS NOT NULL AND retracted_at IS NULL;
-- The statement this one was copied from when a merge moved it, or its undoing moved it back.
ALTER TABLE statements ADD COLUMN copied_from uuid REFERENCES statements (id);

-- Merges: record B merged into A keeps B's row as a redirect (merged_into), archived so that every
-- list leaves it out; B's statements are copied onto A (copied_from) and retracted on B.
CREATE TABLE entity_merges (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  target_id uuid NOT NULL REFERENCES entities (id),
  merged_id uuid NOT NULL REFERENCES entities (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  author_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The revisions the merge made on A and on B.
  target_revision integer NOT NULL,
  merged_revision integer NOT NULL,
  undone_at timestamptz,
  undone_by uuid REFERENCES users (id),
  undo_reason text CHECK (undo_reason IS NULL OR length(undo_reason) BETWEEN 1 AND 2000),
  CHECK (target_id <> merged_id),
  CHECK ((undone_at IS NULL) = (undo_reason IS NULL))
);
CREATE INDEX entity_merges_target ON entity_merges (target_id);
CREATE INDEX entity_merges_merged ON entity_merges (merged_id);

-- What a merge moved, so that undoing it restores exactly what was there:
--   statement: a statement of B copied onto A (to_statement);
--   reference: a statement of another record that pointed at B, replaced by one pointing at A;
--   citation:  a statement citing B as its source, re-pointed in place to A.
CREATE TABLE entity_merge_moves (
  merge_id uuid NOT NULL REFERENCES entity_merges (id),
  kind text NOT NULL CHECK (kind IN ('statement', 'reference', 'citation')),
  entity_id uuid NOT NULL REFERENCES entities (id),
  from_statement uuid NOT NULL REFERENCES statements (id),
  to_statement uuid REFERENCES statements (id),
  PRIMARY KEY (merge_id, from_statement),
  CHECK ((kind = 'citation') = (to_statement IS NULL))
);

ALTER TABLE entities ADD COLUMN merged_into uuid REFERENCES entities (id);
ALTER TABLE entities ADD COLUMN merge_id uuid REFERENCES entity_merges (id);
ALTER TABLE entities ADD CONSTRAINT entities_merged_is_archived CHECK (merged_into IS NULL OR (archived_at IS NOT NULL AND merge_id IS NOT NULL));

ALTER TABLE entity_revisions DROP CONSTRAINT entity_revisions_kind_check;
ALTER TABLE entity_revisions ADD CONSTRAINT entity_revisions_kind_check CHECK (kind IN ('create', 'update', 'archive', 'restore', 'merge', 'unmerge'));

-- Tags and assignment: working marks on records, not statements about the world; they change no
-- revision. Removing a tag or ending an assignment keeps the row.
CREATE TABLE entity_tags (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 64),
  added_by uuid REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  removed_by uuid REFERENCES users (id),
  removed_at timestamptz
);
CREATE UNIQUE INDEX entity_tags_live ON entity_tags (entity_id, tag) WHERE removed_at IS NULL;
CREATE INDEX entity_tags_org_tag ON entity_tags (org_id, tag, entity_id) WHERE removed_at IS NULL;

CREATE TABLE entity_assignments (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  user_id uuid NOT NULL REFERENCES users (id),
  assigned_by uuid REFERENCES users (id),
  assigned_at timestamptz NOT NULL DEFAULT now(),
  ended_by uuid REFERENCES users (id),
  ended_at timestamptz
);
CREATE UNIQUE INDEX entity_assignments_live ON entity_assignments (entity_id) WHERE ended_at IS NULL;
CREATE INDEX entity_assignments_user ON entity_assignments (org_id, user_id, entity_id) WHERE ended_at IS NULL;

-- Bulk actions over a list of ids or a filter, run a batch per transaction; `cursor` is the last
-- record id done, so an interrupted run resumes where it stopped.
CREATE TABLE bulk_operations (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  actor_id uuid NOT NULL REFERENCES users (id),
  action text NOT NULL CHECK (action IN ('tag', 'untag', 'assign', 'unassign', 'archive')),
  params jsonb NOT NULL,
  selection jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  total integer NOT NULL CHECK (total >= 0),
  processed integer NOT NULL DEFAULT 0,
  changed integer NOT NULL DEFAULT 0,
  cursor uuid,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX bulk_operations_open ON bulk_operations (org_id, created_at) WHERE status IN ('pending', 'running');

-- Teams: named groups of members, granted access to restricted records as a whole. The access list
-- stays one table of users (entity_access), so every query that asks "may this user see it" reads
-- one place: a team grant adds its members' rows (direct = false), kept in step as members change.
CREATE TABLE teams (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);

CREATE TABLE team_members (
  team_id uuid NOT NULL REFERENCES teams (id),
  user_id uuid NOT NULL REFERENCES users (id),
  added_by uuid REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE entity_team_access (
  entity_id uuid NOT NULL REFERENCES entities (id),
  team_id uuid NOT NULL REFERENCES teams (id),
  granted_by uuid REFERENCES users (id),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_id, team_id)
);
CREATE INDEX entity_team_access_team ON entity_team_access (team_id);

-- Whether the user is on the list in their own right (true) or only through a team (false).
ALTER TABLE entity_access ADD COLUMN direct boolean NOT NULL DEFAULT true;
