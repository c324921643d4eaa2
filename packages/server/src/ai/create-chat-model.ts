import type { AppConfig } from '../config.js';
import type { ChatModel } from './model-port.js';
import { createLocalChatModel } from './providers/local-chat-model.js';
import { createAzureChatModel, createOpenAIChatModel } from './providers/openai-chat-model.js';

/** AI_PROVIDER → the adapter behind the model port. */
export function createChatModel(ai: AppConfig['ai']): ChatModel {
  const provider = ai.provider;
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
