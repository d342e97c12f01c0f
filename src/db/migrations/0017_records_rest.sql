-- What a merge carried from the merged record to the one that stayed, besides statements: the
-- tags and the assignment it made on the record that stayed (ref_id: the entity_tags or
-- entity_assignments row), and the members and teams it put on that record's access list (ref_id:
-- the user or the team). Undoing the merge ends or removes exactly these, if still there; the
-- merged record keeps its own marks and list throughout, so it gets back what it had.
CREATE TABLE entity_merge_marks (
  merge_id uuid NOT NULL REFERENCES entity_merges (id),
  kind text NOT NULL CHECK (kind IN ('tag', 'assignment', 'user-access', 'team-access')),
  ref_id uuid NOT NULL,
  PRIMARY KEY (merge_id, kind, ref_id)
);

-- A bulk operation whose background job was cancelled ends as cancelled, with what it had done.
ALTER TABLE bulk_operations DROP CONSTRAINT bulk_operations_status_check;
ALTER TABLE bulk_operations ADD CONSTRAINT bulk_operations_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled'));

-- The key a list sorted by name orders on: the first (lowest) lower-cased name among the record's
-- live open (public or internal) name statements, cut to 200 characters, '' when it has none.
-- Kept in the transaction that changes the statements (refreshNameSortKeys, and the import from
-- the values it writes), so a page sorted by name walks an index instead of aggregating every
-- statement of the organisation.
ALTER TABLE entities ADD COLUMN name_key text NOT NULL DEFAULT '';
UPDATE entities e SET name_key = k.key
  FROM (SELECT s.entity_id, left(min(lower(s.value)), 200) AS key FROM statements s
        WHERE s.retracted_at IS NULL AND s.sensitivity IN ('public', 'internal')
          AND s.property IN ('name', 'alias', 'weakAlias', 'previousName', 'full', 'firstName', 'lastName')
        GROUP BY s.entity_id) k
  WHERE k.entity_id = e.id AND k.key IS NOT NULL;
CREATE INDEX entities_org_name ON entities (org_id, name_key, id);
CREATE INDEX entities_org_schema_name ON entities (org_id, schema, name_key, id);
