-- A statement's references (its record and organisation, its source, the record it points at, its
-- author, who retracted it, the statement it was copied from) were six row-level foreign keys:
-- six trigger events queued and fired for every statement written, each a lookup, whether the
-- column was set or not. In a CSV import of 100,000 people (600,000 statements in one transaction,
-- hence one backend and one core) they were about a fifth of the database's time. The same rules
-- are now checked once per INSERT, over all the rows it wrote, by one set-based query (a transition
-- table joined to the referenced tables), and per row on the rare UPDATE that changes a reference.
--
-- A foreign key also stops the referenced row from going away. Records, users and statements are
-- never deleted in Vigil (records are archived, people deactivated, statements retracted, merges
-- undone, organisations kept): that rule is now enforced here, and the ids pointed at cannot change.

ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_entity_org_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_source_id_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_ref_id_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_author_id_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_retracted_by_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_copied_from_fkey;

-- Refuses an INSERT when any statement it wrote (`written`) has a reference that does not hold.
CREATE FUNCTION statements_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- Each distinct value is looked up once: a batch of 6,000 statements is about 1,000 records, one
  -- source and one author.
  SELECT d.entity_id INTO bad FROM (SELECT DISTINCT a.entity_id, a.org_id FROM written a) d
   WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = d.entity_id AND e.org_id = d.org_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a statement is about record %, which is not a record of its organisation', bad.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.source_id INTO bad FROM (SELECT DISTINCT a.source_id FROM written a WHERE a.source_id IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = d.source_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a statement cites source %, which does not exist', bad.source_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.ref_id INTO bad FROM (SELECT DISTINCT a.ref_id FROM written a WHERE a.ref_id IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = d.ref_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a statement points at record %, which does not exist', bad.ref_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.person INTO bad FROM (SELECT a.author_id AS person FROM written a WHERE a.author_id IS NOT NULL
                                  UNION SELECT a.retracted_by FROM written a WHERE a.retracted_by IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = d.person) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a statement names % as its author or retractor, who does not exist', bad.person USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT a.id, a.copied_from INTO bad FROM written a
   WHERE a.copied_from IS NOT NULL AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.id = a.copied_from) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'statement % was copied from statement %, which does not exist', bad.id, bad.copied_from USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER statements_references_inserted AFTER INSERT ON statements
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION statements_check_references();

-- An UPDATE that moves a reference (a merge re-citing sources, a retraction naming who) is checked
-- row by row: transition tables cannot be limited to some columns, and these updates are few.
CREATE FUNCTION statements_check_reference_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = NEW.entity_id AND e.org_id = NEW.org_id) THEN
    RAISE EXCEPTION 'statement % is about record %, which is not a record of its organisation', NEW.id, NEW.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = NEW.source_id) THEN
    RAISE EXCEPTION 'statement % cites source %, which does not exist', NEW.id, NEW.source_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.ref_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = NEW.ref_id) THEN
    RAISE EXCEPTION 'statement % points at record %, which does not exist', NEW.id, NEW.ref_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF (NEW.author_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.author_id))
     OR (NEW.retracted_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.retracted_by)) THEN
    RAISE EXCEPTION 'statement % names an author or retractor who does not exist', NEW.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.copied_from IS NOT NULL AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.id = NEW.copied_from) THEN
    RAISE EXCEPTION 'statement % was copied from statement %, which does not exist', NEW.id, NEW.copied_from USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER statements_references_updated AFTER UPDATE ON statements
  FOR EACH ROW
  WHEN (OLD.entity_id IS DISTINCT FROM NEW.entity_id OR OLD.org_id IS DISTINCT FROM NEW.org_id
     OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.ref_id IS DISTINCT FROM NEW.ref_id
     OR OLD.author_id IS DISTINCT FROM NEW.author_id OR OLD.retracted_by IS DISTINCT FROM NEW.retracted_by
     OR OLD.copied_from IS DISTINCT FROM NEW.copied_from)
  EXECUTE FUNCTION statements_check_reference_update();

