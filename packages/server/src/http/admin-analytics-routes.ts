import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listConversations, transcriptFor, unansweredTopics } from '../analytics/conversation-browser.js';
import { analyticsSummary } from '../analytics/support-analytics.js';
import { AppError } from '../errors/app-error.js';
import { countDecisionsByKind } from '../guardrails/decision-log.js';
import type { Queryable } from '../storage/database.js';
import { parseBody } from './request-parsing.js';

const DAY_MS = 24 * 3600 * 1000;
/** The longest period one request may ask for: the queries scan it, so its cost is bounded. */
const MAX_PERIOD_DAYS = 366;

const periodQuerySchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

const conversationQuerySchema = periodQuerySchema.extend({
  outcome: z.enum(['contained', 'escalated', 'abandoned']).optional(),
  rating: z.enum(['up', 'down']).optional(),
  trigger: z.string().trim().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
const sessionParamsSchema = z.object({ sessionId: z.string().min(1).max(200) });

/** [since, until): by default the last 30 days up to now. */
function periodOf(query: unknown, now: Date): { since: Date; until: Date } {
  const parsed = parseBody(periodQuerySchema.loose(), query);
  const until = parsed.until ? new Date(parsed.until) : now;
  const since = parsed.since ? new Date(parsed.since) : new Date(until.getTime() - 30 * DAY_MS);
  if (since >= until) throw new AppError('invalid_request', 'since must be before until.', { status: 400 });
  if (until.getTime() - since.getTime() > MAX_PERIOD_DAYS * DAY_MS) throw new AppError('invalid_request', `A period is at most ${MAX_PERIOD_DAYS} days.`, { status: 400 });
  return { since, until };
}

/** The dashboard's data: the summary of a period, and the guardrail decisions counted. Inside the admin plugin. */
export function registerAdminAnalyticsRoutes(admin: FastifyInstance, deps: { db: Queryable; now: () => Date }): void {
  admin.get('/admin/analytics/summary', async (request) => analyticsSummary(deps.db, periodOf(request.query, deps.now())));

  admin.get('/admin/analytics/unanswered', async (request) => unansweredTopics(deps.db, periodOf(request.query, deps.now())));

  // The transcript browser: the period's conversations, filtered, then one of them whole (redacted).
  admin.get('/admin/conversations', async (request) => {
    const { outcome, rating, trigger, limit, offset } = parseBody(conversationQuerySchema, request.query);
    const period = periodOf(request.query, deps.now());
    return { since: period.since.toISOString(), until: period.until.toISOString(), limit, offset, ...(await listConversations(deps.db, { ...period, outcome, rating, trigger, limit, offset })) };
  });
  admin.get('/admin/conversations/:sessionId', async (request) => {
    const { sessionId } = parseBody(sessionParamsSchema, request.params);
    const transcript = await transcriptFor(deps.db, sessionId);
    if (!transcript) throw new AppError('not_found', 'There is no conversation with that id.', { status: 404 });
    return transcript;
  });

  admin.get('/admin/guardrails/decisions', async (request) => {
    const period = periodOf(request.query, deps.now());
    return { since: period.since.toISOString(), until: period.until.toISOString(), decisions: await countDecisionsByKind(deps.db, period) };
  });
}
