import type { OpenAI } from 'openai';
import type { AppConfig } from '../../config.js';
import { createAzureClient, createOpenAIClient } from '../../ai/providers/openai-client.js';

/**
 * The provider's moderation endpoint (`omni-moderation-latest`) through the
 * official SDK, for OpenAI and Azure OpenAI. One call per reply, on the whole
 * text, bounded by the policy's timeout: past it, or when the endpoint
 * fails, the caller keeps the local rules' verdict and counts the miss.
 */
export const MODERATION_MODEL = 'omni-moderation-latest';

export interface ProviderModerationVerdict {
  flagged: boolean;
  /** The flagged categories ("harassment", "self-harm/instructions", …). */
  categories: string[];
}

export interface ProviderModeration {
  readonly provider: string;
  moderate(text: string, timeoutMs: number): Promise<ProviderModerationVerdict>;
}

export function createProviderModeration(provider: string, client: OpenAI): ProviderModeration {
  return {
    provider,
    async moderate(text, timeoutMs) {
      const response = await client.moderations.create({ model: MODERATION_MODEL, input: text }, { timeout: timeoutMs, maxRetries: 0, signal: AbortSignal.timeout(timeoutMs) });
      const flaggedCategories = new Set<string>();
      let flagged = false;
      for (const result of response.results) {
        if (!result.flagged) continue;
        flagged = true;
        for (const [category, on] of Object.entries(result.categories)) if (on) flaggedCategories.add(category);
      }
      return { flagged, categories: [...flaggedCategories] };
    },
  };
}

/** OpenAI and Azure OpenAI have the endpoint; for the local and OpenAI-compatible providers the local rules moderate alone. */
export function createModerationFromConfig(ai: AppConfig['ai']): ProviderModeration | null {
  const provider = ai.provider;
  switch (provider.kind) {
    case 'openai':
      return createProviderModeration('openai', createOpenAIClient({ provider: 'openai', apiKey: provider.apiKey, ...(provider.baseURL ? { baseURL: provider.baseURL } : {}), maxRetries: 0 }));
    case 'azure':
      return createProviderModeration(
        'azure',
        createAzureClient({ endpoint: provider.endpoint, apiKey: provider.apiKey, deployment: provider.deployment, apiVersion: provider.apiVersion, maxRetries: 0 }),
      );
    case 'local':
    case 'openai-compatible':
      return null;
  }
}
