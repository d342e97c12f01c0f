-- The evidence vault: each organisation's age keyring and its evidence items.
-- Blobs live on disk (or object storage) under the SHA-256 of their ciphertext; nothing here is
-- derived from a plaintext hash except the salted commitment, so a copy of the database cannot
-- confirm that the organisation holds a known file.

CREATE TABLE vault_keyrings (
  org_id uuid PRIMARY KEY REFERENCES organisations (id),
  -- The current age recipient (age1…): new blobs are encrypted to it, even while sealed.
  recipient text NOT NULL CHECK (recipient LIKE 'age1%'),
  -- 'passphrase': sealed_identity is an armored age scrypt file holding an age-keygen identity
  -- file, so `age -d` alone recovers it. 'shares': k of n holders' sealed shares in vault_key_shares.
  mode text NOT NULL CHECK (mode IN ('passphrase', 'shares')),
  sealed_identity text,
  threshold integer CHECK (threshold IS NULL OR threshold BETWEEN 2 AND 255),
  generation integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  CHECK ((mode = 'passphrase') = (sealed_identity IS NOT NULL)),
  CHECK ((mode = 'shares') = (threshold IS NOT NULL))
);

CREATE TABLE vault_key_shares (
  org_id uuid NOT NULL REFERENCES vault_keyrings (org_id),
  holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 100),
  -- An armored age scrypt file under the holder's own passphrase, holding one Shamir share.
  sealed text NOT NULL,
  PRIMARY KEY (org_id, holder)
);

CREATE TABLE evidence (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  -- Lowercase hex SHA-256 of the age file as stored: the blob's name. Changes when keys rotate.
  ciphertext_sha256 text NOT NULL UNIQUE CHECK (ciphertext_sha256 ~ '^[0-9a-f]{64}$'),
  ciphertext_size bigint NOT NULL CHECK (ciphertext_size > 0),
  plaintext_size bigint NOT NULL CHECK (plaintext_size > 0),
  -- The type found in the content (never the name the uploader gave), e.g. image/jpeg.
  media_type text NOT NULL,
  -- SHA-256(label || salt || plaintext SHA-256); the salt is inside metadata_enc.
  commitment text NOT NULL CHECK (commitment ~ '^[0-9a-f]{64}$'),
  -- age file encrypted to the organisation: file name, claimed type, plaintext SHA-256, salt, technical metadata.
  metadata_enc bytea NOT NULL,
  -- A redacted derivative names its original; originals are never modified.
  derived_from uuid REFERENCES evidence (id),
  ledger_index bigint NOT NULL,
  received_by uuid REFERENCES users (id),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_org ON evidence (org_id, received_at DESC, id);
CREATE INDEX evidence_derived ON evidence (derived_from) WHERE derived_from IS NOT NULL;
