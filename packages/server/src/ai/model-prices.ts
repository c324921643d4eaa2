import { z } from 'zod';
import type { TokenUsage } from './model-port.js';

/** US dollars per million tokens, prompt (input) and completion (output). */
export const modelPriceSchema = z.strictObject({ inputPerMillion: z.number().min(0).max(10_000), outputPerMillion: z.number().min(0).max(10_000) });
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export const modelPricesSchema = z.record(z.string().min(1).max(200), modelPriceSchema);
export type ModelPrices = z.infer<typeof modelPricesSchema>;

/**
 * List prices of the OpenAI models this service is usually run with (per
 * million tokens, standard tier, as published by OpenAI in 2025). A
 * deployment with other models or negotiated prices sets MODEL_PRICES; its
 * entries replace these by model name (an Azure deployment is priced by
 * its deployment name). The local provider costs nothing.
 */
export const DEFAULT_MODEL_PRICES: ModelPrices = {
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
};

/** What a call cost in US dollars; null when the model has no price (shown as unknown, not as free). */
export function costOf(prices: ModelPrices, provider: string, model: string, usage: TokenUsage): number | null {
  if (provider === 'local') return 0;
  const price = prices[model];
  if (!price) return null;
  return (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1_000_000;
}
