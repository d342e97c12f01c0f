-- Families in detainee monitoring (src/monitor/family*.ts): a family member reaches the
-- organisation through a one-time code, then a secret link, reports a missing relative, and reads
-- the updates the organisation approves for them.
--
-- What a seized database shows: that a case exists, when codes were issued and used, when reports
-- and updates were written and by which member. Never a code or a link (SHA-256 hashes only, of
-- high-entropy secrets), never what a family wrote or what the organisation told them: reports,
-- decline reasons and updates are age files sealed to the organisation's vault recipient, opened
-- only while the vault is unsealed.

CREATE TABLE family_cases (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  -- A short reference the organisation uses to speak of the case (F-7K2Q9): never a name.
  reference text NOT NULL CHECK (reference ~ '^F-[0-9A-Z]{5,12}$'),
  -- The records the case is about, when the organisation already has them.
  person_id uuid REFERENCES entities (id),
  detention_id uuid REFERENCES entities (id),
  -- The family's capability link: SHA-256 of its secret, set when a code is redeemed.
  link_hash text UNIQUE CHECK (link_hash IS NULL OR link_hash ~ '^[0-9a-f]{64}$'),
  link_issued_at timestamptz,
  link_last_used_at timestamptz,
  -- Revoking ends the link and every open code; a new code may be issued later.
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id),
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, reference)
);

CREATE TABLE family_codes (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES family_cases (id),
  code_hash text NOT NULL UNIQUE CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  issued_by uuid NOT NULL REFERENCES users (id),
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  CHECK (expires_at > issued_at)
);
CREATE INDEX family_codes_case ON family_codes (case_id);

CREATE TABLE family_reports (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES family_cases (id),
  -- The report as JSON, in an age file to the organisation's vault recipient.
  content_sealed bytea NOT NULL,
  received_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'accepted', 'declined')),
  decided_by uuid REFERENCES users (id),
  decided_at timestamptz,
  -- Declining keeps its reason, sealed like the report it speaks of.
  decline_reason_sealed bytea,
  -- Accepting makes or links records: the Source standing for the report, the person, the detention.
  source_id uuid REFERENCES entities (id),
  person_id uuid REFERENCES entities (id),
  detention_id uuid REFERENCES entities (id),
  CHECK ((state = 'new') = (decided_at IS NULL)),
  CHECK (state <> 'declined' OR decline_reason_sealed IS NOT NULL),
  CHECK (state <> 'accepted' OR (source_id IS NOT NULL AND person_id IS NOT NULL AND detention_id IS NOT NULL))
);
CREATE INDEX family_reports_queue ON family_reports (org_id, state, received_at);
CREATE INDEX family_reports_case ON family_reports (case_id, received_at);

CREATE TABLE family_updates (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES family_cases (id),
  -- The text, in any language, sealed like a report.
  body_sealed bytea NOT NULL,
  written_by uuid NOT NULL REFERENCES users (id),
  written_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'withdrawn')),
  approved_by uuid REFERENCES users (id),
  approved_at timestamptz,
  CHECK ((state = 'approved') = (approved_at IS NOT NULL AND approved_by IS NOT NULL))
);
CREATE INDEX family_updates_case ON family_updates (case_id, written_at);
