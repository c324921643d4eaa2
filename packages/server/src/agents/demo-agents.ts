import type { Queryable } from '../storage/database.js';
import { AgentAccounts } from './agent-accounts.js';

/** The demo's support team (README lists them beside the demo customers). Demo mode only. */
export const DEMO_AGENT_PASSWORD = 'skyway-demo-agent';
export const DEMO_AGENTS = [
  { email: 'maya@agents.skyway.example', name: 'Maya Chen', role: 'agent' },
  { email: 'sam@agents.skyway.example', name: 'Sam Rivera', role: 'admin' },
] as const;

/** Adds the demo agents that are missing; an existing account (its password too) is left as it is. */
export async function seedDemoAgents(tx: Queryable): Promise<void> {
  const accounts = new AgentAccounts(tx);
  for (const agent of DEMO_AGENTS) {
    if (await accounts.findByEmail(agent.email)) continue;
    await accounts.create({ ...agent, password: DEMO_AGENT_PASSWORD });
  }
}
