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
-- the values it writes), so a page of one kind of record sorted by name walks this index instead of
-- aggregating every statement of the organisation. (A list of several schemata sorts its visible
-- rows by the same column; an index without the schema would cost every write for that rarer page.)
ALTER TABLE entities ADD COLUMN name_key text NOT NULL DEFAULT '';
UPDATE entities e SET name_key = k.key
  FROM (SELECT s.entity_id, left(min(lower(s.value)), 200) AS key FROM statements s
        WHERE s.retracted_at IS NULL AND s.sensitivity IN ('public', 'internal')
          AND s.property IN ('name', 'alias', 'weakAlias', 'previousName', 'full', 'firstName', 'lastName')
        GROUP BY s.entity_id) k
  WHERE k.entity_id = e.id AND k.key IS NOT NULL;
CREATE INDEX entities_org_schema_name ON entities (org_id, schema, name_key, id);

-- A statement belongs to a record of its own organisation: one composite foreign key says so,
-- instead of one key to the record and another to the organisation. It is a stronger rule (the two
-- could disagree before) and one check fewer per statement written: a CSV import of 100,000 people
-- writes 600,000 statements, and the per-row foreign-key checks were most of the database's time.
ALTER TABLE entities ADD CONSTRAINT entities_id_org_key UNIQUE (id, org_id);
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_org_id_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_entity_id_fkey;
ALTER TABLE statements ADD CONSTRAINT statements_entity_org_fkey FOREIGN KEY (entity_id, org_id) REFERENCES entities (id, org_id);
-- Every query by source reads live statements (statements_source_live, 0006); the index over all of
-- them served none, and cost an entry per statement written.
DROP INDEX IF EXISTS statements_source;
