import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
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

/** [since, until): by default the last 30 days up to now. */
function periodOf(query: unknown, now: Date): { since: Date; until: Date } {
  const parsed = parseBody(periodQuerySchema, query);
  const until = parsed.until ? new Date(parsed.until) : now;
  const since = parsed.since ? new Date(parsed.since) : new Date(until.getTime() - 30 * DAY_MS);
  if (since >= until) throw new AppError('invalid_request', 'since must be before until.', { status: 400 });
  if (until.getTime() - since.getTime() > MAX_PERIOD_DAYS * DAY_MS) throw new AppError('invalid_request', `A period is at most ${MAX_PERIOD_DAYS} days.`, { status: 400 });
  return { since, until };
}

/** The dashboard's data: the summary of a period, and the guardrail decisions counted. Inside the admin plugin. */
export function registerAdminAnalyticsRoutes(admin: FastifyInstance, deps: { db: Queryable; now: () => Date }): void {
  admin.get('/admin/analytics/summary', async (request) => analyticsSummary(deps.db, periodOf(request.query, deps.now())));

  admin.get('/admin/guardrails/decisions', async (request) => {
    const period = periodOf(request.query, deps.now());
    return { since: period.since.toISOString(), until: period.until.toISOString(), decisions: await countDecisionsByKind(deps.db, period) };
  });
}
