/**
 * The embedding port. Offline (hashed features, no download) by default;
 * OpenAI, Azure OpenAI and OpenAI-compatible embeddings through the SDK.
 * Vectors are L2-normalised, so cosine similarity is a dot product.
 */
export interface Embedder {
  /** Stored with every vector, so a model change is detected and re-embedded. */
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, same order. */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}
