import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/database.js';

/** Liveness and readiness for load balancers and orchestrators. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: {
    db: Database;
    checks?: Array<{ name: string; ping: () => Promise<void> }>;
    /** Fixed facts about this node shown with every answer, e.g. `vectorSearch: 'pgvector-hnsw' | 'in-service'`. */
    details?: Record<string, string>;
  },
) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
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
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', driver: deps.db.driver, ...deps.details, checks: Object.fromEntries(results) });
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
