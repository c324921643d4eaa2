-- Privacy: every export, deletion and retention run, with who did it and what it touched (counts, never
-- the data). A deleted customer leaves only these lines behind.
CREATE TABLE support_privacy_audit (
  id           text PRIMARY KEY,
  action       text NOT NULL CHECK (action IN ('export', 'delete', 'retention', 'training_export')),
  customer_id  text,                                  -- the subject of an export or deletion; null for retention runs
  actor        text NOT NULL,                         -- agent:<id>, admin-api-key, cli, retention
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,    -- counts of what was exported or removed
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_privacy_audit_customer_idx ON support_privacy_audit (customer_id, created_at);

-- The customer's answer to "may this conversation be used to improve the assistant?", and when.
ALTER TABLE support_chat_sessions ADD COLUMN training_consent boolean;
ALTER TABLE support_chat_sessions ADD COLUMN training_consent_at timestamptz;
-- Retention and the analytics find conversations by when they started.
CREATE INDEX support_chat_sessions_created_idx ON support_chat_sessions (created_at);
-- Set when retention anonymised the conversation (identity removed, texts redacted): it is not done twice.
ALTER TABLE support_chat_sessions ADD COLUMN anonymised_at timestamptz;
