-- Urgent actions (src/monitor/urgent-*.ts): appeals generated from a detention, in the style of an
-- Urgent Action, addressed to the authorities, and the log of what was done with them.
--
-- The authorities to write to, kept per organisation. Never deleted: archived with a reason, so an
-- old action still names who it was sent to.
CREATE TABLE urgent_addressees (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  title text NOT NULL DEFAULT '',
  organisation text NOT NULL DEFAULT '',
  postal_address text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  fax text NOT NULL DEFAULT '',
  salutation text NOT NULL DEFAULT '',
  -- The language letters to this addressee are written in: en, ug or zh.
  language text NOT NULL CHECK (language IN ('en', 'ug', 'zh')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  archived_by uuid REFERENCES users (id),
  archive_reason text,
  CHECK ((archived_at IS NULL) = (archive_reason IS NULL))
);
CREATE INDEX urgent_addressees_org ON urgent_addressees (org_id, name);

-- An organisation's edits of the templates shipped in code, every edit a new version: the current
-- template is the highest version, the defaults (version 0) when there is none.
CREATE TABLE urgent_templates (
  org_id uuid NOT NULL REFERENCES organisations (id),
  language text NOT NULL CHECK (language IN ('en', 'ug', 'zh')),
  version integer NOT NULL CHECK (version >= 1),
  subject text NOT NULL,
  body text NOT NULL,
  -- Default lines of the concerns and the requests, which the author adapts for each action.
  concerns jsonb NOT NULL,
  requests jsonb NOT NULL,
  reason text NOT NULL,
  author_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, language, version)
);

CREATE TABLE urgent_actions (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id),
  detention_id uuid NOT NULL REFERENCES entities (id),
  status text NOT NULL CHECK (status IN ('draft', 'sent', 'responded', 'closed')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX urgent_actions_detention ON urgent_actions (detention_id, created_at);
CREATE INDEX urgent_actions_org ON urgent_actions (org_id, updated_at DESC, id);

-- Each generation is kept: regenerating a draft adds a version, never overwrites one. `document`
-- holds what was generated (subject, blocks, addressees, facts as read), so a version reads the
-- same later even when the records, the template or an addressee change.
CREATE TABLE urgent_action_versions (
  action_id uuid NOT NULL REFERENCES urgent_actions (id),
  version integer NOT NULL CHECK (version >= 1),
  language text NOT NULL CHECK (language IN ('en', 'ug', 'zh')),
  template_version integer NOT NULL,
  addressee_ids jsonb NOT NULL,
  -- Whether the author chose to put restricted or secret values in a document meant to leave Vigil.
  includes_restricted boolean NOT NULL DEFAULT false,
  includes_secret boolean NOT NULL DEFAULT false,
  document jsonb NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (action_id, version)
);

-- What was done: letters and emails sent, responses received, status changes. Append-only.
CREATE TABLE urgent_action_events (
  id uuid PRIMARY KEY,
  action_id uuid NOT NULL REFERENCES urgent_actions (id),
  kind text NOT NULL CHECK (kind IN ('sent', 'response', 'status')),
  addressee_id uuid REFERENCES urgent_addressees (id),
  channel text CHECK (channel IS NULL OR channel IN ('letter', 'email', 'fax', 'in-person', 'other')),
  -- The day it happened (YYYY-MM-DD), as the person recording it says.
  occurred_on text CHECK (occurred_on IS NULL OR occurred_on ~ '^\d{4}-\d{2}-\d{2}$'),
  summary text NOT NULL DEFAULT '',
  evidence_url text,
  status_from text,
  status_to text,
  actor_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX urgent_action_events_action ON urgent_action_events (action_id, created_at, id);
