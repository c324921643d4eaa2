import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { randomBytes } from 'node:crypto';
import { AgentAccounts } from './agents/agent-accounts.js';
import { AgentDesk } from './agents/agent-desk.js';
import { AgentPresence } from './agents/agent-presence.js';
import { AgentTokens } from './agents/agent-tokens.js';
import { HandoffRouting } from './agents/handoff-routing.js';
import { QueueDrain } from './agents/queue-drain.js';
import { AssistantReplies } from './ai/assistant-replies.js';
import type { ChatModel } from './ai/model-port.js';
import { ProviderBreakers, type BreakerChange } from './ai/circuit-breaker.js';
import { createChatModel, type ChainResilience } from './ai/create-chat-model.js';
import { InProcessSessionEventBus, type SessionEventBus } from './bus/session-event-bus.js';
import { fastifyTrustProxy, type AppConfig } from './config.js';
import { ChatTurns } from './conversation/chat-turns.js';
import { CustomerTokenVerifier } from './conversation/customer-token.js';
import { MessageStore } from './conversation/message-store.js';
import { SessionService } from './conversation/session-service.js';
import { ReplyWorker } from './conversation/reply-worker.js';
import { SessionStore } from './conversation/session-store.js';
import { EscalationService } from './escalation/escalation-service.js';
import { enqueueTicketSummary, registerTicketSummaryJob } from './escalation/model-summary.js';
import { enqueueHandoffWebhook, loadTicketForWebhook, registerHandoffWebhookJob } from './notifications/handoff-webhook.js';
import { registerAdminRoutes } from './http/admin-routes.js';
import { registerAgentRoutes } from './http/agent-routes.js';
import { registerChatRoutes } from './http/chat-routes.js';
import { registerConsoleRoutes } from './http/console-routes.js';
import { registerDemoRoutes } from './http/demo-routes.js';
import { mapError } from './http/error-mapping.js';
import { registerHealthRoutes } from './http/health-routes.js';
import { OriginPolicy, registerChatCors, registerOriginCheck } from './http/origin-policy.js';
import { registerWidgetRoutes } from './http/widget-routes.js';
import { registerMetricsRoute } from './http/metrics-routes.js';
import { ServiceMetrics } from './observability/service-metrics.js';
import { scheduleRetention } from './privacy/retention.js';
import type { CachingRetriever } from './kb/caching-retriever.js';
import type { KbChunkIndexer } from './kb/kb-chunk-indexer.js';
import { startKnowledgeBase } from './kb/knowledge-base.js';
import type { Logger } from './logger.js';
import type { Database } from './storage/database.js';
import { createHostDataAdapter } from './tools/adapters/create-host-data-adapter.js';
import { PendingActions } from './conversation/pending-actions.js';
import { enqueueBookingActionFollowUp, enqueueTicketNotification, registerFollowUpJobs } from './conversation/follow-up-jobs.js';
import { InProcessJobQueue } from './bus/in-process-job-queue.js';
import type { JobQueue } from './bus/job-queue.js';
import { ToolAuditLog } from './tools/tool-audit-log.js';
import { createSupportTools } from './tools/support-tools.js';
import { ToolRuntime } from './tools/tool-runtime.js';
import { RateLimits } from './guardrails/rate-limits.js';
import { InputGuard } from './guardrails/input-guard.js';
import { createModerationFromConfig } from './guardrails/output-moderation/provider-moderation.js';
import { GuardrailPolicyStore } from './guardrails/policy-store.js';
import { AssistantSettingsStore } from './settings/assistant-settings.js';
import { ModelSelector } from './ai/model-selector.js';
import { setPhoneRegions } from './guardrails/redaction.js';
import { DatabaseTokenUsage, type TokenUsageStore } from './guardrails/token-usage.js';
import { registerAgentSocket } from './ws/agent-connection.js';
import { CLOSE_SERVICE_RESTART, registerChatSocket } from './ws/chat-socket.js';
import { ConnectionRegistry } from './ws/connection-registry.js';
import { MAX_FRAME_BYTES } from './ws/frame-parsing.js';

