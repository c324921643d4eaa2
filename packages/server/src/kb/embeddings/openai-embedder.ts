/**
 * Embeddings through the official SDK: OpenAI, Azure OpenAI and any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio...). Clients and error
 * mapping are the chat adapter's, so a rate limit or an outage fails the same
 * way (ModelProviderError with ai_rate_limited, ai_unavailable, ...).
 */
import { z } from 'zod';
import type { OpenAI } from 'openai';
import { ModelProviderError } from '../../errors/app-error.js';
import { callWithRetries, createAzureClient, createOpenAIClient, retryPolicy } from '../../ai/providers/openai-client.js';
import type { AzureClientOptions, OpenAIClientOptions, RetryPolicy } from '../../ai/providers/openai-client.js';
import { l2Normalise } from './vector-codec.js';
import type { Embedder } from './embedder.js';

interface EmbedderSettings {
  dimensions: number;
  /** Texts per request: large batches are cheaper, but one failure retries the whole batch. */
  batchSize?: number;
}

export type OpenAIEmbedderOptions = OpenAIClientOptions & EmbedderSettings & { model: string };
export type AzureEmbedderOptions = AzureClientOptions & EmbedderSettings;

const DEFAULT_BATCH_SIZE = 96;

export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  return new SdkEmbedder(createOpenAIClient(options), {
    provider: options.provider,
    model: options.model,
    dimensions: options.dimensions,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    // The SDK asks for base64 unless told otherwise; compatible servers often only send floats.
    encodingFormat: options.provider === 'openai' ? undefined : 'float',
    retries: retryPolicy(options),
  });
}

export function createAzureEmbedder(options: AzureEmbedderOptions): Embedder {
  return new SdkEmbedder(createAzureClient(options), {
    provider: 'azure',
    // Azure routes by deployment; the body's model is informational.
    model: options.deployment,
    dimensions: options.dimensions,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    encodingFormat: undefined,
    retries: retryPolicy(options),
  });
}

// The SDK has already decoded base64 into numbers; whatever the server sent is still checked.
const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

interface SdkEmbedderSettings {
  provider: string;
  model: string;
  dimensions: number;
  batchSize: number;
  encodingFormat: 'float' | undefined;
  retries: RetryPolicy;
}

class SdkEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly client: OpenAI,
    private readonly settings: SdkEmbedderSettings,
  ) {
    // Provider and size are part of the identity: the same model name elsewhere, or cut to another size, is another vector space.
    this.model = `${settings.provider}:${settings.model}:${settings.dimensions}`;
    this.dimensions = settings.dimensions;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.settings.batchSize), signal)));
    }
    return vectors;
  }

  private async embedBatch(texts: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const { provider } = this.settings;
    // Retries (Retry-After included) stay within the call's budget; errors come back translated.
    const raw: unknown = await callWithRetries(provider, this.settings.retries, signal, (timeout) =>
      this.client.embeddings.create(
        {
          model: this.settings.model,
          // The API refuses empty strings; a blank text embeds like a space.
          input: texts.map((text) => (text.trim() === '' ? ' ' : text)),
          dimensions: this.settings.dimensions,
          ...(this.settings.encodingFormat ? { encoding_format: this.settings.encodingFormat } : {}),
        },
        { timeout, ...(signal === undefined ? {} : { signal }) },
      ),
    );
    const parsed = responseSchema.safeParse(raw);
    const byIndex = parsed.success ? [...parsed.data.data].sort((a, b) => a.index - b.index) : [];
    if (!parsed.success || byIndex.length !== texts.length || byIndex.some((item, position) => item.index !== position)) {
      throw new ModelProviderError(provider, 'ai_bad_response', `${provider} sent a malformed embeddings response`, {
        cause: parsed.success ? undefined : parsed.error,
      });
    }
    return byIndex.map((item) => {
      if (item.embedding.length !== this.dimensions) {
        // Models with a fixed size ignore `dimensions`; the stored vectors must all have one size.
        throw new ModelProviderError(
          provider,
          'ai_misconfigured',
          `${provider} returned ${item.embedding.length}-dimensional embeddings, but EMBEDDING_DIMENSIONS is ${this.dimensions}`,
        );
      }
      return l2Normalise(item.embedding);
    });
  }
}
