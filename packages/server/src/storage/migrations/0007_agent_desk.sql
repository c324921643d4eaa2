-- The human side of a handoff: agent accounts and their tokens, presence,
-- assignment and resolution of tickets, internal notes, and who wrote an
-- agent message.
CREATE TABLE support_agents (
  id             text PRIMARY KEY,
  email          text NOT NULL,
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('agent', 'admin')),
  password_hash  text,                        -- argon2id (PHC string); null for an agent who signs in only through the host
  max_chats      integer CHECK (max_chats > 0),  -- concurrent live chats; null: the configured default
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX support_agents_email_idx ON support_agents (lower(email));

-- Like session tokens: opaque, only their SHA-256 stored, short-lived, replaced on refresh.
CREATE TABLE support_agent_tokens (
  token_hash  text PRIMARY KEY,
  agent_id    text NOT NULL REFERENCES support_agents (id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_agent_tokens_agent_idx ON support_agent_tokens (agent_id);

-- Presence: one row per open agent socket, renewed by the node that holds it.
-- An agent is online while any live row says so; a node that dies stops
-- renewing, and its rows run out. Times are the database's clock.
CREATE TABLE support_agent_connections (
  id          text PRIMARY KEY,
  agent_id    text NOT NULL REFERENCES support_agents (id) ON DELETE CASCADE,
  status      text NOT NULL CHECK (status IN ('online', 'away')),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX support_agent_connections_agent_idx ON support_agent_connections (agent_id);

-- A ticket is waiting while open and unassigned, assigned once an agent holds
-- it, and ends resolved (status solved) or handed back to the AI (closed).
ALTER TABLE support_tickets ADD COLUMN mode text NOT NULL DEFAULT 'ticket' CHECK (mode IN ('live_agent', 'ticket'));
ALTER TABLE support_tickets ADD COLUMN category text;
ALTER TABLE support_tickets ADD COLUMN summary text;
ALTER TABLE support_tickets ADD COLUMN assigned_agent_id text REFERENCES support_agents (id) ON DELETE SET NULL;
ALTER TABLE support_tickets ADD COLUMN assigned_at timestamptz;
ALTER TABLE support_tickets ADD COLUMN resolution text CHECK (resolution IN ('resolved', 'handed_back'));
ALTER TABLE support_tickets ADD COLUMN resolved_at timestamptz;
ALTER TABLE support_tickets ADD COLUMN resolved_by text REFERENCES support_agents (id) ON DELETE SET NULL;
CREATE INDEX support_tickets_queue_idx ON support_tickets (status, created_at);

-- Internal notes: agents only, never in the customer's history.
CREATE TABLE support_agent_notes (
  id          text PRIMARY KEY,
  session_id  text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  ticket_id   text REFERENCES support_tickets (id) ON DELETE SET NULL,
  agent_id    text NOT NULL REFERENCES support_agents (id) ON DELETE CASCADE,
  text        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_agent_notes_session_idx ON support_agent_notes (session_id, created_at);

-- Who wrote an agent message, and what a system message stands for
-- (handoff, agent_joined, resolved, handed_back), so that a reconnecting
-- client gets the same events from history as it would have live.
ALTER TABLE support_chat_messages ADD COLUMN agent_id text REFERENCES support_agents (id) ON DELETE SET NULL;
ALTER TABLE support_chat_messages ADD COLUMN kind text;