export interface ServerParts {
  config: AppConfig;
  db: Database;
  /** The model that answers; built from config.ai when absent (AI_PROVIDER_CHAIN, each provider behind its circuit breaker). */
  model?: ChatModel;
  logger: Logger;
  bus?: SessionEventBus;
  /** Redis-backed in server mode; in memory when absent. */
  rateLimits?: RateLimits;
  /** BullMQ in server mode; in process when absent. */
  jobs?: JobQueue;
  /** More dependencies /readyz must see answering (Redis in server mode). */
  readinessChecks?: Array<{ name: string; ping: () => Promise<void> }>;
  /** The day's tokens per customer or guest IP: Redis in server mode; the database when absent. */
  tokenUsage?: TokenUsageStore;
  /** Indexes chunks written through the admin API; built from the config when absent. */
  kbIndexer?: KbChunkIndexer;
  /**
   * The service's clock (default: the process clock). It alone decides
   * expiries (session tokens, proposals) and what the demo host's fare rules
   * see as today; SQL compares against its time, never the database's now().
   */
  now?: () => Date;
}

export interface BuiltServer {
  app: FastifyInstance;
  /** The model that answers unless the admin settings choose another (ServerParts.model, or the chain built from the configuration). */
  model: ChatModel;
  /** The secret that signs/verifies host customer tokens (generated when HOST_JWT_SECRET is unset in demo mode). */
  customerTokens: CustomerTokenVerifier;
  turns: ChatTurns;
  /** Answers pending messages; its lease owner name identifies this server in support_reply_leases. */
  worker: ReplyWorker;
  jobs: JobQueue;
  /** The guardrail policy in force; the admin controls change it here, and every node applies it within seconds. */
  guardrailPolicies: GuardrailPolicyStore;
  /** Company name, persona, instructions and the kill switch: changed by the admin controls, applied within seconds on every node. */
  assistantSettings: AssistantSettingsStore;
  /** Every admin endpoint (method and URL pattern), filled in once the server is ready. */
  adminRoutes: ReadonlyArray<{ method: string; url: string }>;
  /** This node's Prometheus metrics (GET /metrics with METRICS_TOKEN; main.ts serves METRICS_PORT from it). */
  metrics: ServiceMetrics;
  /**
   * Graceful stop: no new connections, every socket closed with 1012 (reconnect elsewhere), and
   * running replies given up to `graceMs` to finish and be stored. The caller closes the adapters after.
   */
  shutdown(graceMs: number): Promise<{ finished: boolean }>;
}

/** What the log says when a reply had to do without one of its parts. */
const DEGRADED_REPLY_MESSAGES = {
  model: 'model call failed; sent the fallback reply',
  host_profile: 'customer profile unavailable; answering without it',
  knowledge_base: 'knowledge-base search for the prompt failed; answering without passages',
  usage_log: 'a model call could not be recorded in support_ai_interactions; the reply goes on',
} as const;

/** What the log says when answering could not go on; the message stays pending and a later sweep answers it. */
const REPLY_WORKER_MESSAGES = {
  answer: 'answering a message failed; it stays pending and is retried',
  sweep: 'looking for messages nobody is answering failed; retrying',
  gave_up: 'a message was started too often without a reply; it got the apology',
  moderation: "the provider's moderation endpoint failed; the local rules decided alone",
  token_usage: 'tokens could not be counted against the daily cap; the reply goes on',
} as const;

/** What the log says when a provider's circuit breaker changes (to: closed or open). */
function breakerChangeMessage(change: BreakerChange): string {
  if (change.to === 'closed') return "model provider's trial call succeeded: its circuit breaker is closed and it answers again";
  return change.from === 'half_open'
    ? "model provider's trial call failed: its circuit breaker is open again, and calls skip it for another AI_BREAKER_COOLDOWN_MS"
    : "model provider failed AI_BREAKER_FAILURES times in a row: its circuit breaker is open, and calls skip it for AI_BREAKER_COOLDOWN_MS";
}