-- A record's own references and its revisions' likewise: five and two row-level foreign keys, fired
-- for every record an import creates.
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_org_id_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_created_by_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_archived_by_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_merged_into_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_merge_id_fkey;
ALTER TABLE entity_revisions DROP CONSTRAINT IF EXISTS entity_revisions_entity_id_fkey;
ALTER TABLE entity_revisions DROP CONSTRAINT IF EXISTS entity_revisions_author_id_fkey;

CREATE FUNCTION entities_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- One query per reference, each over its distinct values (an import's records share their
  -- organisation and creator): an anti-join each, where ORed conditions would run a subquery per row.
  SELECT d.org_id INTO bad FROM (SELECT DISTINCT a.org_id FROM written a) d
   WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = d.org_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a record names organisation %, which does not exist', bad.org_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.person INTO bad FROM (SELECT a.created_by AS person FROM written a WHERE a.created_by IS NOT NULL
                                  UNION SELECT a.archived_by FROM written a WHERE a.archived_by IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = d.person) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a record names % as its creator or archiver, who does not exist', bad.person USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.merged_into INTO bad FROM (SELECT DISTINCT a.merged_into FROM written a WHERE a.merged_into IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = d.merged_into) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a record was merged into record %, which does not exist', bad.merged_into USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.merge_id INTO bad FROM (SELECT DISTINCT a.merge_id FROM written a WHERE a.merge_id IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM entity_merges m WHERE m.id = d.merge_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a record names merge %, which does not exist', bad.merge_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER entities_references_inserted AFTER INSERT ON entities
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION entities_check_references();

CREATE FUNCTION entities_check_reference_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.archived_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.archived_by))
     OR (NEW.created_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.created_by))
     OR (NEW.merged_into IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = NEW.merged_into))
     OR (NEW.merge_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entity_merges m WHERE m.id = NEW.merge_id)) THEN
    RAISE EXCEPTION 'record % names a person, record or merge that does not exist', NEW.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER entities_references_updated AFTER UPDATE ON entities
  FOR EACH ROW
  WHEN (OLD.archived_by IS DISTINCT FROM NEW.archived_by OR OLD.created_by IS DISTINCT FROM NEW.created_by
     OR OLD.merged_into IS DISTINCT FROM NEW.merged_into OR OLD.merge_id IS DISTINCT FROM NEW.merge_id)
  EXECUTE FUNCTION entities_check_reference_update();

CREATE FUNCTION entity_revisions_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT d.entity_id INTO bad FROM (SELECT DISTINCT a.entity_id FROM written a) d
   WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = d.entity_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a revision of record %, which does not exist', bad.entity_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.author_id INTO bad FROM (SELECT DISTINCT a.author_id FROM written a WHERE a.author_id IS NOT NULL) d
   WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = d.author_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a revision names author %, who does not exist', bad.author_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER entity_revisions_references_inserted AFTER INSERT ON entity_revisions
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION entity_revisions_check_references();
CREATE TRIGGER entity_revisions_references_updated AFTER UPDATE ON entity_revisions
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION entity_revisions_check_references();

-- What the foreign keys also guarded: the rows statements point at stay, under the same ids.
CREATE FUNCTION refuse_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are never deleted: archive a record, deactivate a person, retract a statement', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER entities_never_deleted BEFORE DELETE ON entities FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
CREATE TRIGGER users_never_deleted BEFORE DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
CREATE TRIGGER statements_never_deleted BEFORE DELETE ON statements FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
CREATE TRIGGER organisations_never_deleted BEFORE DELETE ON organisations FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
CREATE TRIGGER entity_merges_never_deleted BEFORE DELETE ON entity_merges FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();

CREATE FUNCTION refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the id of a row of % never changes', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER entities_keep_ids BEFORE UPDATE OF id, org_id ON entities FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER users_keep_ids BEFORE UPDATE OF id ON users FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER organisations_keep_ids BEFORE UPDATE OF id ON organisations FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER entity_merges_keep_ids BEFORE UPDATE OF id ON entity_merges FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER statements_keep_ids BEFORE UPDATE OF id ON statements FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
