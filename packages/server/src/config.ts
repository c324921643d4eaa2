/**
 * The only reader of process.env. Every setting is validated at start-up and
 * all problems are reported at once, one line per variable, so a bad deploy
 * fails loudly before it serves anything. There is no skip switch.
 */
import { TRIGGER_NAMES, type HandoffTriggerConfig } from './escalation/handoff-triggers.js';
import { DEFAULT_SENTIMENT_TRIGGER } from './escalation/sentiment-trigger.js';
import type { HandoffWebhookConfig } from './notifications/handoff-webhook.js';
import { isIP } from 'node:net';
import { BusinessHours, BusinessHoursError } from './agents/business-hours.js';
import { z } from 'zod';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { guardrailPolicySchema, type GuardrailPolicy } from './guardrails/guardrail-policy.js';
import { DEFAULT_PHONE_REGIONS } from './guardrails/pii/phones.js';
import { DEFAULT_MODEL_PRICES, modelPricesSchema, type ModelPrices } from './ai/model-prices.js';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().positive().max(max).default(fallback);

/** Loopback unless HOST says otherwise: a demo is for the machine it runs on. */
const DEMO_DEFAULT_HOST = '127.0.0.1';
const SERVER_DEFAULT_HOST = '0.0.0.0';

/** Most proxies a request can have passed through, for TRUST_PROXY's hop count. */
const MAX_PROXY_HOPS = 10;
/** Names @fastify/proxy-addr knows for whole address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Who may set X-Forwarded-For: nobody (false), the nearest N hops, or the
 * proxies at these addresses/CIDRs. `true` (every hop) is refused: with it
 * the left-most entry, which any client writes, becomes the client IP.
 */
export type TrustProxySetting = false | { hops: number } | { addresses: string[] };

function isAddressOrRange(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const suffix = entry.slice(slash + 1);
  // A prefix length, or (IPv4) a dotted netmask as proxy-addr accepts it.
  if (/^\d{1,3}$/.test(suffix)) return Number(suffix) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(suffix) === 4;
}

const trustProxyFromEnv = z
  .string()
  .optional()
  .transform((raw, context): TrustProxySetting => {
    const value = (raw ?? '').trim().toLowerCase();
    if (value === '' || value === 'false' || value === 'no' || value === '0') return false;
    if (value === 'true' || value === 'yes') {
      context.addIssue({
        code: 'custom',
        message:
          'true is refused: it trusts every X-Forwarded-For entry, so any client picks its own IP; give the number of proxies in front of the service (e.g. 1) or their addresses (e.g. 10.0.0.0/8,127.0.0.1)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > MAX_PROXY_HOPS) {
        context.addIssue({ code: 'custom', message: `must be false, a hop count from 1 to ${MAX_PROXY_HOPS}, or a comma-separated list of addresses/CIDRs` });
        return z.NEVER;
      }
      return { hops };
    }
    const addresses = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const bad = addresses.filter((entry) => !isAddressOrRange(entry));
    if (addresses.length === 0 || bad.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `must be false, a hop count (e.g. 1) or a comma-separated list of addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)${bad.length > 0 ? `; not an address or CIDR: ${bad.join(', ')}` : ''}`,
      });
      return z.NEVER;
    }
    return { addresses };
  });

/**
 * Which web pages may use the customer chat API and socket from a browser
 * (ALLOWED_ORIGINS): any (`*`, demo and development only) or these origins.
 */
export type AllowedOrigins = { kind: 'any' } | { kind: 'list'; origins: string[] };

