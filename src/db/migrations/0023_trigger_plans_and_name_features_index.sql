-- 1. The row-level trigger functions look rows up by primary key (the search document of the
--    record changed, the person or record a changed row names). PL/pgSQL keeps each query's plan
--    for the session: after five runs it keeps a generic plan when that costs no more than the
--    custom ones, and a plan made while statistics said a table was empty scans it whole. A
--    connection that first updated a record then scanned every search document for every record
--    it archived afterwards (a bulk archive of 100,000 records fell from 900 to 200 a second, the
--    same change in plain SQL from 13,800 to 130). These lookups must never scan: with sequential
--    scans off inside them every plan, cached or not, goes through the key (planning each call
--    anew, plan_cache_mode = force_custom_plan, also works but costs a quarter more per row).
ALTER FUNCTION search_documents_follow_entity() SET enable_seqscan = off;
ALTER FUNCTION entities_check_reference_update() SET enable_seqscan = off;
ALTER FUNCTION statements_check_reference_update() SET enable_seqscan = off;

-- 2. name_features (org_id) served the foreign key to organisations that migration 0016 dropped;
--    no query reads the features by organisation (screening joins them by record, through the
--    primary key, and a rebuild walks the organisation's records). One index entry fewer for
--    every record created, imported or reindexed.
DROP INDEX IF EXISTS name_features_org;
