import type { ModelMessage, ToolDefinition } from '../packages/server/src/ai/model-port.js';
import type { IntentClassifier } from '../packages/server/src/ai/providers/local/intent-classifier.js';
import { decideLocalTurn, type LocalDecision } from '../packages/server/src/ai/providers/local/local-decision.js';

/**
 * The local provider's first step for a conversation, through the same
 * decision function its ChatModel streams from. The tools are those a
 * signed-in customer is offered; the local provider reads only their names.
 */
const CUSTOMER_TOOL_NAMES = ['search_knowledge_base', 'list_my_bookings', 'lookup_booking', 'get_wallet_balance', 'create_ticket'];
const customerTools: ToolDefinition[] = CUSTOMER_TOOL_NAMES.map((name) => ({ name, description: name, parameters: { type: 'object' } }));

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export function decideForConversation(classifier: IntentClassifier, turns: Turn[]): LocalDecision {
  const messages: ModelMessage[] = [
    // The local provider does not read the system prompt; a placeholder keeps the request's shape.
    { role: 'system', content: 'You are the virtual support assistant of Skyway Travel.' },
    ...turns.map((turn): ModelMessage => ({ role: turn.role, content: turn.text })),
  ];
  return decideLocalTurn({ messages, tools: customerTools }, classifier);
}
