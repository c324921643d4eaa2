import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/database.js';

/** Liveness and readiness for load balancers and orchestrators. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: {
    db: Database;
    checks?: Array<{ name: string; ping: () => Promise<void> }>;
    /**
     * Facts about this node shown with every answer: fixed ones (e.g. `vectorSearch: 'pgvector-hnsw'`),
     * or a function read on every request for live ones (e.g. `knowledgeBase: { embeddings: 'degraded', since }`).
     * They inform; they do not make the node unready: a degraded part that the service answers without stays 200.
     */
    details?: Record<string, unknown> | (() => Record<string, unknown>);
  },
) {
  // Probed every few seconds by every load balancer and orchestrator: their requests are not logged (a failed readiness check still is, below).
  const quiet = { logLevel: 'warn' as const };
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));

  app.get('/readyz', quiet, async (request, reply) => {
    const checks = [{ name: 'database', ping: () => deps.db.ping() }, ...(deps.checks ?? [])];
    const results = await Promise.all(
      checks.map(async (check) => {
        try {
          await withTimeout(check.ping(), 2000);
          return [check.name, 'ok'] as const;
        } catch {
          return [check.name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    if (!ready) request.log.warn({ checks: Object.fromEntries(results) }, 'not ready: a dependency does not answer');
    const details = typeof deps.details === 'function' ? deps.details() : deps.details;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', driver: deps.db.driver, ...details, checks: Object.fromEntries(results) });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]);
}