/** Request bodies larger than this are refused before parsing. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The knowledge retriever the service answers with. Exported so that the
 * evaluation harness (eval/) measures exactly this one: change retrieval
 * here and `npm run eval` follows.
 */
export async function createKnowledgeRetriever(config: AppConfig, db: Database, logger?: Logger): Promise<CachingRetriever> {
  return (await startKnowledgeBase({ config, db, ...(logger ? { logger } : {}) })).retriever;
}

/**
 * Wires the core to its adapters and edges. Embedded and server mode differ
 * only in the adapters passed in (database, bus); main.ts chooses them.
 */
export async function buildServer(parts: ServerParts): Promise<BuiltServer> {
  const { config, db, logger } = parts;
  const bus = parts.bus ?? new InProcessSessionEventBus();
  // The one clock of the service's decisions (expiries, fare rules, "today" in the prompt, the Date header).
  const clock = parts.now ?? (() => new Date());

  // Without HOST_JWT_SECRET (demo mode only, enforced by config) a per-process secret stands in for the host's. In demo mode
  // the verifier also holds a per-process demo key: the demo endpoint's tokens are never signed with HOST_JWT_SECRET.
  const hostSecret = config.hostJwtSecret ?? randomBytes(32).toString('base64url');
  const customerTokens = new CustomerTokenVerifier(hostSecret, {
    maxLifetimeSeconds: config.customerTokenMaxLifetimeSeconds,
    demo: config.demoEnabled,
    now: clock,
  });
  const sessions = new SessionStore(db);
  const messages = new MessageStore(db);
  const sessionService = new SessionService({
    sessions,
    customerTokens,
    tokenTtlSeconds: config.sessionTokenTtlSeconds,
    allowGuests: config.allowGuests,
    quotaSecret: hostSecret,
    now: clock,
  });
  setPhoneRegions(config.guardrails.phoneRegions);
  const policies = new GuardrailPolicyStore(db, config.guardrails.policy);
  // Configured by the environment; the admin controls change them at run time (every node within seconds).
  const assistantSettings = new AssistantSettingsStore(db, {
    companyName: config.assistant.companyName,
    escalation: {
      triggers: [...config.escalation.triggers.enabled],
      sentimentThreshold: config.escalation.triggers.sentiment.threshold,
      afterFailedReplies: config.ai.escalateAfterFailedReplies,
      businessHours: config.agents.businessHours.spec,
      timeZone: config.agents.businessHours.timeZone,
    },
  });
  const openingHours = async () => (await assistantSettings.escalation()).hours;
  // One circuit breaker per model provider, on the service's clock; the log says when one opens or closes.
  const breakers = new ProviderBreakers({
    failureThreshold: config.ai.breaker.failures,
    cooldownMs: config.ai.breaker.cooldownMs,
    now: () => clock().getTime(),
    onChange: (change) => {
      const fields = { provider: change.name, breaker: change.to, reason: change.reason, cooldownMs: config.ai.breaker.cooldownMs };
      if (change.to === 'open') logger.warn(fields, breakerChangeMessage(change));
      else logger.info(fields, breakerChangeMessage(change));
    },
  });
  // Counted where things happen; the open sockets are read from the websocket server once there is one.
  let openSockets = () => 0;
  const metrics = new ServiceMetrics({ openSockets: () => openSockets(), modelBreakers: () => breakers.states() });
  const resilience: ChainResilience = {
    breakers,
    onFailover: (failover) => {
      metrics.failover(failover);
      // A skip past an open breaker is the breaker's doing, already logged when it opened.
      const fields = { from: failover.from, to: failover.to, reason: failover.reason };
      if (failover.reason === 'circuit_open') logger.debug(fields, 'model call skipped a provider whose circuit breaker is open');
      else logger.warn({ ...fields, err: failover.error }, 'model provider failed before answering; the next provider of the chain takes the call');
    },
  };
  const model = parts.model ?? createChatModel(config.ai, resilience);
  // The configured model, another of its provider's by name, or the offline one, as the admin settings say.
  const models = new ModelSelector(model, config.ai, resilience);
  const tokenUsage = parts.tokenUsage ?? new DatabaseTokenUsage(db, clock);
  const jobs = parts.jobs ?? new InProcessJobQueue(undefined, (job, error) => logger.error({ err: error, job }, 'background job failed for good'));
  registerFollowUpJobs(jobs, db);
  if (config.handoffWebhook) registerHandoffWebhookJob(jobs, { config: config.handoffWebhook, loadTicket: loadTicketForWebhook(db), logger });
  const hostData = createHostDataAdapter(config.hostAdapter, db, clock);
  // The human side: who is online, where a handoff goes, and the desk agents work it from.
  const presence = new AgentPresence(db, { defaultMaxChats: config.agents.maxChats, onError: (error) => logger.warn({ err: error }, 'agent presence renewal failed') });
  const desk = new AgentDesk({ db, bus, hostData, onError: (error) => logger.warn({ err: error }, 'agent desk: a part failed; the rest goes on') });
  const routing = new HandoffRouting({ presence, hours: openingHours, autoAssign: config.agents.autoAssign, now: clock });
  // A hosted model rewrites the extractive hand-over note into a short abstract one; the local provider has none to write it.
  const writesSummaries = model.provider !== 'local';
  if (writesSummaries) {
    registerTicketSummaryJob(jobs, {
      db,
      model,
      desk,
      timeoutMs: config.ai.requestTimeoutMs,
      prices: config.ai.prices,
      metrics,
      currentModel: async () => models.modelFor((await assistantSettings.current()).model),
      onUsageLogError: (error) => logger.warn({ err: error }, DEGRADED_REPLY_MESSAGES.usage_log),
    });
  }
  const escalation = new EscalationService({
    db,
    bus,
    routing,
    desk,
    hostData,
    onTicketCreated: async (ticket) => {
      metrics.escalation(ticket.source, ticket.mode);
      // All start even if one enqueue fails; EscalationService reports a rejection through onError.
      await Promise.all([
        enqueueTicketNotification(jobs, ticket),
        writesSummaries ? enqueueTicketSummary(jobs, ticket) : undefined,
        config.handoffWebhook ? enqueueHandoffWebhook(jobs, ticket.ticketId) : undefined,
      ]);
    },
    onError: (error) => logger.error({ err: error }, 'a step after the handoff failed (queue news, assignment or notification)'),
  });
  const knowledge = await startKnowledgeBase({ config, db, logger });
  const retriever = knowledge.retriever;
  const pendingActions = new PendingActions({
    db,
    hostData,
    bus,
    now: clock,
    onExecuted: (action) =>
      enqueueBookingActionFollowUp(jobs, {
        actionId: action.id,
        customerId: action.customerId,
        kind: action.kind,
        reference: action.result.reference,
        startDate: action.result.startDate,
        refund: action.result.refund,
        locale: action.locale,
      }),
    onError: (error) => logger.error({ err: error }, 'booking action failed'),
  });
  const rateLimits = parts.rateLimits ?? new RateLimits(undefined, (error) => logger.error({ err: error }, 'rate limiter store failed; allowing'));
  const toolAudit = new ToolAuditLog(db);
  const tools = new ToolRuntime(
    createSupportTools({ retriever, hostData, escalation, sessions, pendingActions }),
    {
      defaultTimeoutMs: config.ai.toolTimeoutMs,
      rateLimits,
      audit: (entry) => toolAudit.record(entry),
      onError: (tool, error) => logger.error({ err: error, tool }, 'tool failed'),
    },
  );
  const assistant = new AssistantReplies({
    db,
    model,
    tools,
    retriever,
    hostData,
    settings: () => assistantSettings.current(),
    selectModel: (choice) => models.modelFor(choice),
    prices: config.ai.prices,
    metrics,
    now: clock,
    maxToolRounds: config.ai.maxToolRounds,
    requestTimeoutMs: config.ai.requestTimeoutMs,
    reportError: (stage, error) => logger.warn({ err: error, stage, provider: model.provider }, DEGRADED_REPLY_MESSAGES[stage]),
  });
  const worker = new ReplyWorker({
    db,
    sessions,
    messages,
    escalation,
    assistant,
    bus,
    jobs,
    leaseMs: config.replyLeaseMs,
    handoffRules: async () => {
      const { settings, triggers } = await assistantSettings.escalation();
      return { triggers, escalateAfterFailedReplies: triggers.enabled('repeated_failure') ? settings.afterFailedReplies : 0 };
    },
    guard: new InputGuard(db),
    policies,
    assistantSettings,
    metrics,
    moderation: createModerationFromConfig(config.ai),
    tokenUsage,
    onError: (error, context) => logger.warn({ err: error, ...context }, REPLY_WORKER_MESSAGES[context.stage]),
  });
  const turns = new ChatTurns({
    db,
    bus,
    sessions,
    messages,
    escalation,
    worker,
    desk,
    maxMessageChars: config.maxMessageChars,
    rateLimits,
    messagesPerMinute: config.rateLimits.messagesPerMinute,
    policies,
    tokenUsage,
    metrics,
  });

  // Widened to the base logger type so that route modules take a plain FastifyInstance.
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: MAX_BODY_BYTES, trustProxy: fastifyTrustProxy(config.trustProxy) });
  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error);
    if (mapped.unexpected) request.log.error({ err: error }, 'request failed');
    return reply.code(mapped.status).send(mapped.body);
  });
  // Clients correct their clock from the Date header (the widget does, to schedule token refreshes):
  // it must come from the clock that wrote expiresAt, not from Node's own.
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('date', clock().toUTCString());
    return payload;
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'No such endpoint.' } }));

  await app.register(websocket, {
    // Shutting down: every customer socket is told to reconnect elsewhere (1012 "service restart"), not
    // dropped without a code; replies still running finish and are stored (see BuiltServer.shutdown).
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(CLOSE_SERVICE_RESTART, 'service_restart');
      this.websocketServer.close(() => done());
    },
    // Frames up to 1 MiB are bad input that gets an error event (the contract); larger ones close with 1009.
    options: { maxPayload: MAX_FRAME_BYTES },
    // A client's broken or oversized frame (ws's WS_ERR_* codes, a reset connection) is its problem, not the
    // service's; anything else reaching here is a bug in a handler and is logged as one.
    errorHandler: (error, socket, request) => {
      const code = (error as { code?: unknown }).code;
      const clientSide = typeof code === 'string' && (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE');
      if (clientSide) request.log.debug({ err: error }, 'websocket closed on a client error');
      else request.log.error({ err: error }, 'websocket handler failed');
      socket.terminate();
    },
  });
  // Browser pages from origins outside ALLOWED_ORIGINS are refused on /support/chat/* and /support/agent/*, before
  // anything else runs. After the websocket plugin, whose own first hook marks an upgrade so that a refused one's
  // socket is destroyed with the answer.
  const originPolicy = new OriginPolicy(config.allowedOrigins, config.publicBaseUrl);
  registerOriginCheck(app, originPolicy);
  openSockets = () => app.websocketServer.clients.size;
  const retention = scheduleRetention(db, config.retention, {
    now: clock,
    everyMs: 3600_000,
    onRun: (run) => {
      if (run.conversations + run.tokenUsageDays + run.emails > 0) logger.info({ retention: run, ...config.retention }, 'retention: old conversations removed');
    },
    onError: (error) => logger.warn({ err: error }, 'retention run failed; retrying in an hour'),
  });
  app.addHook('onClose', async () => retention.stop());
  registerMetricsRoute(app, metrics, config.metrics.token);
  registerHealthRoutes(app, { db, checks: parts.readinessChecks ?? [], details: () => ({ vectorSearch: knowledge.vectorSearch, knowledgeBase: knowledge.status() }) });
  // The customer REST routes in a scope of their own: only they (and their preflights) get CORS headers.
  await app.register(async (chat) => {
    await registerChatCors(chat, originPolicy);
    registerChatRoutes(chat, {
      sessionService,
      messages,
      pendingActions,
      rateLimits,
      bus,
      customerTokens,
      sessions,
      sessionsPerIpPerMinute: config.rateLimits.sessionsPerIpPerMinute,
    });
  });
  registerChatSocket(app, {
    sessionService,
    turns,
    pendingActions,
    bus,
    rateLimits,
    connections: new ConnectionRegistry({ perSession: config.websocket.maxConnectionsPerSession, perIp: config.websocket.maxConnectionsPerIp }),
    // A connection may not send messages faster than its session may.
    budgetOverrides: { send_message: { burst: config.rateLimits.messagesPerMinute, perMinute: config.rateLimits.messagesPerMinute } },
  });
  const drain = new QueueDrain({
    desk,
    presence,
    hours: openingHours,
    autoAssign: config.agents.autoAssign,
    now: clock,
    onError: (error) => logger.warn({ err: error }, 'assigning waiting live chats to an agent failed; they stay in the queue'),
  });
  const agentTokens = new AgentTokens(db, { ttlSeconds: config.agents.tokenTtlSeconds, now: clock });
  registerAgentRoutes(app, {
    accounts: new AgentAccounts(db),
    tokens: agentTokens,
    desk,
    hostTokens: customerTokens,
    rateLimits,
    drain,
    loginsPerIpPerMinute: config.agents.loginsPerIpPerMinute,
    loginsPerAccountPerMinute: config.agents.loginsPerAccountPerMinute,
  });
  registerAgentSocket(app, { tokens: agentTokens, desk, presence, bus, drain });
  registerConsoleRoutes(app);
  registerWidgetRoutes(app);
  if (config.demoEnabled) registerDemoRoutes(app, { db, customerTokens, rateLimits, tokensPerIpPerMinute: config.rateLimits.sessionsPerIpPerMinute });
  const adminRoutes = registerAdminRoutes(app, {
    db,
    adminApiKey: config.adminApiKey,
    agentTokens,
    indexer: parts.kbIndexer ?? knowledge.indexer,
    onKbChanged: () => retriever.clear(),
    settings: { assistantSettings, guardrailPolicies: policies },
    now: clock,
  });

  app.addHook('onClose', async () => {
    worker.stopSweeping();
    presence.stop();
    // Finish (or hand back to Redis) the jobs this node started before the process goes.
    if (!parts.jobs) await jobs.close();
  });
  // After a crash: what the dead process (embedded) or a dead node (server mode) left unanswered.
  await worker.start({ releaseStaleLeases: db.driver === 'pglite' });
  return {
    app,
    model,
    customerTokens,
    turns,
    worker,
    jobs,
    guardrailPolicies: policies,
    assistantSettings,
    adminRoutes,
    metrics,
    async shutdown(graceMs) {
      // Stop listening and close the sockets (preClose above), then give running replies their time.
      const running = worker.running;
      const stopping = worker.stop(graceMs);
      await app.close();
      const { finished } = await stopping;
      if (running > 0) {
        logger.info({ running, finished }, finished ? 'running replies finished before shutdown' : 'shutdown grace ran out; the sessions still being answered are left to the other nodes');
      }
      return { finished };
    },
  };
}
