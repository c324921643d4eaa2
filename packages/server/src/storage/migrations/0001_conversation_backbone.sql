-- Conversation backbone: sessions, transcripts, AI usage, tickets, knowledge
-- base, and the demo host's data. Plain SQL that runs on PGlite and on
-- PostgreSQL 15 alike.

CREATE TABLE support_chat_sessions (
  id                text PRIMARY KEY,
  customer_id       text,                       -- null for a guest
  customer_name     text,
  customer_email    text,
  locale            text NOT NULL DEFAULT 'en',
  status            text NOT NULL DEFAULT 'ai' CHECK (status IN ('ai', 'escalated', 'closed')),
  token_hash        text NOT NULL UNIQUE,       -- SHA-256 of the current session token; the token itself is never stored
  token_expires_at  timestamptz NOT NULL,       -- idle expiry: pushed forward on every use
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_chat_sessions_customer_idx ON support_chat_sessions (customer_id, created_at);

CREATE TABLE support_chat_messages (
  seq                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- transcript order
  id                 text NOT NULL UNIQUE,
  session_id         text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  role               text NOT NULL CHECK (role IN ('user', 'assistant', 'agent', 'system')),
  text               text NOT NULL,
  client_message_id  text,
  reply_to_id        text,                      -- for an assistant reply: the user message it answers
  citations          jsonb NOT NULL DEFAULT '[]'::jsonb,
  rating             text CHECK (rating IN ('up', 'down')),
  rated_at           timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
-- A retried send_message (same clientMessageId) is stored once.
CREATE UNIQUE INDEX support_chat_messages_client_id_idx
  ON support_chat_messages (session_id, client_message_id) WHERE client_message_id IS NOT NULL;
-- A user message is answered once.
CREATE UNIQUE INDEX support_chat_messages_reply_idx
  ON support_chat_messages (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX support_chat_messages_session_idx ON support_chat_messages (session_id, seq);

-- One row per model call; text is redacted before it is written.
CREATE TABLE support_ai_interactions (
  id                 text PRIMARY KEY,
  session_id         text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  message_id         text,                      -- the assistant message this call helped produce
  round              integer NOT NULL,
  provider           text NOT NULL,
  model              text NOT NULL,
  prompt_tokens      integer NOT NULL DEFAULT 0,
  completion_tokens  integer NOT NULL DEFAULT 0,
  latency_ms         integer NOT NULL,
  finish_reason      text,
  tool_calls         jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{ name, outcome, latencyMs }], arguments redacted
  redacted_prompt    text NOT NULL,             -- the last user turn as the model saw it, redacted
  redacted_completion text NOT NULL,
  error_code         text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_ai_interactions_session_idx ON support_ai_interactions (session_id, created_at);

CREATE TABLE support_tickets (
  id           text PRIMARY KEY,
  session_id   text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  customer_id  text,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'solved', 'closed')),
  priority     text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  source       text NOT NULL,                  -- customer_button, explicit_request, ai_tool, ...
  reason       text,
  subject      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- At most one open ticket per conversation: escalating twice reuses it.
CREATE UNIQUE INDEX support_tickets_open_per_session_idx
  ON support_tickets (session_id) WHERE status IN ('open', 'pending');

CREATE TABLE kb_articles (
  id          text PRIMARY KEY,
  title       text NOT NULL,
  category    text,
  url         text NOT NULL,
  locale      text NOT NULL DEFAULT 'en',
  body        text NOT NULL,
  title_tsv   tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kb_chunks (
  id          text PRIMARY KEY,
  article_id  text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  heading     text,
  body        text NOT NULL,
  -- Title words count more than body words.
  tsv         tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(heading, '')), 'A') ||
                setweight(to_tsvector('english', body), 'B')
              ) STORED
);
CREATE INDEX kb_chunks_tsv_idx ON kb_chunks USING gin (tsv);
CREATE INDEX kb_chunks_article_idx ON kb_chunks (article_id, position);

-- Demo host data: stands in for the travel company's own systems. Tools reach
-- it only through the host-data adapter, never the conversation code.
CREATE TABLE demo_customers (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  email         text NOT NULL,
  phone         text,
  tier          text NOT NULL,
  miles_balance integer NOT NULL DEFAULT 0,
  locale        text NOT NULL DEFAULT 'en'
);

CREATE TABLE demo_bookings (
  reference     text PRIMARY KEY,
  customer_id   text NOT NULL REFERENCES demo_customers (id),
  kind          text NOT NULL CHECK (kind IN ('flight', 'hotel')),
  status        text NOT NULL,
  fare_type     text,
  summary       text NOT NULL,
  origin        text,
  destination   text,
  hotel_name    text,
  city          text,
  start_date    date NOT NULL,
  end_date      date,
  passengers    integer NOT NULL DEFAULT 1,
  total_amount  numeric(12, 2) NOT NULL,
  currency      text NOT NULL
);
CREATE INDEX demo_bookings_customer_idx ON demo_bookings (customer_id);

CREATE TABLE demo_wallets (
  customer_id  text PRIMARY KEY REFERENCES demo_customers (id),
  balance      numeric(12, 2) NOT NULL,
  currency     text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
