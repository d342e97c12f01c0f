-- Litigation (src/accountability/cases*.ts, consent*.ts, bundle*.ts). The case itself is a
-- LegalCase record (forum, court, claims, defendants); these tables hold what is not a fact about
-- the world but the organisation's work on the case: who speaks in it, what they agreed to, the
-- deadlines, the exhibits and every court bundle made of them.

-- Plaintiffs and witnesses: a Person record in a role, known in bundles only by its label (W-1, P-1),
-- never by name.
CREATE TABLE legal_case_parties (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES entities (id),
  person_id uuid NOT NULL REFERENCES entities (id),
  role text NOT NULL CHECK (role IN ('plaintiff', 'witness')),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 40),
  added_by uuid REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, label),
  UNIQUE (case_id, person_id, role)
);
CREATE INDEX legal_case_parties_case ON legal_case_parties (case_id, added_at);

-- Consent is a history, never overwritten: each row says that a party gave, or withdrew, one kind
-- of consent at a moment, how (or why) and who recorded it. What holds now is the latest row per
-- party and scope, by `seq` (the order of recording: two rows may share a timestamp). A withdrawal
-- says why.
CREATE TABLE legal_case_consents (
  id uuid PRIMARY KEY,
  seq integer GENERATED ALWAYS AS IDENTITY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  party_id uuid NOT NULL REFERENCES legal_case_parties (id),
  scope text NOT NULL CHECK (scope IN ('use-testimony', 'be-named', 'share-with-counsel')),
  kind text NOT NULL CHECK (kind IN ('given', 'withdrawn')),
  effective_at timestamptz NOT NULL,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'given' OR length(note) > 0)
);
CREATE INDEX legal_case_consents_party ON legal_case_consents (party_id, seq);

CREATE TABLE legal_case_deadlines (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES entities (id),
  due_on date NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz,
  done_by uuid REFERENCES users (id)
);
CREATE INDEX legal_case_deadlines_case ON legal_case_deadlines (case_id, due_on);

-- Evidence from the vault offered as an exhibit. `party_id` is the witness or plaintiff whose
-- testimony or material it is: their consent governs whether it may leave in a bundle.
CREATE TABLE legal_case_exhibits (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES entities (id),
  evidence_id uuid NOT NULL REFERENCES evidence (id),
  label text NOT NULL CHECK (label ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  party_id uuid REFERENCES legal_case_parties (id),
  added_by uuid REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, label),
  UNIQUE (case_id, evidence_id)
);

-- Every court bundle made: for whom, in which form, of which exhibits, and where its custody events
-- start in the ledger. The bundle itself is never kept on the server (it may hold plaintext).
CREATE TABLE court_bundles (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  case_id uuid NOT NULL REFERENCES entities (id),
  purpose text NOT NULL CHECK (purpose IN ('court', 'counsel')),
  mode text NOT NULL CHECK (mode IN ('decrypted', 'reencrypted')),
  recipient text,
  exhibit_ids jsonb NOT NULL,
  ledger_index integer NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((mode = 'reencrypted') = (recipient IS NOT NULL))
);
CREATE INDEX court_bundles_case ON court_bundles (case_id, created_at);
