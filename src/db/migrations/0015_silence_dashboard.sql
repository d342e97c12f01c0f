-- The silence dashboard (src/monitor/silence*.ts) over monitor_detentions (migration 0011).
--
-- Every page shows the counts by urgency of everything that matches, so each request reads every
-- live row of the organisation: 100,000 of them must be counted in a few milliseconds. This index
-- has the order of 0011's (longest silence first, never heard from first of all) and carries what
-- the counts, the filters and the visibility rule read, so that the page and its counts are
-- index-only scans that never visit the table. It replaces 0011's index, whose key it repeats.
DROP INDEX monitor_detentions_silence;
CREATE INDEX monitor_detentions_silence ON monitor_detentions (org_id, last_proof_of_life NULLS FIRST, detention_id)
  INCLUDE (silence_days, guarded, status, facility_id, person_id) WHERE ongoing AND NOT archived;
-- The name filter: part of a name, in any script, through a trigram index of the names only.
CREATE INDEX statements_name_trgm ON statements USING gin (lower(value) gin_trgm_ops) WHERE property = 'name' AND retracted_at IS NULL;
