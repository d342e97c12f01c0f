-- Evidence linked to the records it supports, and web captures (src/evidence/links.ts, src/capture).

-- Which evidence supports which record (a Source, an Incident, a Person…), who said so, when and
-- why. Never deleted: withdrawing a link stamps it, with its own author and reason, and linking
-- the same pair again makes a new row, so the whole story stays. Both ends are custody-ledger
-- events on the evidence ("linked", "unlinked"), whose leaf indexes are kept here.
CREATE TABLE evidence_links (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  evidence_id uuid NOT NULL REFERENCES evidence (id),
  entity_id uuid NOT NULL REFERENCES entities (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  linked_by uuid REFERENCES users (id),
  linked_at timestamptz NOT NULL DEFAULT now(),
  ledger_index bigint NOT NULL,
  unlinked_at timestamptz,
  unlinked_by uuid REFERENCES users (id),
  unlink_reason text CHECK (unlink_reason IS NULL OR length(unlink_reason) BETWEEN 1 AND 2000),
  unlink_ledger_index bigint,
  CHECK ((unlinked_at IS NULL) = (unlink_reason IS NULL)),
  CHECK ((unlinked_at IS NULL) = (unlink_ledger_index IS NULL))
);
-- One live link per pair; withdrawn ones stay beside it as history.
CREATE UNIQUE INDEX evidence_links_live ON evidence_links (evidence_id, entity_id) WHERE unlinked_at IS NULL;
CREATE INDEX evidence_links_entity ON evidence_links (entity_id, linked_at, id);
CREATE INDEX evidence_links_evidence ON evidence_links (evidence_id, linked_at, id);

-- One captured web page: the Source it documents and when. The address, the page's response
-- headers and what was refused are in each artifact's encrypted metadata (evidence.metadata_enc);
-- the Source record holds the address as a statement, with that statement's own sensitivity.
CREATE TABLE web_captures (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  source_id uuid NOT NULL REFERENCES entities (id),
  requested_by uuid REFERENCES users (id),
  captured_at timestamptz NOT NULL,
  -- The status the page itself answered with: a 404 page is kept, it shows that a page is gone.
  http_status integer NOT NULL CHECK (http_status BETWEEN 100 AND 599),
  -- Requests answered and recorded in the WARC, and requests refused (private addresses, schemes).
  resources integer NOT NULL CHECK (resources >= 0),
  refused integer NOT NULL CHECK (refused >= 0)
);
CREATE INDEX web_captures_source ON web_captures (source_id, captured_at DESC);

-- The files a capture made, each an evidence item of its own.
CREATE TABLE web_capture_artifacts (
  capture_id uuid NOT NULL REFERENCES web_captures (id),
  role text NOT NULL CHECK (role IN ('warc', 'screenshot', 'html', 'text')),
  evidence_id uuid NOT NULL UNIQUE REFERENCES evidence (id),
  PRIMARY KEY (capture_id, role)
);

-- Per organisation: whether captures may reach private, loopback and link-local addresses (an
-- intranet the organisation means to archive, or a test server). Off unless an admin turns it on.
CREATE TABLE capture_settings (
  org_id uuid PRIMARY KEY REFERENCES organisations (id),
  allow_private_addresses boolean NOT NULL DEFAULT false,
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now()
);
