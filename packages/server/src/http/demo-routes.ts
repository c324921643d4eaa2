import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { CustomerTokenVerifier } from '../conversation/customer-token.js';
import { AppError } from '../errors/app-error.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import type { Queryable } from '../storage/database.js';
import { limitPerIp } from './per-ip-limit.js';
import { parseBody } from './request-parsing.js';

const demoSite = new URL('../../demo-site/', import.meta.url);

/** The mock host site: its pages, and the two files they share. */
const SITE_PAGES: Record<string, string> = { '/': 'index.html', '/trips': 'trips.html', '/support': 'support.html' };
const SITE_ASSETS: Record<string, string> = { 'site.js': 'text/javascript; charset=utf-8', 'site.css': 'text/css; charset=utf-8' };
/** The host site's own policy: its scripts and the widget's, from this origin only; the widget's styles live in its shadow root. */
const SITE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";

const LOGIN_COOKIE = 'skyway_demo_customer';

function loggedInCustomer(cookieHeader: string | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === LOGIN_COOKIE) {
      const id = decodeURIComponent(value.join('='));
      return id === '' ? null : id;
    }
  }
  return null;
}

/**
 * Demo-only: the mock host site, the list of demo customers, and an endpoint that
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
  // Both token endpoints are unauthenticated and sign tokens: limited per client IP like session creation.
  const limitDemoTokens = (ip: string, reply: FastifyReply) =>
    limitPerIp(deps.rateLimits, { name: 'demo_token', perMinute: deps.tokensPerIpPerMinute, message: 'Too many demo tokens for this address; try again shortly.' }, ip, reply);
  /** A demo customer's token, as the host would sign it; null when there is no such customer. */
  const signDemoCustomer = async (customerId: string): Promise<string | null> => {
    const { rows } = await deps.db.query<{ name: string; email: string }>('SELECT name, email FROM demo_customers WHERE id = $1', [customerId]);
    const customer = rows[0];
    return customer ? deps.customerTokens.signDemo({ sub: customerId, name: customer.name, email: customer.email }) : null;
  };

  // "Skyway Travel", a mock booking site that embeds the chat widget: the launcher on every page, the
  // embedded panel on Support. Choosing a demo customer in its header stands for the host's own login.
  for (const [path, file] of Object.entries(SITE_PAGES)) {
    app.get(path, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', SITE_CSP)
        .send(await readFile(new URL(file, demoSite), 'utf8')),
    );
  }
  app.get('/demo-site/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const type = SITE_ASSETS[file];
    if (!type) throw new AppError('not_found', 'No such file on the demo site.', { status: 404 });
    return reply.type(type).header('cache-control', 'no-cache').send(await readFile(new URL(file, demoSite), 'utf8'));
  });

  // The demo site's pretend login, kept the way a host site keeps its own: a cookie the browser sends back.
  // The widget then asks the site (data-token-endpoint) for a customer token, as it would ask any host.
  app.post('/demo/login', async (request, reply) => {
    const { customerId } = parseBody(z.object({ customerId: z.string().min(1).max(200).nullable() }).strict(), request.body);
    if (customerId === null) return reply.header('set-cookie', `${LOGIN_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`).send({ customerId: null });
    const known = await deps.db.query('SELECT 1 FROM demo_customers WHERE id = $1', [customerId]);
    if (known.rows.length === 0) throw new AppError('not_found', 'There is no demo customer with that id.', { status: 404 });
    return reply.header('set-cookie', `${LOGIN_COOKIE}=${encodeURIComponent(customerId)}; Path=/; HttpOnly; SameSite=Lax`).send({ customerId });
  });

  app.get('/demo/me', async (request) => ({ customerId: loggedInCustomer(request.headers.cookie) }));

  app.post('/demo/site-token', async (request, reply) => {
    await limitDemoTokens(request.ip, reply);
    const customerId = loggedInCustomer(request.headers.cookie);
    return { customerToken: customerId ? await signDemoCustomer(customerId) : null };
  });

  // The bookings the demo site's My Trips page lists (fictional data, demo mode only).
  app.get('/demo/customers/:id/trips', async (request) => {
    const { id } = parseBody(z.object({ id: z.string().min(1).max(200) }), request.params);
    const { rows } = await deps.db.query<{ reference: string; kind: string; status: string; summary: string; start_date: string; end_date: string | null; total_amount: string; currency: string }>(
      `SELECT reference, kind, status, summary, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date,
              total_amount::text AS total_amount, currency
         FROM demo_bookings WHERE customer_id = $1 ORDER BY start_date DESC`,
      [id],
    );
    return {
      trips: rows.map((row) => ({ reference: row.reference, kind: row.kind, status: row.status, summary: row.summary, startDate: row.start_date, endDate: row.end_date, totalAmount: row.total_amount, currency: row.currency })),
    };
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
    await limitDemoTokens(request.ip, reply);
    const { customerId } = parseBody(z.object({ customerId: z.string().min(1).max(200) }), request.body);
    const customerToken = await signDemoCustomer(customerId);
    if (!customerToken) throw new AppError('not_found', 'There is no demo customer with that id.', { status: 404 });
    return { customerToken };
  });
}
