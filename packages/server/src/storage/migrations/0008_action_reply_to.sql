-- The customer message whose reply proposed an action (like reply_to_id on
-- support_chat_messages), so that a client without local state (another
-- browser, a fresh tab) places the confirmation card after that reply, from
-- the history or on a reconnect. Null for proposals stored before it was
-- recorded, and for one made outside a reply to a customer message.
ALTER TABLE support_pending_actions ADD COLUMN reply_to_message_id text;
