import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CustomerTokenVerifier } from '../conversation/customer-token.js';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../storage/database.js';
import { parseBody } from './request-parsing.js';

const demoPage = new URL('../../demo-page/index.html', import.meta.url);

/**
 * Demo-only: the demo page, the list of demo customers, and an endpoint that
 * signs a customer token as the host application would. Registered only when
 * DEMO_ENABLED is true; a real deployment's host signs its own tokens.
 */
export function registerDemoRoutes(app: FastifyInstance, deps: { db: Queryable; customerTokens: CustomerTokenVerifier }) {
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

  app.post('/demo/customer-token', async (request) => {
    const { customerId } = parseBody(z.object({ customerId: z.string().min(1).max(200) }), request.body);
    const { rows } = await deps.db.query<{ name: string; email: string }>('SELECT name, email FROM demo_customers WHERE id = $1', [customerId]);
    const customer = rows[0];
    if (!customer) throw new AppError('not_found', 'There is no demo customer with that id.', { status: 404 });
    return { customerToken: await deps.customerTokens.sign({ sub: customerId, name: customer.name, email: customer.email }) };
  });
}
