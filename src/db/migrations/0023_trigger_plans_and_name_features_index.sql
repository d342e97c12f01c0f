-- 1. The row-level trigger functions look rows up by key (the search document of the record
--    changed, the person or record a changed row names). PL/pgSQL caches each query's plan for
--    the session: after five runs it keeps a generic plan when that costs no more than the custom
--    ones, and a plan made while a table was empty scans it whole. A connection that first updated
--    a record while search_documents was empty then scanned every document for every record it
--    archived afterwards (a bulk archive of 100,000 records fell from 900 to 200 a second, the
--    same change in plain SQL from 13,800 to 130). Planned at each call instead, each lookup
--    sees the table as it is: a few microseconds a row, against a scan that grows with the table.
ALTER FUNCTION search_documents_follow_entity() SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION entities_check_reference_update() SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION statements_check_reference_update() SET plan_cache_mode = force_custom_plan;

-- 2. name_features (org_id) served the foreign key to organisations that migration 0016 dropped;
--    no query reads the features by organisation (screening joins them by record, through the
--    primary key, and a rebuild walks the organisation's records). One index entry fewer for
--    every record created, imported or reindexed.
DROP INDEX IF EXISTS name_features_org;
