/**
 * The only reader of process.env. Every setting is validated at start-up and
 * all problems are reported at once, one line per variable, so a bad deploy
 * fails loudly before it serves anything. There is no skip switch.
 */
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().positive().max(max).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  REDIS_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
  ),
  HOST_JWT_SECRET: optionalNonEmpty.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  ADMIN_API_KEY: optionalNonEmpty.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  SESSION_TOKEN_TTL_SECONDS: positiveInt(900, 86_400),
  ALLOW_GUESTS: booleanFromEnv.default(true),
  DEMO_ENABLED: booleanFromEnv.default(true),
  MAX_MESSAGE_CHARS: positiveInt(4000, 4000),
  RATE_LIMIT_MESSAGES_PER_MINUTE: positiveInt(20, 10_000),
  RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: positiveInt(30, 10_000),
  TRUST_PROXY: booleanFromEnv.default(false),
  HOST_ADAPTER: z.enum(['demo', 'http']).default('demo'),
  HOST_API_BASE_URL: optionalNonEmpty.pipe(z.url().optional()),
  HOST_API_TOKEN: optionalNonEmpty,
  HOST_API_HMAC_SECRET: optionalNonEmpty.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  HOST_API_TIMEOUT_MS: positiveInt(3000, 60_000),
  HOST_API_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  AI_PROVIDER: z.enum(['local', 'openai', 'azure', 'openai-compatible']).default('local'),
  AI_MAX_TOOL_ROUNDS: positiveInt(4, 10),
  AI_TOOL_TIMEOUT_MS: positiveInt(5000, 60_000),
  AI_REQUEST_TIMEOUT_MS: positiveInt(60_000, 600_000),
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  ESCALATE_AFTER_FAILED_REPLIES: z.coerce.number().int().min(0).max(20).default(2),
  OPENAI_API_KEY: optionalNonEmpty,
  OPENAI_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  OPENAI_BASE_URL: optionalNonEmpty.pipe(z.url().optional()),
  AZURE_OPENAI_ENDPOINT: optionalNonEmpty.pipe(z.url().optional()),
  AZURE_OPENAI_API_KEY: optionalNonEmpty,
  AZURE_OPENAI_DEPLOYMENT: optionalNonEmpty,
  AZURE_OPENAI_API_VERSION: z.string().min(1).default('2024-10-21'),
  EMBEDDING_PROVIDER: z.enum(['local', 'openai', 'azure', 'openai-compatible']).default('local'),
  EMBEDDING_MODEL: optionalNonEmpty,
  AZURE_OPENAI_EMBEDDING_DEPLOYMENT: optionalNonEmpty,
  // pgvector's HNSW index takes at most 2000 dimensions.
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(2000).default(384),
});

type Env = z.infer<typeof envSchema>;

/** Every variable the service reads (.env.example must list them all). */
export const configVariableNames = Object.keys(envSchema.shape);

export type AiProviderConfig =
  | { kind: 'local' }
  | { kind: 'openai'; apiKey: string; model: string; baseURL: string | undefined }
  | { kind: 'openai-compatible'; apiKey: string; model: string; baseURL: string }
  | { kind: 'azure'; endpoint: string; apiKey: string; deployment: string; apiVersion: string };

export type HostAdapterConfig =
  | { kind: 'demo' }
  | { kind: 'http'; baseUrl: string; auth: { kind: 'bearer'; token: string } | { kind: 'hmac'; secret: string }; timeoutMs: number; retries: number };

/** Where knowledge-base embeddings come from; hosted ones reuse the chat provider's keys and endpoints. */
export type EmbeddingProviderConfig =
  | { kind: 'local' }
  | { kind: 'openai'; apiKey: string; model: string; baseURL: string | undefined }
  | { kind: 'openai-compatible'; apiKey: string; model: string; baseURL: string }
  | { kind: 'azure'; endpoint: string; apiKey: string; deployment: string; apiVersion: string };

const DEFAULT_HOSTED_EMBEDDING_MODEL = 'text-embedding-3-small';