const allowedOriginsFromEnv = z
  .string()
  .optional()
  .transform((raw, context): AllowedOrigins | undefined => {
    const entries = (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    // Unset: decided in loadConfig (permissive outside production, refused in it).
    if (entries.length === 0) return undefined;
    if (entries.includes('*')) {
      if (entries.length === 1) return { kind: 'any' };
      context.addIssue({ code: 'custom', message: 'use * alone (any origin) or a comma-separated list of origins, not both' });
      return z.NEVER;
    }
    const origins: string[] = [];
    const bad: string[] = [];
    for (const entry of entries) {
      const origin = originOf(entry);
      if (origin === null) bad.push(entry);
      else if (!origins.includes(origin)) origins.push(origin);
    }
    if (bad.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `each entry must be an origin: scheme, host and optional port, no path or wildcard (e.g. https://www.skyway.example,https://m.skyway.example); not an origin: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return { kind: 'list', origins };
  });

/** `https://Example.com:443/` as browsers send it in Origin (`https://example.com`); null if it is not a bare http(s) origin. */
function originOf(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') return null;
  // A path, even "/", is not part of an origin: only a trailing slash is forgiven.
  if (!/^https?:\/\/[^/]+\/?$/i.test(entry) || entry.includes('*')) return null;
  return url.origin;
}

const AI_PROVIDERS = ['local', 'openai', 'azure', 'openai-compatible'] as const;
type AiProviderKind = (typeof AI_PROVIDERS)[number];

/** At least one provider, in the order they are tried. */
type ProviderChainKinds = [AiProviderKind, ...AiProviderKind[]];

const isAiProvider = (name: string): name is AiProviderKind => (AI_PROVIDERS as readonly string[]).includes(name);

/**
 * AI_PROVIDER_CHAIN: the providers a model call is tried with, in order, each
 * configured by its own variables. Unset: AI_PROVIDER alone.
 */
const providerChainFromEnv = z
  .string()
  .optional()
  .transform((raw, context): ProviderChainKinds | undefined => {
    const [first, ...rest] = (raw ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
    if (first === undefined) return undefined;
    const problem = (message: string) => {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (!(isAiProvider(first) && rest.every(isAiProvider))) {
      const unknown = [first, ...rest].filter((name) => !isAiProvider(name));
      return problem(`unknown provider ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${AI_PROVIDERS.join(', ')} (e.g. AI_PROVIDER_CHAIN=openai,azure)`);
    }
    const chain: ProviderChainKinds = [first, ...rest];
    const repeated = chain.filter((name, index) => chain.indexOf(name) !== index);
    if (repeated.length > 0) return problem(`names ${repeated.join(', ')} twice; each provider has one configuration, so name it once`);
    if (chain.includes('openai') && chain.includes('openai-compatible')) {
      return problem('openai and openai-compatible share OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL, so both would call the same server; keep one of them');
    }
    if (chain.includes('local') && chain.at(-1) !== 'local') return problem('local must come last: it always answers, so the providers after it would never be asked');
    return chain;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Unset: 127.0.0.1 in demo mode, 0.0.0.0 otherwise.
  HOST: optionalNonEmpty,
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
  /** GET /metrics on the service's port needs this as a bearer token; unset, the route is off. */
  METRICS_TOKEN: optionalNonEmpty.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  /** Serve /metrics alone on this port too (for a network only Prometheus reaches). */
  METRICS_PORT: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.coerce.number().int().min(1).max(65535).optional()),
  SESSION_TOKEN_TTL_SECONDS: positiveInt(900, 86_400),
  // Longest a host-signed customer token may live (exp - now, and exp - iat); 30 days at most.
  CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: positiveInt(86_400, 30 * 86_400),
  ALLOW_GUESTS: booleanFromEnv.default(true),
  DEMO_ENABLED: booleanFromEnv.default(true),
  MAX_MESSAGE_CHARS: positiveInt(4000, 4000),
  RATE_LIMIT_MESSAGES_PER_MINUTE: positiveInt(20, 10_000),
  RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: positiveInt(30, 10_000),
  // Open customer websockets per session and per client address, on one node.
  WS_MAX_CONNECTIONS_PER_SESSION: positiveInt(5, 100),
  WS_MAX_CONNECTIONS_PER_IP: positiveInt(50, 100_000),
  // On SIGTERM: how long replies still running may take to finish before the process exits.
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  // How long a node's claim on answering a session lasts unless renewed: a dead node's replies are taken over this soon.
  REPLY_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
  // Prefix of every Redis key and channel (pub/sub, rate limits, jobs): deployments that share a Redis keep apart.
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (up to 40)').default('support'),
  // Agents: token lifetime (refreshable), live chats per agent, assignment, opening hours, login budgets.
  AGENT_TOKEN_TTL_SECONDS: positiveInt(900, 86_400),
  AGENT_MAX_CHATS: positiveInt(3, 50),
  AGENT_AUTO_ASSIGN: booleanFromEnv.default(true),
  BUSINESS_HOURS: z.string().min(1).default('mon-sun 00:00-24:00'),
  BUSINESS_TIMEZONE: z.string().min(1).default('UTC'),
  RATE_LIMIT_AGENT_LOGINS_PER_IP_PER_MINUTE: positiveInt(20, 10_000),
  RATE_LIMIT_AGENT_LOGINS_PER_ACCOUNT_PER_MINUTE: positiveInt(5, 1000),
  TRUST_PROXY: trustProxyFromEnv,
  // Comma-separated origins whose pages may call /support/chat/* from a browser; * = any (not in production).
  ALLOWED_ORIGINS: allowedOriginsFromEnv,
  HOST_ADAPTER: z.enum(['demo', 'http']).default('demo'),
  HOST_API_BASE_URL: optionalNonEmpty.pipe(z.url().optional()),
  HOST_API_TOKEN: optionalNonEmpty,
  HOST_API_HMAC_SECRET: optionalNonEmpty.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  HOST_API_TIMEOUT_MS: positiveInt(3000, 60_000),
  HOST_API_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  AI_PROVIDER: z.enum(AI_PROVIDERS).default('local'),
  /** Comma-separated providers to try in order when one fails (e.g. openai,azure); unset: AI_PROVIDER alone. */
  AI_PROVIDER_CHAIN: providerChainFromEnv,
  /** A provider's failures in a row that open its circuit breaker (calls skip it), and how long it stays open before one trial call. */
  AI_BREAKER_FAILURES: positiveInt(5, 1000),
  AI_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** A provider that sends nothing of its answer for this long is given up on (a failure, counted by its breaker) and the next is asked. */
  AI_FIRST_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
  AI_MAX_TOOL_ROUNDS: positiveInt(4, 10),
  AI_TOOL_TIMEOUT_MS: positiveInt(5000, 60_000),
  AI_REQUEST_TIMEOUT_MS: positiveInt(60_000, 600_000),
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  ESCALATE_AFTER_FAILED_REPLIES: z.coerce.number().int().min(0).max(20).default(2),
  /** Optional: POST each new handoff here (a Slack incoming-webhook URL works as is). */
  HANDOFF_WEBHOOK_URL: optionalNonEmpty.pipe(z.url({ protocol: /^https?$/ }).optional()),
  HANDOFF_WEBHOOK_SECRET: optionalNonEmpty.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  HANDOFF_WEBHOOK_TIMEOUT_MS: positiveInt(5000, 60_000),
  /** The service's public address (e.g. https://support.example.com): notifications link to the console there. */
  PUBLIC_BASE_URL: optionalNonEmpty.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Comma-separated: which of the customer-word triggers (and repeated failure) hand a conversation over. */
  ESCALATION_TRIGGERS: z
    .string()
    .default(TRIGGER_NAMES.join(','))
    .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
    .pipe(z.array(z.enum(TRIGGER_NAMES, { error: (issue) => `unknown trigger ${JSON.stringify(issue.input)}; known: ${TRIGGER_NAMES.join(', ')}` }))),
  /** The negative-sentiment trigger fires when the last messages together score at or below this (AFINN points). */
  ESCALATION_SENTIMENT_THRESHOLD: z.coerce.number().int().min(-100).max(-1).default(DEFAULT_SENTIMENT_TRIGGER.threshold),
  /**
   * The guardrail policy as JSON (actions per harmful category, the hotline text, output moderation, conversation
   * and daily token limits; see docs/guardrails.md). Unset parts keep their defaults; operators change it at run time.
   */
  GUARDRAIL_POLICY: z
    .string()
    .optional()
    .transform((raw, context): GuardrailPolicy => {
      let value: unknown = {};
      if (raw !== undefined && raw.trim() !== '') {
        try {
          value = JSON.parse(raw);
        } catch {
          context.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"input":{"abuse":{"action":"warn","warningsBeforeAction":2}},"limits":{"maxTurnsPerConversation":40}}' });
          return z.NEVER;
        }
      }
      const parsed = guardrailPolicySchema.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(policy)'}: ${issue.message}` });
        return z.NEVER;
      }
      return parsed.data;
    }),
  /** Model prices (US dollars per million tokens) over the built-in list, as JSON: {"my-model":{"inputPerMillion":1,"outputPerMillion":2}}. */
  MODEL_PRICES: z
    .string()
    .optional()
    .transform((raw, context): ModelPrices => {
      if (raw === undefined || raw.trim() === '') return DEFAULT_MODEL_PRICES;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"gpt-4.1-mini":{"inputPerMillion":0.4,"outputPerMillion":1.6}}' });
        return z.NEVER;
      }
      const parsed = modelPricesSchema.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(prices)'}: ${issue.message}` });
        return z.NEVER;
      }
      return { ...DEFAULT_MODEL_PRICES, ...parsed.data };
    }),
  /** Conversations idle longer than this many days are deleted or anonymised by a job every hour; 0 keeps them. */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(0),
  RETENTION_MODE: z.enum(['delete', 'anonymise']).default('delete'),
  /** The company the assistant speaks for, until an operator changes it in the admin settings. */
  COMPANY_NAME: z.string().trim().min(1).max(80).default('Skyway Travel'),
  /** Regions (ISO 3166 codes) whose national phone numbers, written without a country code, are redacted. */
  PII_PHONE_REGIONS: z
    .string()
    .default(DEFAULT_PHONE_REGIONS.join(','))
    .transform((value) => value.split(',').map((code) => code.trim().toUpperCase()).filter((code) => code !== ''))
    .pipe(z.array(z.string().refine((code) => isSupportedCountry(code), { error: (issue) => `unknown region ${JSON.stringify(issue.input)} (use ISO 3166 codes such as GB,US,ES,FR,DE)` }))),
  OPENAI_API_KEY: optionalNonEmpty,
  OPENAI_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  OPENAI_BASE_URL: optionalNonEmpty.pipe(z.url().optional()),
  AZURE_OPENAI_ENDPOINT: optionalNonEmpty.pipe(z.url().optional()),
  AZURE_OPENAI_API_KEY: optionalNonEmpty,
  AZURE_OPENAI_DEPLOYMENT: optionalNonEmpty,
  AZURE_OPENAI_API_VERSION: z.string().min(1).default('2024-10-21'),
  EMBEDDING_PROVIDER: z.enum(AI_PROVIDERS).default('local'),
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

/** At least one provider, in the order a model call tries them. */
export type AiProviderChainConfig = [AiProviderConfig, ...AiProviderConfig[]];

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
  /** Prefix of the service's Redis keys and channels. */
  redisKeyPrefix: string;
  /** Lease on answering a session, renewed while a reply is written (see ReplyWorker). */
  replyLeaseMs: number;
  /** Undefined means "generate one at start" (only allowed with DEMO_ENABLED). */
  hostJwtSecret: string | undefined;
  /** Bearer key of the admin REST API; undefined turns the admin API off. */
  adminApiKey: string | undefined;
  /** Prometheus metrics: behind a bearer token on the service's port, and/or alone on a port of their own. */
  metrics: { token: string | undefined; port: number | undefined };
  sessionTokenTtlSeconds: number;
  /** Host customer tokens must carry `exp`, at most this far ahead (and this far after their `iat`). */
  customerTokenMaxLifetimeSeconds: number;
  allowGuests: boolean;
  demoEnabled: boolean;
  maxMessageChars: number;
  rateLimits: { messagesPerMinute: number; sessionsPerIpPerMinute: number };
  /** On SIGTERM, how long running replies may take to finish (sockets are closed with 1012 at once). */
  shutdownGraceMs: number;
  /** Caps on open customer websockets, per node. */
  websocket: { maxConnectionsPerSession: number; maxConnectionsPerIp: number };
  /** Behind a load balancer: which hops of X-Forwarded-For to believe (see fastifyTrustProxy). */
  trustProxy: TrustProxySetting;
  /**
   * Browser origins allowed on the customer chat API and socket (and, besides the service's own
   * origin, on the agent API): see http/origin-policy.ts. `any` only outside production.
   */
  allowedOrigins: AllowedOrigins;
  /** PUBLIC_BASE_URL: the service's public address (its own origin for the origin check; console links). */
  publicBaseUrl: string | undefined;
  agents: {
    tokenTtlSeconds: number;
    /** Concurrent live chats per agent unless the account says otherwise. */
    maxChats: number;
    /** Assign a live handoff to the least-busy online agent at once (otherwise agents claim by hand). */
    autoAssign: boolean;
    businessHours: BusinessHours;
    loginsPerIpPerMinute: number;
    loginsPerAccountPerMinute: number;
  };
  escalation: {
    triggers: HandoffTriggerConfig;
  };
  /** Optional outgoing webhook for new handoffs; null when HANDOFF_WEBHOOK_URL is unset. */
  handoffWebhook: HandoffWebhookConfig | null;
  /** The guardrail policy to start with (operators change it at run time) and the phone regions redaction knows. */
  guardrails: { policy: GuardrailPolicy; phoneRegions: CountryCode[] };
  /** How long conversations are kept (0: for ever), and what happens to them then. */
  retention: { days: number; mode: 'delete' | 'anonymise' };
  /** The assistant's settings to start with; operators change them at run time (admin settings). */
  assistant: { companyName: string };
  /** Where tools read bookings and wallets: the demo tables or the host's own API. */
  hostAdapter: HostAdapterConfig;
  ai: {
    /** The provider that answers first (AI_PROVIDER, or the first of AI_PROVIDER_CHAIN): moderation and another model by name go by it. */
    provider: AiProviderConfig;
    /** Every provider a model call is tried with, in order; the first is `provider`. */
    chain: AiProviderChainConfig;
    /** Each provider's circuit breaker: failures in a row that open it, and how long it stays open. */
    breaker: { failures: number; cooldownMs: number };
    /** How long a provider may send nothing before the chain gives up on it (AI_FIRST_TOKEN_TIMEOUT_MS). */
    firstTokenTimeoutMs: number;
    maxToolRounds: number;
    toolTimeoutMs: number;
    requestTimeoutMs: number;
    maxRetries: number;
    /** Consecutive "don't know" or failed replies that hand the conversation to a human; 0 never. */
    escalateAfterFailedReplies: number;
    /** US dollars per million tokens by model name: the analytics' cost estimate. */
    prices: ModelPrices;
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

/** The providers in the order they are tried: AI_PROVIDER_CHAIN, or AI_PROVIDER alone. */
function providerChainConfig(env: Env, source: NodeJS.ProcessEnv, problems: string[]): AiProviderChainConfig {
  if (env.AI_PROVIDER_CHAIN === undefined) return [providerConfig(env.AI_PROVIDER, env, problems, `AI_PROVIDER=${env.AI_PROVIDER}`)];
  const [first, ...rest] = env.AI_PROVIDER_CHAIN;
  if (source.AI_PROVIDER !== undefined && env.AI_PROVIDER !== first) {
    problems.push(`AI_PROVIDER_CHAIN: starts with ${first} but AI_PROVIDER=${env.AI_PROVIDER}; leave AI_PROVIDER unset or make it the chain's first provider`);
  }
  const inChain = (kind: AiProviderKind) => providerConfig(kind, env, problems, `AI_PROVIDER_CHAIN includes ${kind}`);
  return [inChain(first), ...rest.map(inChain)];
}

function providerConfig(kind: AiProviderKind, env: Env, problems: string[], why: string): AiProviderConfig {
  const require = requirer(env, problems);
  switch (kind) {
    case 'local':
      return { kind: 'local' };
    case 'openai':
      return {
        kind: 'openai',
        apiKey: require('OPENAI_API_KEY', why),
        model: env.OPENAI_MODEL,
        baseURL: env.OPENAI_BASE_URL,
      };
    case 'openai-compatible':
      return {
        kind: 'openai-compatible',
        // Local servers (Ollama, vLLM, LM Studio) often need no key; the SDK insists on one.
        apiKey: env.OPENAI_API_KEY ?? 'not-needed',
        model: env.OPENAI_MODEL,
        baseURL: require('OPENAI_BASE_URL', why),
      };
    case 'azure':
      return {
        kind: 'azure',
        endpoint: require('AZURE_OPENAI_ENDPOINT', why),
        apiKey: require('AZURE_OPENAI_API_KEY', why),
        deployment: require('AZURE_OPENAI_DEPLOYMENT', why),
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

function embeddingProviderConfig(env: Env, chat: AiProviderConfig[], problems: string[]): EmbeddingProviderConfig {
  // Both may need the same key; it is reported once, for the chat provider.
  const require = requirer(env, chat.some((provider) => provider.kind === env.EMBEDDING_PROVIDER) ? [] : problems);
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

/**
 * NODE_ENV=production refuses what only a demo may do: seed a fictional
 * company, serve the demo site, sign demo tokens, and answer account
 * questions from the demo tables. DEMO_ENABLED defaults to true (so that
 * `npm start` is the demo), so production must turn it off explicitly. It
 * also wants ALLOWED_ORIGINS spelled out: the permissive default (any page
 * may embed the chat) is for the demo and development only.
 */
function productionProblems(env: Env, source: NodeJS.ProcessEnv, problems: string[]): void {
  if (env.NODE_ENV !== 'production') return;
  if (env.DEMO_ENABLED) {
    const defaulted = source.DEMO_ENABLED === undefined ? ' (it defaults to true)' : '';
    problems.push(
      `DEMO_ENABLED: must be false when NODE_ENV=production${defaulted} (demo mode seeds a fictional company and signs demo tokens); set DEMO_ENABLED=false`,
    );
  }
  if (env.HOST_ADAPTER === 'demo') {
    const defaulted = source.HOST_ADAPTER === undefined ? ' (it defaults to demo)' : '';
    problems.push(
      `HOST_ADAPTER: must be http when NODE_ENV=production${defaulted} (the demo adapter answers from the fictional demo tables); set HOST_ADAPTER=http and HOST_API_BASE_URL`,
    );
  }
  if (env.ALLOWED_ORIGINS === undefined) {
    problems.push(
      'ALLOWED_ORIGINS: required when NODE_ENV=production: the origins of the pages that embed the chat, comma-separated (e.g. ALLOWED_ORIGINS=https://www.skyway.example,https://m.skyway.example)',
    );
  } else if (env.ALLOWED_ORIGINS.kind === 'any') {
    problems.push(
      'ALLOWED_ORIGINS: must not be * when NODE_ENV=production (any web page could then drive the chat API from its visitors\' browsers); list the origins of the pages that embed the chat, e.g. ALLOWED_ORIGINS=https://www.skyway.example',
    );
  }
}

/**
 * TRUST_PROXY as fastify's `trustProxy`. A hop count becomes a function
 * (fastify 5 refuses a bare number): the nearest N addresses are proxies,
 * whatever they are, so it is only safe where clients cannot reach the
 * service except through those proxies; addresses are the safer form.
 */
export function fastifyTrustProxy(setting: TrustProxySetting): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if ('addresses' in setting) return setting.addresses;
  const { hops } = setting;
  return (_address, hop) => hop < hops;
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
  const chain = providerChainConfig(env, source, problems);
  const embeddingProvider = embeddingProviderConfig(env, chain, problems);
  const hostAdapter = hostAdapterConfig(env, problems);
  productionProblems(env, source, problems);
  if (!env.HOST_JWT_SECRET && (!env.DEMO_ENABLED || env.NODE_ENV === 'production')) {
    const why = env.DEMO_ENABLED ? 'NODE_ENV=production' : 'DEMO_ENABLED=false';
    problems.push(`HOST_JWT_SECRET: required when ${why} (the host application signs customer tokens with it)`);
  }
  let businessHours: BusinessHours | undefined;
  try {
    businessHours = new BusinessHours(env.BUSINESS_HOURS, env.BUSINESS_TIMEZONE);
  } catch (error) {
    if (!(error instanceof BusinessHoursError)) throw error;
    problems.push(`BUSINESS_HOURS / BUSINESS_TIMEZONE: ${error.message} (e.g. BUSINESS_HOURS="mon-fri 09:00-18:00; sat 10:00-14:00", BUSINESS_TIMEZONE=Europe/London)`);
  }
  if (problems.length > 0 || !businessHours) throw new ConfigError(problems);
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST ?? (env.DEMO_ENABLED ? DEMO_DEFAULT_HOST : SERVER_DEFAULT_HOST),
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    replyLeaseMs: env.REPLY_LEASE_MS,
    hostJwtSecret: env.HOST_JWT_SECRET,
    adminApiKey: env.ADMIN_API_KEY,
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    sessionTokenTtlSeconds: env.SESSION_TOKEN_TTL_SECONDS,
    customerTokenMaxLifetimeSeconds: env.CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS,
    allowGuests: env.ALLOW_GUESTS,
    demoEnabled: env.DEMO_ENABLED,
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    rateLimits: { messagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE, sessionsPerIpPerMinute: env.RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    websocket: { maxConnectionsPerSession: env.WS_MAX_CONNECTIONS_PER_SESSION, maxConnectionsPerIp: env.WS_MAX_CONNECTIONS_PER_IP },
    trustProxy: env.TRUST_PROXY,
    // Unset outside production (refused in it): permissive, so that the demo and local development embed anywhere.
    allowedOrigins: env.ALLOWED_ORIGINS ?? { kind: 'any' },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    agents: {
      tokenTtlSeconds: env.AGENT_TOKEN_TTL_SECONDS,
      maxChats: env.AGENT_MAX_CHATS,
      autoAssign: env.AGENT_AUTO_ASSIGN,
      businessHours,
      loginsPerIpPerMinute: env.RATE_LIMIT_AGENT_LOGINS_PER_IP_PER_MINUTE,
      loginsPerAccountPerMinute: env.RATE_LIMIT_AGENT_LOGINS_PER_ACCOUNT_PER_MINUTE,
    },
    handoffWebhook: env.HANDOFF_WEBHOOK_URL
      ? { url: env.HANDOFF_WEBHOOK_URL, secret: env.HANDOFF_WEBHOOK_SECRET ?? null, timeoutMs: env.HANDOFF_WEBHOOK_TIMEOUT_MS, consoleBaseUrl: env.PUBLIC_BASE_URL ?? null }
      : null,
    escalation: {
      triggers: {
        enabled: new Set(env.ESCALATION_TRIGGERS),
        sentiment: { ...DEFAULT_SENTIMENT_TRIGGER, threshold: env.ESCALATION_SENTIMENT_THRESHOLD },
      },
    },
    guardrails: { policy: env.GUARDRAIL_POLICY, phoneRegions: env.PII_PHONE_REGIONS as CountryCode[] },
    assistant: { companyName: env.COMPANY_NAME },
    retention: { days: env.RETENTION_DAYS, mode: env.RETENTION_MODE },
    hostAdapter,
    ai: {
      provider: chain[0],
      chain,
      breaker: { failures: env.AI_BREAKER_FAILURES, cooldownMs: env.AI_BREAKER_COOLDOWN_MS },
      firstTokenTimeoutMs: env.AI_FIRST_TOKEN_TIMEOUT_MS,
      maxToolRounds: env.AI_MAX_TOOL_ROUNDS,
      toolTimeoutMs: env.AI_TOOL_TIMEOUT_MS,
      requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
      maxRetries: env.AI_MAX_RETRIES,
      escalateAfterFailedReplies: env.ESCALATE_AFTER_FAILED_REPLIES,
      prices: env.MODEL_PRICES,
    },
    embeddings: { provider: embeddingProvider, dimensions: env.EMBEDDING_DIMENSIONS },
  };
}
