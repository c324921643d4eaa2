import type { AppConfig } from '../config.js';
import { createChatModel, type ChainResilience } from './create-chat-model.js';
import type { ChatModel } from './model-port.js';
import { createLocalChatModel } from './providers/local-chat-model.js';

/** Which model answers, as the admin settings say: the configured provider (its model or another by name), or the offline one. */
export interface ModelChoice {
  use: 'configured' | 'local';
  /** Another model of the configured provider (an Azure deployment name for Azure); null: the configured one. */
  name: string | null;
}

/**
 * The chat model for the choice in force. Keys and endpoints stay in the
 * environment: an operator picks between the configured provider and the
 * offline local model, and may name another model of that provider; the
 * adapters are made once per choice and kept. With AI_PROVIDER_CHAIN the
 * name is the first provider's model: the providers after it keep theirs
 * (their own variables say which), and the breakers are the same.
 */
export class ModelSelector {
  private readonly made = new Map<string, ChatModel>();

  constructor(
    private readonly configured: ChatModel,
    private readonly ai: AppConfig['ai'],
    private readonly resilience: ChainResilience,
  ) {}

  modelFor(choice: ModelChoice): ChatModel {
    if (choice.use === 'local') return this.cached('local', () => createLocalChatModel());
    const [provider, ...rest] = this.ai.chain;
    if (choice.name === null || provider.kind === 'local' || choice.name === this.configured.model) return this.configured;
    const name = choice.name;
    const renamed = provider.kind === 'azure' ? { ...provider, deployment: name } : { ...provider, model: name };
    return this.cached(`configured:${name}`, () => createChatModel({ ...this.ai, provider: renamed, chain: [renamed, ...rest] }, this.resilience));
  }

  private cached(key: string, make: () => ChatModel): ChatModel {
    let model = this.made.get(key);
    if (!model) {
      model = make();
      this.made.set(key, model);
    }
    return model;
  }
}
