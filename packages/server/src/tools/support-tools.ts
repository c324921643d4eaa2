import type { PendingActions } from '../conversation/pending-actions.js';
import type { SessionStore } from '../conversation/session-store.js';
import type { EscalationService } from '../escalation/escalation-service.js';
import type { KnowledgeRetriever } from '../kb/retriever.js';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { createCreateTicketTool } from './create-ticket.js';
import type { Tool } from './define-tool.js';
import { createGetWalletBalanceTool } from './get-wallet-balance.js';
import { createListMyBookingsTool } from './list-my-bookings.js';
import { createLookupBookingTool } from './lookup-booking.js';
import { createRequestBookingCancellationTool } from './request-booking-cancellation.js';
import { createRequestBookingChangeTool } from './request-booking-change.js';
import { createSearchKnowledgeBaseTool } from './search-knowledge-base.js';

export interface SupportToolDeps {
  retriever: KnowledgeRetriever;
  hostData: HostDataAdapter;
  escalation: EscalationService;
  sessions: SessionStore;
  pendingActions: PendingActions;
}

/**
 * The explicit registry of the assistant's tools. A new tool is one file
 * (defineTool) and one line here; the runtime does the rest.
 */
export function createSupportTools(deps: SupportToolDeps): Array<Tool<unknown>> {
  return [
    createSearchKnowledgeBaseTool({ retriever: deps.retriever }),
    createLookupBookingTool({ hostData: deps.hostData }),
    createListMyBookingsTool({ hostData: deps.hostData }),
    createGetWalletBalanceTool({ hostData: deps.hostData }),
    createCreateTicketTool({ escalation: deps.escalation, sessions: deps.sessions }),
    createRequestBookingCancellationTool({ hostData: deps.hostData, pendingActions: deps.pendingActions }),
    createRequestBookingChangeTool({ hostData: deps.hostData, pendingActions: deps.pendingActions }),
  ];
}
