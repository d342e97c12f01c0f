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
