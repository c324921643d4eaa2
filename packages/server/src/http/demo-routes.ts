import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CustomerTokenVerifier } from '../conversation/customer-token.js';
import { AppError } from '../errors/app-error.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import type { Queryable } from '../storage/database.js';
import { limitPerIp } from './per-ip-limit.js';
import { parseBody } from './request-parsing.js';

const demoPage = new URL('../../demo-page/index.html', import.meta.url);

/**
 * Demo-only: the demo page, the list of demo customers, and an endpoint that
 * signs a customer token as the host application would. Registered only when
 * DEMO_ENABLED is true (never in production, enforced by config); a real
 * deployment's host signs its own tokens. The demo's tokens are signed with a
 * per-process demo key, never HOST_JWT_SECRET, and only in demo mode does the
 * session endpoint accept that key.
 */
export function registerDemoRoutes(
  app: FastifyInstance,
  deps: { db: Queryable; customerTokens: CustomerTokenVerifier; rateLimits: RateLimits; tokensPerIpPerMinute: number },
) {
  app.get('/', async (_request, reply) => {
    const html = await readFile(demoPage, 'utf8');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:")
      .send(html);
  });

  // Browsers ask for it on every load; an empty answer keeps the logs free of 404s.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

  app.get('/demo/customers', async () => {
    const { rows } = await deps.db.query<{ id: string; name: string; tier: string; references: string[] }>(
      `SELECT c.id, c.name, c.tier, coalesce(array_agg(b.reference ORDER BY b.start_date DESC) FILTER (WHERE b.reference IS NOT NULL), '{}') AS references
         FROM demo_customers c LEFT JOIN demo_bookings b ON b.customer_id = c.id
        GROUP BY c.id, c.name, c.tier ORDER BY c.id`,
    );
    return { customers: rows.map((row) => ({ id: row.id, name: row.name, tier: row.tier, bookingReferences: row.references })) };
  });

  app.post('/demo/customer-token', async (request, reply) => {
    // Unauthenticated and signs tokens: limited per client IP like session creation.
    await limitPerIp(deps.rateLimits, { name: 'demo_token', perMinute: deps.tokensPerIpPerMinute, message: 'Too many demo tokens for this address; try again shortly.' }, request.ip, reply);
    const { customerId } = parseBody(z.object({ customerId: z.string().min(1).max(200) }), request.body);
    const { rows } = await deps.db.query<{ name: string; email: string }>('SELECT name, email FROM demo_customers WHERE id = $1', [customerId]);
    const customer = rows[0];
    if (!customer) throw new AppError('not_found', 'There is no demo customer with that id.', { status: 404 });
    return { customerToken: await deps.customerTokens.signDemo({ sub: customerId, name: customer.name, email: customer.email }) };
  });
}
