-- Durable turns. A customer message that awaits the AI's reply is recorded
-- here in the transaction that stores the message, and removed in the one
-- that stores the reply: a node that dies mid-reply leaves the row behind,
-- and another node (or the restarted embedded process) answers it.
CREATE TABLE support_pending_replies (
  message_id   text PRIMARY KEY REFERENCES support_chat_messages (id) ON DELETE CASCADE,
  session_id   text NOT NULL REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  attempts     integer NOT NULL DEFAULT 0,   -- times a node started answering it (a crash loop ends in an apology)
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_pending_replies_session_idx ON support_pending_replies (session_id, created_at);

-- Who is answering a session's messages, until when. One holder per session
-- keeps its replies in order, each seeing the one before; the holder renews
-- the lease while it writes, and a lease that is not renewed runs out, so a
-- dead node's sessions are taken over. Times are the database's clock: the
-- one clock every node shares.
CREATE TABLE support_reply_leases (
  session_id   text PRIMARY KEY REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  owner        text NOT NULL,
  expires_at   timestamptz NOT NULL
);