export interface AppConfig {
  nodeEnv: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Undefined means "generate one at start" (only allowed with DEMO_ENABLED). */
  hostJwtSecret: string | undefined;
  /** Bearer key of the admin REST API; undefined turns the admin API off. */
  adminApiKey: string | undefined;
  sessionTokenTtlSeconds: number;
  allowGuests: boolean;
  demoEnabled: boolean;
  maxMessageChars: number;
  rateLimits: { messagesPerMinute: number; sessionsPerIpPerMinute: number };
  /** Behind a load balancer: take the client IP from X-Forwarded-For. */
  trustProxy: boolean;
  /** Where tools read bookings and wallets: the demo tables or the host's own API. */
  hostAdapter: HostAdapterConfig;
  ai: {
    provider: AiProviderConfig;
    maxToolRounds: number;
    toolTimeoutMs: number;
    requestTimeoutMs: number;
    maxRetries: number;
    /** Consecutive "don't know" or failed replies that hand the conversation to a human; 0 never. */
    escalateAfterFailedReplies: number;
  };
  embeddings: {
    provider: EmbeddingProviderConfig;
    dimensions: number;
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A setting some other setting makes mandatory; a missing one is reported (once per reason) and '' returned. */
function requirer(env: Env, problems: string[]) {
  return (name: keyof Env, why: string): string => {
    const value = env[name];
    if (typeof value !== 'string' || value === '') {
      problems.push(`${name}: required when ${why}`);
      return '';
    }
    return value;
  };
}

function providerConfig(env: Env, problems: string[]): AiProviderConfig {
  const require = requirer(env, problems);
  switch (env.AI_PROVIDER) {
    case 'local':
      return { kind: 'local' };
    case 'openai':
      return {
        kind: 'openai',
        apiKey: require('OPENAI_API_KEY', 'AI_PROVIDER=openai'),
        model: env.OPENAI_MODEL,
        baseURL: env.OPENAI_BASE_URL,
      };
    case 'openai-compatible':
      return {
        kind: 'openai-compatible',
        // Local servers (Ollama, vLLM, LM Studio) often need no key; the SDK insists on one.
        apiKey: env.OPENAI_API_KEY ?? 'not-needed',
        model: env.OPENAI_MODEL,
        baseURL: require('OPENAI_BASE_URL', 'AI_PROVIDER=openai-compatible'),
      };
    case 'azure':
      return {
        kind: 'azure',
        endpoint: require('AZURE_OPENAI_ENDPOINT', 'AI_PROVIDER=azure'),
        apiKey: require('AZURE_OPENAI_API_KEY', 'AI_PROVIDER=azure'),
        deployment: require('AZURE_OPENAI_DEPLOYMENT', 'AI_PROVIDER=azure'),
        apiVersion: env.AZURE_OPENAI_API_VERSION,
      };
  }
}

function hostAdapterConfig(env: Env, problems: string[]): HostAdapterConfig {
  if (env.HOST_ADAPTER === 'demo') return { kind: 'demo' };
  if (!env.HOST_API_BASE_URL) problems.push('HOST_API_BASE_URL: required when HOST_ADAPTER=http');
  if (!env.HOST_API_HMAC_SECRET && !env.HOST_API_TOKEN) {
    problems.push('HOST_API_HMAC_SECRET: required when HOST_ADAPTER=http (or set HOST_API_TOKEN for bearer auth)');
  }
  return {
    kind: 'http',
    baseUrl: env.HOST_API_BASE_URL ?? '',
    // HMAC wins when both are set: it also binds the request body and time.
    auth: env.HOST_API_HMAC_SECRET ? { kind: 'hmac', secret: env.HOST_API_HMAC_SECRET } : { kind: 'bearer', token: env.HOST_API_TOKEN ?? '' },
    timeoutMs: env.HOST_API_TIMEOUT_MS,
    retries: env.HOST_API_RETRIES,
  };
}

function embeddingProviderConfig(env: Env, problems: string[]): EmbeddingProviderConfig {
  // Both providers may need the same key; it is reported once, for the chat provider.
  const require = requirer(env, env.AI_PROVIDER === env.EMBEDDING_PROVIDER ? [] : problems);
  const model = env.EMBEDDING_MODEL ?? DEFAULT_HOSTED_EMBEDDING_MODEL;
  switch (env.EMBEDDING_PROVIDER) {
    case 'local':
      return { kind: 'local' };
    case 'openai':
      return { kind: 'openai', apiKey: require('OPENAI_API_KEY', 'EMBEDDING_PROVIDER=openai'), model, baseURL: env.OPENAI_BASE_URL };
    case 'openai-compatible':
      return {
        kind: 'openai-compatible',
        apiKey: env.OPENAI_API_KEY ?? 'not-needed',
        model,
        baseURL: require('OPENAI_BASE_URL', 'EMBEDDING_PROVIDER=openai-compatible'),
      };
    case 'azure':
      return {
        kind: 'azure',
        endpoint: require('AZURE_OPENAI_ENDPOINT', 'EMBEDDING_PROVIDER=azure'),
        apiKey: require('AZURE_OPENAI_API_KEY', 'EMBEDDING_PROVIDER=azure'),
        // Never the chat deployment: a chat model cannot embed.
        deployment: requirer(env, problems)('AZURE_OPENAI_EMBEDDING_DEPLOYMENT', 'EMBEDDING_PROVIDER=azure'),
        apiVersion: env.AZURE_OPENAI_API_VERSION,
      };
  }
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const raw = source[String(issue.path[0])];
      // Never echo a secret's value back; for the others the value helps.
      const shown = raw === undefined || /KEY|SECRET|PASSWORD|URL/.test(name) ? '' : ` (got "${raw}")`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const problems: string[] = [];
  const provider = providerConfig(env, problems);
  const embeddingProvider = embeddingProviderConfig(env, problems);
  const hostAdapter = hostAdapterConfig(env, problems);
  if (!env.HOST_JWT_SECRET && !env.DEMO_ENABLED) {
    problems.push('HOST_JWT_SECRET: required when DEMO_ENABLED=false (the host application signs customer tokens with it)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    hostJwtSecret: env.HOST_JWT_SECRET,
    adminApiKey: env.ADMIN_API_KEY,
    sessionTokenTtlSeconds: env.SESSION_TOKEN_TTL_SECONDS,
    allowGuests: env.ALLOW_GUESTS,
    demoEnabled: env.DEMO_ENABLED,
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    rateLimits: { messagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE, sessionsPerIpPerMinute: env.RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE },
    trustProxy: env.TRUST_PROXY,
    hostAdapter,
    ai: {
      provider,
      maxToolRounds: env.AI_MAX_TOOL_ROUNDS,
      toolTimeoutMs: env.AI_TOOL_TIMEOUT_MS,
      requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
      maxRetries: env.AI_MAX_RETRIES,
      escalateAfterFailedReplies: env.ESCALATE_AFTER_FAILED_REPLIES,
    },
    embeddings: { provider: embeddingProvider, dimensions: env.EMBEDDING_DIMENSIONS },
  };
}
