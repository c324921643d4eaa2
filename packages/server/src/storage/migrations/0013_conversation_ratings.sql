-- The customer's end-of-chat rating (1-5, optional comment), one per conversation (rating again replaces
-- it), with who had handled the conversation by then: the AI alone, or a person too (CSAT split).
CREATE TABLE support_conversation_ratings (
  session_id  text PRIMARY KEY REFERENCES support_chat_sessions (id) ON DELETE CASCADE,
  score       integer NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment     text,
  handled_by  text NOT NULL CHECK (handled_by IN ('ai', 'human')),
  rated_at    timestamptz NOT NULL DEFAULT now()
);
