-- The names engine's index: the blocking keys of every live record's names (src/names/blocking.ts),
-- kept in the same transaction as the record's statements. A query looks up a few rare keys, so it
-- scores a few hundred candidates however many records there are. Keys come from plain values only
-- (secret values are sealed); which names a caller may see is decided when candidates are scored.
CREATE TABLE name_keys (
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  PRIMARY KEY (org_id, key, entity_id)
);
CREATE INDEX name_keys_entity ON name_keys (entity_id);

-- Named lists of records to screen against (`POST /api/v1/match/{list}`); `default` is every record
-- the caller may see and is never a row here. Imported sanctions lists arrive as such lists.
CREATE TABLE entity_lists (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$' AND name <> 'default'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);

CREATE TABLE entity_list_members (
  list_id uuid NOT NULL REFERENCES entity_lists (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  PRIMARY KEY (list_id, entity_id)
);
