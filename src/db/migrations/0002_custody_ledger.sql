-- The custody ledger: one append-only RFC 6962 Merkle tree per installation (see docs/custody-ledger.md).
-- Rows are only ever inserted; `vigil ledger verify` recomputes the tree from ledger_leaves and
-- compares it with the latest signed checkpoint, so an edited, deleted or inserted row is detected.

CREATE TABLE ledger_leaves (
  -- Leaf index, 0-based and dense: assigned under an advisory lock inside the writer's transaction.
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  -- The organisation whose evidence the event is about, also inside the leaf (details.org): filters who may read entries.
  org_id uuid NOT NULL REFERENCES organisations (id),
  -- RFC 8785 canonical JSON of the event; 65,535 bytes is the most a tlog-tiles entry bundle carries.
  data bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 65535),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_leaves_org ON ledger_leaves (org_id, idx);

-- Every complete-subtree hash, in the dense order of src/ledger/stored-hashes.ts (2n − popcount(n) rows for n leaves).
CREATE TABLE ledger_hashes (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- Signed C2SP checkpoints, one per tree size; the note may gain cosignatures later.
CREATE TABLE ledger_checkpoints (
  size bigint PRIMARY KEY CHECK (size >= 0),
  root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
  note text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
