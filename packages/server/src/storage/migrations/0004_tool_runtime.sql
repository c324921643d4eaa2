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
