-- Guardrails: every decision the input filter, the output moderation and the
-- limits take (for the dashboard and for audit: category, action, session;
-- never the message text), the versions of the policy that decides them, and
-- the day's model tokens per customer or guest IP for the daily caps.

CREATE TABLE support_guardrail_decisions (
  id          text PRIMARY KEY,
  session_id  text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  message_id  text,                                   -- the customer message or the reply it was about
  stage       text NOT NULL CHECK (stage IN ('input', 'output', 'limit')),
  category    text NOT NULL,                          -- self_harm, abuse, pii_exposure, injection; harmful_output; conversation_limit, quota_exceeded
  action      text NOT NULL,                          -- what was done: hotline, warn, escalate, end, safe_reply, neutralise, replaced, refused
  rule        text,                                   -- which rule or moderation category decided
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_guardrail_decisions_session_idx ON support_guardrail_decisions (session_id, created_at);
CREATE INDEX support_guardrail_decisions_time_idx ON support_guardrail_decisions (created_at);

-- The policy as operators change it: the highest version is in force.
CREATE TABLE support_guardrail_policies (
  version     integer PRIMARY KEY,
  policy      jsonb NOT NULL,
  updated_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Tokens used per quota key (customer:<id> or ip:<keyed hash>) per UTC day (embedded mode; Redis in server mode).
CREATE TABLE support_token_usage (
  quota_key  text NOT NULL,
  day        date NOT NULL,
  tokens     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (quota_key, day)
);

-- Whose daily cap a session's model calls count against.
ALTER TABLE support_chat_sessions ADD COLUMN quota_key text;

-- Replies the guardrails wrote ('guardrail') and model replies that moderation replaced ('moderated').
ALTER TABLE support_chat_messages DROP CONSTRAINT support_chat_messages_outcome_check;
ALTER TABLE support_chat_messages ADD CONSTRAINT support_chat_messages_outcome_check
  CHECK (outcome IS NULL OR outcome IN ('answered', 'dont_know', 'fallback', 'guardrail', 'moderated'));
