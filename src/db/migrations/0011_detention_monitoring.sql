-- Detainee monitoring (src/monitor), part 1: what the alert rules and the silence dashboard read.
--
-- Detentions, status changes, proofs of life and treatment reports are records like any other
-- (schemata Detention, CustodyStatus, ProofOfLife, TreatmentReport: statements with sources,
-- sensitivity, revisions and access lists). Deriving "days since the last proof of life" from
-- statements for 100,000 detainees at every page view or rule run is too slow, so the monitor
-- keeps one row per detention here, rewritten in the same transaction as any change to the
-- detention or to a record that points at it. Nothing here is a source of truth: `vigil monitor
-- rebuild` recomputes it from the records.
--
-- Dates are the EDTF values' bounds as YYYY-MM-DD text (they sort as text), like statements.
CREATE TABLE monitor_detentions (
  detention_id uuid PRIMARY KEY REFERENCES entities (id),
  org_id uuid NOT NULL REFERENCES organisations (id),
  person_id uuid REFERENCES entities (id),
  facility_id uuid REFERENCES entities (id),
  -- The latest status by date (a code of the custody-statuses vocabulary), and when it took effect.
  status text,
  status_earliest text CHECK (status_earliest IS NULL OR status_earliest ~ '^\d{4}-\d{2}-\d{2}$'),
  status_latest text CHECK (status_latest IS NULL OR status_latest ~ '^\d{4}-\d{2}-\d{2}$'),
  started_earliest text CHECK (started_earliest IS NULL OR started_earliest ~ '^\d{4}-\d{2}-\d{2}$'),
  started_latest text CHECK (started_latest IS NULL OR started_latest ~ '^\d{4}-\d{2}-\d{2}$'),
  -- The latest day a proof of life can mean (the upper bound of its EDTF date): silence is counted
  -- from there, so an uncertain report never makes the silence look longer than it may be.
  last_proof_of_life text CHECK (last_proof_of_life IS NULL OR last_proof_of_life ~ '^\d{4}-\d{2}-\d{2}$'),
  -- When a sentence ends (upper bound), for the "sentence served, no release" rule.
  sentence_end text CHECK (sentence_end IS NULL OR sentence_end ~ '^\d{4}-\d{2}-\d{2}$'),
  -- false once released, released under restrictions, or dead in custody.
  ongoing boolean NOT NULL,
  -- This case's own silence window in days, overriding the organisation's rule.
  silence_days integer CHECK (silence_days IS NULL OR silence_days BETWEEN 1 AND 3650),
  -- true when the detention, the person or a value used here is restricted: such rows are shown
  -- only to who may read the records, and never described outside Vigil.
  guarded boolean NOT NULL DEFAULT false,
  archived boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The silence dashboard and the no-proof-of-life rule: ongoing detentions, longest silence first
-- (NULLS FIRST: never a proof of life at all is the longest silence).
CREATE INDEX monitor_detentions_silence ON monitor_detentions (org_id, last_proof_of_life NULLS FIRST, detention_id) WHERE ongoing AND NOT archived;
CREATE INDEX monitor_detentions_person ON monitor_detentions (person_id);
CREATE INDEX monitor_detentions_facility ON monitor_detentions (facility_id) WHERE facility_id IS NOT NULL;
