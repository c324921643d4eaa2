-- What operators change about the assistant at run time (company name, persona, instructions, the kill
-- switch), in versions: the highest is in force. Same shape as support_guardrail_policies.
CREATE TABLE support_assistant_settings (
  version     integer PRIMARY KEY,
  settings    jsonb NOT NULL,
  updated_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
