import { AppError } from '../errors/app-error.js';
import type { AgentDesk } from './agent-desk.js';
import type { AgentPresence } from './agent-presence.js';
import type { BusinessHours } from './business-hours.js';

/** However long the queue, one offer assigns at most this many (an agent's cap is far lower). */
const MAX_ASSIGNMENTS_PER_OFFER = 50;

/**
 * Customers who wait in the live queue because every agent was at their cap
 * (or nobody was online yet) are not left waiting once an agent can take
 * them: when an agent comes online or frees a slot (resolve, hand-back), the
 * longest-waiting live chats, highest priority first, are assigned to them
 * while they stay under their cap. Claim's own lock settles a race with
 * another agent's offer: a chat taken meanwhile is skipped. Ticket-mode
 * handoffs (made out of hours or with nobody online) stay for agents to pick.
 */
export class QueueDrain {
  constructor(
    private readonly deps: {
      desk: Pick<AgentDesk, 'nextWaitingLiveChat' | 'claim'>;
      presence: Pick<AgentPresence, 'onlineAgents'>;
      /** The opening hours in force (admin settings can change them at run time). */
      hours: () => Promise<BusinessHours>;
      autoAssign: boolean;
      now: () => Date;
      onError: (error: unknown) => void;
    },
  ) {}

  /** Fire and forget: a failure is reported, never the caller's. */
  offer(agentId: string): void {
    this.offerNow(agentId).catch(this.deps.onError);
  }

  /** Resolves with how many chats were assigned to the agent. */
  async offerNow(agentId: string): Promise<number> {
    const { desk, presence } = this.deps;
    if (!this.deps.autoAssign || !(await this.deps.hours()).isOpen(this.deps.now())) return 0;
    let assigned = 0;
    const skipped = new Set<string>();
    for (let round = 0; round < MAX_ASSIGNMENTS_PER_OFFER; round += 1) {
      const agent = (await presence.onlineAgents()).find((candidate) => candidate.id === agentId);
      if (!agent || agent.activeChats >= agent.maxChats) break;
      const sessionId = await desk.nextWaitingLiveChat();
      if (!sessionId || skipped.has(sessionId)) break;
      try {
        await desk.claim(agent, sessionId);
        assigned += 1;
      } catch (error) {
        // Taken by another agent (or closed) between the look and the claim: look again.
        if (!(error instanceof AppError) || (error.code !== 'already_claimed' && error.code !== 'no_open_handoff')) throw error;
        skipped.add(sessionId);
      }
    }
    return assigned;
  }
}
