-- The custody ledger: one append-only RFC 6962 Merkle tree per organisation (docs/custody-ledger.md).
-- Per organisation so that an entry bundle holds one organisation's events only, each organisation
-- signs with its own key (partners cosign each other's checkpoints), and writers of different
-- organisations never wait for one another. Rows are only ever inserted: `vigil ledger verify`
-- recomputes each tree from ledger_leaves and compares it with the signed checkpoints.

CREATE TABLE ledger_logs (
  org_id uuid PRIMARY KEY REFERENCES organisations (id),
  -- The checkpoint origin line and signing key name, fixed when the log is first signed.
  origin text NOT NULL UNIQUE,
  -- The Ed25519 signer key text, sealed with the application key: checkpoints are signed while the vault is sealed.
  signer_key_sealed bytea NOT NULL,
  verifier_key text NOT NULL,
  -- Whether anyone, signed in or not, may read checkpoints, hash tiles and proofs.
  public boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_leaves (
  org_id uuid NOT NULL REFERENCES organisations (id),
  -- Leaf index, 0-based and dense per organisation: assigned under an advisory lock in the writer's transaction.
  idx bigint NOT NULL CHECK (idx >= 0),
  -- RFC 8785 canonical JSON of the event; 65,535 bytes is the most a tlog-tiles entry bundle carries.
  data bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 65535),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, idx)
);

-- Every complete-subtree hash, in the dense order of src/ledger/stored-hashes.ts (2n − popcount(n) rows for n leaves).
CREATE TABLE ledger_hashes (
  org_id uuid NOT NULL REFERENCES organisations (id),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (org_id, idx)
);

-- Signed C2SP checkpoints, one per tree size; the note may gather cosignatures later.
CREATE TABLE ledger_checkpoints (
  org_id uuid NOT NULL REFERENCES organisations (id),
  size bigint NOT NULL CHECK (size >= 0),
  root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
  note text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, size)
);
