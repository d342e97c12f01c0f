-- The names index (name_keys, name_features) and the search documents are derived from the
-- statements and rebuilt from them (`vigil names reindex`, `vigil search reindex`); records are
-- never deleted, only archived. Their foreign keys guarded nothing the statements do not already
-- guard, and cost a lookup per row on every write: about a third of the database's time in a CSV
-- import of 100,000 people (EXPLAIN ANALYZE of one 1,000-person batch), whose one transaction
-- runs on one core. The alert tables of 0012 were made without them for the same reason.
ALTER TABLE name_keys DROP CONSTRAINT IF EXISTS name_keys_org_id_fkey;
ALTER TABLE name_keys DROP CONSTRAINT IF EXISTS name_keys_entity_id_fkey;
ALTER TABLE name_features DROP CONSTRAINT IF EXISTS name_features_org_id_fkey;
ALTER TABLE name_features DROP CONSTRAINT IF EXISTS name_features_entity_id_fkey;
ALTER TABLE search_documents DROP CONSTRAINT IF EXISTS search_documents_org_id_fkey;
ALTER TABLE search_documents DROP CONSTRAINT IF EXISTS search_documents_entity_id_fkey;
