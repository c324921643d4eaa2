/**
 * Escalation triggers: pure functions over a customer message, table-tested.
 * They run before the model, so a customer who asks for a person gets one
 * whatever the provider would have said.
 */

export type EscalationTrigger = 'explicit_human_request';

// "Customer service" is left out on purpose: "how do I reach customer service?"
// is usually a question about channels and hours, which the assistant answers;
// a request for a person says "human", "agent", "someone" and the like.
const humanWords = String.raw`(?:a\s+)?(?:human(?:\s+being)?|real\s+person|person|someone|somebody|agent|representative|rep|operator|advisor|adviser|staff(?:\s+member)?|live\s+(?:agent|chat|person))`;

const explicitHumanRequest: RegExp[] = [
  // "I want to talk to a human", "can I speak with an agent", "let me chat to someone"
  new RegExp(String.raw`\b(?:talk|speak|chat|connect|transfer|put)\w*\s+(?:me\s+)?(?:to|with|through\s+to)\s+(?:an?\s+|the\s+|your\s+)?(?:actual\s+|real\s+|live\s+)?${humanWords}\b`, 'i'),
  // "human please", "agent!", "get me a human", "I need a real person"
  new RegExp(String.raw`^\s*(?:an?\s+)?(?:human|agent|representative|operator|real person)\s*(?:please|pls|now)?[.!]*\s*$`, 'i'),
  new RegExp(String.raw`\b(?:get|give|need|want|find)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:actual\s+|real\s+|live\s+)?(?:human(?:\s+being)?|real\s+person|live\s+agent|(?:human|live|real)\s+agent|representative|operator)\b`, 'i'),
  // "is there a human I can talk to", "are you a bot? I want a person"
  /\b(?:is\s+there|are\s+there)\s+(?:a|any)\s+(?:human|real\s+person|agent)s?\b/i,
  /\bstop\s+(?:being\s+)?(?:a\s+)?bot\b|\bno\s+(?:more\s+)?bots?\b/i,
];

// "How do I speak to the airline" or "agent fees" are not requests for our agent.
const notAHandoff: RegExp[] = [/\btravel\s+agent\b/i, /\b(?:airline|hotel|airport)\s+(?:staff|agent|desk)\b/i];

export function detectEscalationTrigger(text: string): EscalationTrigger | null {
  if (notAHandoff.some((pattern) => pattern.test(text))) return null;
  return explicitHumanRequest.some((pattern) => pattern.test(text)) ? 'explicit_human_request' : null;
}
