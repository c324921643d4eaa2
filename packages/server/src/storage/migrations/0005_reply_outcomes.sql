-- How each assistant reply went: 'answered', 'dont_know' (no good source, a
-- human was offered) or 'fallback' (the model failed). Repeated failures in a
-- row hand the conversation to a human.
ALTER TABLE support_chat_messages ADD COLUMN outcome text
  CHECK (outcome IS NULL OR outcome IN ('answered', 'dont_know', 'fallback'));
