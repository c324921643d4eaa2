import type { AiProviderConfig, AppConfig } from '../config.js';
import type { ProviderBreakers } from './circuit-breaker.js';
import type { ChatModel } from './model-port.js';
import { ProviderChain, type Failover } from './provider-chain.js';
import { createLocalChatModel } from './providers/local-chat-model.js';
import { createAzureChatModel, createOpenAIChatModel } from './providers/openai-chat-model.js';

/** What every chain built from the configuration shares: one breaker per provider, and who hears of a failover. */
export interface ChainResilience {
  breakers: ProviderBreakers;
  onFailover?: (failover: Failover) => void;
}

/**
 * AI_PROVIDER_CHAIN (or AI_PROVIDER alone) → the model the service answers
 * with: the providers in order, each behind its breaker. A single provider is
 * a chain of one: it answers as it always did, and fails fast while its
 * breaker is open.
 */
export function createChatModel(ai: AppConfig['ai'], resilience: ChainResilience): ChatModel {
  const members = ai.chain.map((provider) => ({ model: createProviderModel(provider, ai), breaker: resilience.breakers.for(provider.kind) }));
  return new ProviderChain(members, { firstEventTimeoutMs: ai.firstTokenTimeoutMs, ...(resilience.onFailover ? { onFailover: resilience.onFailover } : {}) });
}

/** One provider's configuration → the adapter behind the model port. */
function createProviderModel(provider: AiProviderConfig, ai: AppConfig['ai']): ChatModel {
  const common = { maxRetries: ai.maxRetries, timeoutMs: ai.requestTimeoutMs };
  switch (provider.kind) {
    case 'local':
      return createLocalChatModel();
    case 'openai':
      return createOpenAIChatModel({ provider: 'openai', apiKey: provider.apiKey, model: provider.model, ...(provider.baseURL ? { baseURL: provider.baseURL } : {}), ...common });
    case 'openai-compatible':
      return createOpenAIChatModel({ provider: 'openai-compatible', apiKey: provider.apiKey, model: provider.model, baseURL: provider.baseURL, ...common });
    case 'azure':
      return createAzureChatModel({ endpoint: provider.endpoint, apiKey: provider.apiKey, deployment: provider.deployment, apiVersion: provider.apiVersion, ...common });
  }
}
