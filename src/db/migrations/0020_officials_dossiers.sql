-- Officials and responsibility, referral dossiers (src/accountability/responsibility*.ts, dossier*.ts).
--
-- An analyst's decisions on the links the responsibility map derives from the records (an incident
-- or a detention in a unit under an official's command while they held the post, or one naming
-- them directly). The links themselves are never stored: they are derived at each reading from the
-- records the reader may see. Append-only: a link's current decision is its latest row, so a
-- dismissal is undone by a later row and nothing is lost.
CREATE TABLE responsibility_reviews (
  id uuid PRIMARY KEY,
  -- The order decisions were made in (several may share a timestamp).
  seq bigserial NOT NULL,
  org_id uuid NOT NULL REFERENCES organisations (id),
  -- The official (a Person) or the organisation the map is about.
  subject_id uuid NOT NULL REFERENCES entities (id),
  -- What happened: an Incident or a Detention.
  record_id uuid NOT NULL REFERENCES entities (id),
  -- Why it is linked: 'direct' (named), 'organisation' (the organisation's own units), or the id of the Occupancy.
  basis text NOT NULL CHECK (basis IN ('direct', 'organisation') OR basis ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  decision text NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'reopened')),
  reason text NOT NULL CHECK (length(reason) <= 2000),
  actor_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A dismissal, and undoing a decision, always say why.
  CHECK (decision = 'confirmed' OR length(reason) >= 1)
);
CREATE INDEX responsibility_reviews_subject ON responsibility_reviews (org_id, subject_id, seq);

-- A referral dossier: a submission draft for a government's targeted-sanctions programme (Global
-- Magnitsky style) about an official or a company. The acts, the evidence and the sources are read
-- from the records at each export; what the author writes is kept in `fields`.
CREATE TABLE referral_dossiers (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  subject_id uuid NOT NULL REFERENCES entities (id),
  -- D-XXXXXX: how staff and recipients speak of it.
  reference text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('draft', 'submitted', 'decided', 'closed')),
  -- The editable parts: title, recipient programme, summary, requested measures, notes, acts left out.
  fields jsonb NOT NULL,
  revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_dossiers_org ON referral_dossiers (org_id, updated_at DESC, id);
CREATE INDEX referral_dossiers_subject ON referral_dossiers (subject_id);

-- The dossier's history, append-only: drafted, every edit (with the fields as they were after
-- it), each submission (to whom, when), each outcome, status changes, and every export.
CREATE TABLE referral_events (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL,
  dossier_id uuid NOT NULL REFERENCES referral_dossiers (id),
  kind text NOT NULL CHECK (kind IN ('drafted', 'edited', 'submitted', 'outcome', 'status', 'exported')),
  recipient text NOT NULL DEFAULT '',
  -- The day it happened (YYYY-MM-DD), as the person recording it says.
  occurred_on text CHECK (occurred_on IS NULL OR occurred_on ~ '^\d{4}-\d{2}-\d{2}$'),
  outcome text,
  summary text NOT NULL DEFAULT '',
  details jsonb NOT NULL DEFAULT '{}',
  status_from text,
  status_to text,
  actor_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_events_dossier ON referral_events (dossier_id, seq);
