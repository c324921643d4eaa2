-- Tool runtime: an audit trail of every tool execution, customer-confirmed
-- actions, an outbox for follow-up messages, and idempotency records for
-- background jobs.

CREATE TABLE support_tool_audit (
  id           text PRIMARY KEY,
  session_id   text,
  customer_id  text,                 -- null for guests
  role         text NOT NULL,
  tool         text NOT NULL,
  arguments    jsonb NOT NULL,       -- redacted
  outcome      text NOT NULL,        -- 'ok' or the refusal / error code
  latency_ms   integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_tool_audit_session_idx ON support_tool_audit (session_id, created_at);
CREATE INDEX support_tool_audit_customer_idx ON support_tool_audit (customer_id, created_at);

-- A change the AI proposed and only the customer can confirm. The tool that
-- proposes writes a row; the customer's confirm event (checked against the
-- session) executes it once: status moves pending → executing → done.
CREATE TABLE support_pending_actions (
  id                 text PRIMARY KEY,
  session_id         text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  customer_id        text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('booking_cancellation', 'booking_change')),
  booking_reference  text NOT NULL,
  params             jsonb NOT NULL DEFAULT '{}'::jsonb,
  quote              jsonb NOT NULL,
  status             text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'executing', 'done', 'cancelled', 'expired', 'failed')),
  result             jsonb,
  expires_at         timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  decided_at         timestamptz
);
CREATE INDEX support_pending_actions_session_idx ON support_pending_actions (session_id, created_at);

-- Follow-up messages (emails) written by background jobs; a mail relay drains it.
CREATE TABLE support_outbox (
  id               text PRIMARY KEY,
  idempotency_key  text NOT NULL UNIQUE,
  customer_id      text,
  channel          text NOT NULL DEFAULT 'email',
  subject          text NOT NULL,
  body             text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);

-- Background jobs record their idempotency key when they have acted, so a
-- retried or duplicated job acts once.
CREATE TABLE support_job_runs (
  idempotency_key  text PRIMARY KEY,
  job              text NOT NULL,
  completed_at     timestamptz NOT NULL DEFAULT now()
);
