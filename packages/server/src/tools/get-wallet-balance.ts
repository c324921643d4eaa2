import { z } from 'zod';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { defineTool, toolRefusal } from './define-tool.js';

export function createGetWalletBalanceTool(deps: { hostData: HostDataAdapter }) {
  return defineTool({
    name: 'get_wallet_balance',
    description: "The signed-in customer's own Skyway Wallet balance and currency. Takes no arguments: it always reads the caller's wallet.",
    // Deliberately no customer id argument: the wallet is always the caller's.
    parameters: z.object({}).strip(),
    roles: ['customer'],
    rateLimit: { points: 20, durationSeconds: 60 },
    async execute(_args, context) {
      if (context.identity.kind !== 'customer') return toolRefusal('sign_in_required', 'The customer is not signed in.');
      const wallet = await deps.hostData.getWallet(context.identity.customerId);
      if (!wallet) return toolRefusal('wallet_not_found', 'This customer has no wallet yet.');
      return { ok: true, data: { wallet } };
    },
  });
}
