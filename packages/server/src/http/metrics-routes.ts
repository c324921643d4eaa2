import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import { bearerToken } from './request-parsing.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET /metrics on the service's own port, for a Prometheus that sends
 * "Authorization: Bearer <METRICS_TOKEN>". Without METRICS_TOKEN the route
 * is not there (404): the numbers say how busy the service is and what it
 * costs, which is nobody's business but the operator's. METRICS_PORT
 * serves them on a port of their own instead (startMetricsListener).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServiceMetrics, token: string | undefined): void {
  if (token === undefined) return;
  const expected = sha256(token);
  app.get('/metrics', async (request, reply) => {
    const given = bearerToken(request.headers.authorization);
    if (!given || !timingSafeEqual(sha256(given), expected)) {
      throw new AppError('unauthorized', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".', { status: 401 });
    }
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}

/** The metrics alone on a port of their own (METRICS_PORT), for a network only Prometheus reaches: GET /metrics, nothing else. */
export async function startMetricsListener(metrics: ServiceMetrics, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
