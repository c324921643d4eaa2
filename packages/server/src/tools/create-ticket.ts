import { z } from 'zod';
import type { EscalationService } from '../escalation/escalation-service.js';
import type { SessionStore } from '../conversation/session-store.js';
import { defineTool, toolRefusal } from './define-tool.js';

export function createCreateTicketTool(deps: { escalation: EscalationService; sessions: SessionStore }) {
  return defineTool({
    name: 'create_ticket',
    description:
      'Hand the conversation to a human support agent by opening a ticket. Use it when the customer asks for a person, when you cannot help, or when the request needs a human decision (complaints, exceptions, safety). Returns the ticket id to tell the customer.',
    parameters: z.object({
      subject: z.string().trim().min(3).max(200).describe('One line for the agent, e.g. "Refund not received for SKY4F2".'),
      reason: z.string().trim().max(1000).optional().describe('Why a human is needed, in a sentence or two.'),
    }),
    roles: ['guest', 'customer'],
    rateLimit: { points: 5, durationSeconds: 3600 },
    async execute(args, context) {
      const session = await deps.sessions.findById(context.sessionId);
      if (!session) return toolRefusal('session_not_found', 'The conversation no longer exists.');
      const outcome = await deps.escalation.escalate(session, { source: 'ai_tool', subject: args.subject, reason: args.reason });
      return { ok: true, data: { ticketId: outcome.ticketId, mode: outcome.mode, alreadyOpen: !outcome.created } };
    },
  });
}
