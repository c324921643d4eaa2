import type { AgentPresence, AvailableAgent } from './agent-presence.js';
import type { BusinessHours } from './business-hours.js';

export interface HandoffPlan {
  mode: 'live_agent' | 'ticket';
  /** The least-busy online agent under their cap, when auto-assignment is on. */
  assignee: AvailableAgent | null;
  /** What the customer is told, honestly: who answers, and when. */
  notice(ticketId: string): string;
}

/**
 * Where a handoff goes. Inside business hours with an agent online it is a
 * live chat, assigned at once to the least-busy online agent under their cap
 * (or left in the queue when everyone is at their cap, or when agents claim by
 * hand); otherwise it becomes a ticket that an agent answers later, in the
 * same conversation.
 */
export class HandoffRouting {
  constructor(
    /** `hours`: the opening hours in force (admin settings can change them at run time). */
    private readonly deps: { presence: AgentPresence; hours: () => Promise<BusinessHours>; autoAssign: boolean; now: () => Date },
  ) {}

  async plan(): Promise<HandoffPlan> {
    const now = this.deps.now();
    const hours = await this.deps.hours();
    if (!hours.isOpen(now)) {
      const next = hours.nextOpening(now);
      const back = next ? ` They're back ${formatOpening(next, hours.timeZone)}.` : '';
      return {
        mode: 'ticket',
        assignee: null,
        notice: (ticketId) =>
          `Our support team is away right now (we're here ${hours.describe()}).${back} I've opened ticket ${ticketId} for you: an agent will reply in this conversation, and you'll see the answer here when you come back. You can add details meanwhile.`,
      };
    }
    const online = await this.deps.presence.onlineAgents();
    if (online.length === 0) {
      return {
        mode: 'ticket',
        assignee: null,
        notice: (ticketId) =>
          `No agent is free to chat at the moment, so I've opened ticket ${ticketId} for you. An agent will reply in this conversation, usually within one business day, and you'll see the answer here when you come back. You can add details meanwhile.`,
      };
    }
    const free = online.filter((agent) => agent.activeChats < agent.maxChats).sort((a, b) => a.activeChats - b.activeChats || a.name.localeCompare(b.name));
    const assignee = this.deps.autoAssign ? (free[0] ?? null) : null;
    if (free.length === 0) {
      return {
        mode: 'live_agent',
        assignee: null,
        notice: (ticketId) => `All our agents are helping other customers right now. You're in the queue (ticket ${ticketId}), and the next free agent will reply here. You can keep writing meanwhile.`,
      };
    }
    return {
      mode: 'live_agent',
      assignee,
      notice: (ticketId) => `I'm connecting you with our support team (ticket ${ticketId}). An agent will be with you here in a moment; you can keep writing meanwhile.`,
    };
  }

}

function formatOpening(at: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${format.format(at)} (${timeZone})`;
}
