-- Per model call, for the analytics: time to first token, whether the tokens were counted by us (the
-- provider reported none), and the estimated cost in US dollars from the price table (null: no price known).
ALTER TABLE support_ai_interactions ADD COLUMN first_token_ms integer;
ALTER TABLE support_ai_interactions ADD COLUMN tokens_estimated boolean NOT NULL DEFAULT false;
ALTER TABLE support_ai_interactions ADD COLUMN cost_usd numeric(14, 6);
CREATE INDEX support_ai_interactions_time_idx ON support_ai_interactions (created_at);
-- What the call was for: a customer's reply, or a ticket's hand-over note (message_id holds the ticket then).
ALTER TABLE support_ai_interactions ADD COLUMN purpose text NOT NULL DEFAULT 'reply' CHECK (purpose IN ('reply', 'summary'));
