-- Full-text search: one document per record, written by src/search in the transaction that changes
-- the record. The terms are made by our own analyser (src/search/analyse.ts: accents folded,
-- Uyghur spellings normalised, Chinese as character pairs), so the tsvectors are stored ready
-- and PostgreSQL's parser and the server's locale play no part.
--
-- Sensitivity: secret values are sealed and never reach a document. Restricted statements are
-- kept apart (r_* columns), so a search matches them, facets them and ranks by them only for a
-- caller who may read them; whether a record is restricted as a whole is `restricted`, and the
-- access list is read at query time from entity_access.
CREATE TABLE search_documents (
  entity_id uuid PRIMARY KEY REFERENCES entities (id),
  org_id uuid NOT NULL REFERENCES organisations (id),
  schema text NOT NULL,
  -- Copies of the record's own columns, kept in step by the trigger below as well as by src/search.
  restricted boolean NOT NULL,
  archived boolean NOT NULL,
  -- The highest sensitivity among the record's live statements that are not restricted:
  -- 0 public, 1 internal, 3 secret (2, restricted, is decided per caller).
  level smallint NOT NULL CHECK (level IN (0, 1, 3)),
  tsv tsvector NOT NULL,
  violations text[] NOT NULL,
  places uuid[] NOT NULL,
  years smallint[] NOT NULL,
  -- The restricted statements: present only when the record has some.
  has_restricted boolean NOT NULL,
  r_tsv tsvector,
  r_violations text[],
  r_places uuid[],
  r_years smallint[],
  -- What the facet filters look up, from both parts: s:<schema>, v:<violation>, p:<place id>,
  -- y:<year>, l:<level> (l:2 when the record or some of its values are restricted). A search reads
  -- its candidates from this index and the text index together, then checks each exactly, so a
  -- narrow filter on a common word reads a few rows, not every record holding the word.
  filters text[] NOT NULL,
  CHECK (has_restricted OR (r_tsv IS NULL AND r_violations IS NULL AND r_places IS NULL AND r_years IS NULL))
);
-- GIN collects new entries in a pending list that every search reads through until it is merged
-- (at 4 MB by default, or by autovacuum): after a bulk load that list cost each search 10 ms. A
-- 256 kB list keeps writes batched and reading it cheap.
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_documents_r_tsv ON search_documents USING gin (r_tsv) WITH (gin_pending_list_limit = 256) WHERE r_tsv IS NOT NULL;
CREATE INDEX search_documents_filters ON search_documents USING gin (filters) WITH (gin_pending_list_limit = 256);

-- Whether a record is restricted or archived decides who finds it: follow the entity row in the
-- database itself, whatever code path changed it.
CREATE FUNCTION search_documents_follow_entity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE search_documents
     SET restricted = NEW.restricted, archived = NEW.archived_at IS NOT NULL, schema = NEW.schema,
         filters = array(SELECT DISTINCT f FROM unnest(filters || ARRAY['s:' || NEW.schema] || CASE WHEN NEW.restricted THEN ARRAY['l:2'] ELSE ARRAY[]::text[] END) f
                         WHERE f <> 's:' || OLD.schema OR NEW.schema = OLD.schema ORDER BY f)
   WHERE entity_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER entities_search_documents AFTER UPDATE OF restricted, archived_at, schema ON entities
  FOR EACH ROW
  WHEN (OLD.restricted IS DISTINCT FROM NEW.restricted OR OLD.archived_at IS DISTINCT FROM NEW.archived_at OR OLD.schema IS DISTINCT FROM NEW.schema)
  EXECUTE FUNCTION search_documents_follow_entity();
