-- Detainee monitoring (src/monitor), part 2: alert rules, alerts, and the notifications they send.
--
-- Rules are evaluated by a scheduled job against monitor_detentions (migration 0011), one
-- set-based statement per rule. An alert is a fact, not an event: its key names the organisation,
-- the rule, the detention and what triggered it (the last proof of life for silence, the status
-- record for a status change…), so every Vigil process evaluating at once raises it once; the
-- deliveries it causes are written in the same transaction, and only for alerts that statement
-- actually inserted.

-- Per organisation: which rules run, and the default silence window. A missing row is the default
-- (enabled; 90 days for silence).
CREATE TABLE alert_rules (
  org_id uuid NOT NULL REFERENCES organisations (id),
  rule text NOT NULL CHECK (rule IN ('silence', 'status-change', 'sentence-overdue', 'death', 'unknown-transfer')),
  enabled boolean NOT NULL DEFAULT true,
  window_days integer CHECK (window_days IS NULL OR window_days BETWEEN 1 AND 3650),
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, rule)
);

-- Where the status-change rule stopped reading new CustodyStatus records: the creation time of the
-- latest it has seen. It re-reads a margin before it (a record written in a transaction that
-- committed late), which the alerts' unique key makes harmless.
CREATE TABLE alert_cursors (
  org_id uuid NOT NULL REFERENCES organisations (id),
  rule text NOT NULL,
  position timestamptz NOT NULL,
  PRIMARY KEY (org_id, rule)
);

-- Alerts, inbox rows and deliveries are written by the thousand in one statement (a first
-- evaluation over 100,000 detentions raises tens of thousands at once); their references carry no
-- foreign keys, whose per-row checks cost more than the inserts themselves. They are written only
-- by the evaluation, from rows that hold those keys (monitor_detentions, subscriptions, webhooks),
-- and records are archived, never deleted.
CREATE TABLE alerts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  rule text NOT NULL,
  detention_id uuid NOT NULL,
  -- What triggered it, as text: 'pol:2026-03-01', 'status:<record id>', 'end:2026-05-01'…
  fact text NOT NULL,
  person_id uuid,
  facility_id uuid,
  status text,
  -- Days of silence when raised (silence rule), for the message.
  days integer,
  -- Copied from the projection when raised: a guarded alert is never described outside Vigil.
  guarded boolean NOT NULL,
  raised_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id),
  UNIQUE (org_id, rule, detention_id, fact)
);
CREATE INDEX alerts_open ON alerts (org_id, raised_at DESC, id) WHERE acknowledged_at IS NULL;
CREATE INDEX alerts_org ON alerts (org_id, raised_at DESC, id);
CREATE INDEX alerts_detention ON alerts (detention_id);
-- The status-change rule reads CustodyStatus records by creation time.
CREATE INDEX entities_custody_status_created ON entities (org_id, created_at) WHERE schema = 'CustodyStatus';

-- What a person watches. target_id is the detention, person or facility record; a saved search is
-- a filter over the monitored detentions (statuses, facility, rules). 'organisation' is every
-- alert of the organisation, for administrators and editors who opt in.
CREATE TABLE alert_subscriptions (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('detention', 'person', 'facility', 'search', 'organisation')),
  target_id uuid REFERENCES entities (id),
  label text,
  filter_statuses text[],
  filter_rules text[],
  email boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  CHECK ((kind IN ('detention', 'person', 'facility')) = (target_id IS NOT NULL))
);
CREATE UNIQUE INDEX alert_subscriptions_unique_target ON alert_subscriptions (user_id, kind, target_id) WHERE kind IN ('detention', 'person', 'facility');
CREATE UNIQUE INDEX alert_subscriptions_unique_org ON alert_subscriptions (user_id) WHERE kind = 'organisation';
CREATE INDEX alert_subscriptions_target ON alert_subscriptions (org_id, kind, target_id);

-- The in-app inbox: one row per alert and person it reached.
CREATE TABLE alert_notifications (
  alert_id uuid NOT NULL,
  user_id uuid NOT NULL,
  org_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX alert_notifications_inbox ON alert_notifications (user_id, created_at DESC) ;
CREATE INDEX alert_notifications_unread ON alert_notifications (user_id) WHERE read_at IS NULL;

-- Signed webhooks, per organisation. The secret is sealed with the application key (it must be
-- read back to sign) and shown once, when made.
CREATE TABLE alert_webhooks (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  url text NOT NULL,
  description text,
  secret_sealed bytea NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id)
);
CREATE INDEX alert_webhooks_org ON alert_webhooks (org_id) WHERE revoked_at IS NULL;

-- One row per alert and channel target (an email to a person, a POST to a webhook). The job that
-- sends it has the unique key 'delivery:<id>', so it is queued once and retried by the job runner.
CREATE TABLE alert_deliveries (
  id uuid PRIMARY KEY,
  alert_id uuid NOT NULL,
  org_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  user_id uuid,
  webhook_id uuid,
  state text NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  CHECK ((channel = 'email') = (user_id IS NOT NULL) AND (channel = 'webhook') = (webhook_id IS NOT NULL))
);
CREATE UNIQUE INDEX alert_deliveries_email ON alert_deliveries (alert_id, user_id) WHERE channel = 'email';
CREATE UNIQUE INDEX alert_deliveries_webhook ON alert_deliveries (alert_id, webhook_id) WHERE channel = 'webhook';
CREATE INDEX alert_deliveries_webhook_log ON alert_deliveries (webhook_id, created_at DESC) WHERE webhook_id IS NOT NULL;

-- Every attempt, for the delivery log: when, the HTTP status (webhooks) or SMTP reply, the error.
CREATE TABLE alert_delivery_attempts (
  delivery_id uuid NOT NULL REFERENCES alert_deliveries (id),
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

-- Atom feeds of a person's watchlist (their subscriptions), at a secret address. Only the token's
-- SHA-256 is kept; revoking a feed stops it at once.
CREATE TABLE alert_feeds (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  title text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX alert_feeds_user ON alert_feeds (user_id);
