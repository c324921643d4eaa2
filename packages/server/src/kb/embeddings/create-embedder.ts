import type { AppConfig } from '../../config.js';
import type { Embedder } from './embedder.js';
import { createHashedFeaturesEmbedder } from './hashed-features-embedder.js';
import { createAzureEmbedder, createOpenAIEmbedder } from './openai-embedder.js';

/** EMBEDDING_PROVIDER → the adapter behind the embedding port. */
export function createEmbedder(config: AppConfig): Embedder {
  const { provider, dimensions } = config.embeddings;
  const common = { dimensions, maxRetries: config.ai.maxRetries, timeoutMs: config.ai.requestTimeoutMs };
  switch (provider.kind) {
    case 'local':
      return createHashedFeaturesEmbedder({ dimensions });
    case 'openai':
      return createOpenAIEmbedder({ provider: 'openai', apiKey: provider.apiKey, model: provider.model, ...(provider.baseURL ? { baseURL: provider.baseURL } : {}), ...common });
    case 'openai-compatible':
      return createOpenAIEmbedder({ provider: 'openai-compatible', apiKey: provider.apiKey, model: provider.model, baseURL: provider.baseURL, ...common });
    case 'azure':
      return createAzureEmbedder({ endpoint: provider.endpoint, apiKey: provider.apiKey, deployment: provider.deployment, apiVersion: provider.apiVersion, ...common });
  }
}
