-- Screening at scale, named lists and duplicate review (src/screening).
--
-- 1. Blocking keys carry the birth decade of the record (yyy of yyyy; -1 when the record has no
--    usable birth date, or dates spread over more than three decades). A query with a birth date
--    looks up its decades and -1 only: a record born in another decade would lose the birth-date
--    penalty's 0.25 and could not reach the default threshold anyway. Existing keys become -1,
--    which is correct but less selective until `vigil names reindex` rewrites them.
ALTER TABLE name_keys ADD COLUMN decade smallint NOT NULL DEFAULT -1 CHECK (decade >= -1);
ALTER TABLE name_keys DROP CONSTRAINT name_keys_pkey;
ALTER TABLE name_keys ADD PRIMARY KEY (org_id, key, decade, entity_id);

-- 2. What the matcher needs of each live record, prepared once when the record changes instead of
--    at every query: its names already normalised and transliterated, birth dates, nationalities,
--    genders and identifiers. Only public and internal values are here; `guarded` says the record
--    also has restricted values among them, and then candidates are read through the records
--    service, which decides who may read what. `engine` names the engine version that prepared
--    `features`; a record prepared by another version is prepared again when it is a candidate.
CREATE TABLE name_features (
  entity_id uuid PRIMARY KEY REFERENCES entities (id),
  org_id uuid NOT NULL REFERENCES organisations (id),
  engine text NOT NULL,
  guarded boolean NOT NULL,
  features jsonb NOT NULL
);
CREATE INDEX name_features_org ON name_features (org_id);

-- 3. Named lists: who made them, and removal that can be undone (the audit trail keeps each step).
ALTER TABLE entity_lists ADD COLUMN created_by uuid REFERENCES users (id);
ALTER TABLE entity_lists ADD COLUMN archived_at timestamptz;
ALTER TABLE entity_lists ADD COLUMN archived_by uuid REFERENCES users (id);
ALTER TABLE entity_lists ADD COLUMN archive_reason text CHECK (archive_reason IS NULL OR length(archive_reason) <= 2000);
ALTER TABLE entity_list_members ADD COLUMN added_by uuid REFERENCES users (id);
ALTER TABLE entity_list_members ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE entity_list_members ADD COLUMN removed_at timestamptz;
ALTER TABLE entity_list_members ADD COLUMN removed_by uuid REFERENCES users (id);
ALTER TABLE entity_list_members ADD COLUMN removal_reason text CHECK (removal_reason IS NULL OR length(removal_reason) <= 2000);
CREATE INDEX entity_list_members_entity ON entity_list_members (entity_id);

-- 4. Pairs of records a person has judged not to be duplicates: never proposed again. The pair is
--    stored once, smaller id first.
CREATE TABLE duplicate_rejections (
  org_id uuid NOT NULL REFERENCES organisations (id),
  entity_a uuid NOT NULL REFERENCES entities (id),
  entity_b uuid NOT NULL REFERENCES entities (id),
  rejected_by uuid REFERENCES users (id),
  rejected_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  PRIMARY KEY (org_id, entity_a, entity_b),
  CHECK (entity_a < entity_b)
);
