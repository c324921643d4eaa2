import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deleteCustomerData, exportCustomerData } from '../privacy/customer-data.js';
import type { Database } from '../storage/database.js';
import { parseBody } from './request-parsing.js';

const customerParamsSchema = z.object({ customerId: z.string().trim().min(1).max(200) });
const auditQuerySchema = z.object({ customerId: z.string().trim().min(1).max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

/**
 * Privacy requests through the admin API (the CLI does the same: npm run
 * privacy): export everything about a customer, delete it, and read the
 * audit of both. Inside the admin plugin, behind its key check.
 */
export function registerAdminPrivacyRoutes(admin: FastifyInstance, deps: { db: Database; actorOf: (request: FastifyRequest) => string }): void {
  admin.get('/admin/customers/:customerId/export', async (request, reply) => {
    const { customerId } = parseBody(customerParamsSchema, request.params);
    const data = await exportCustomerData(deps.db, customerId, { actor: deps.actorOf(request) });
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="customer-${customerId.replace(/[^A-Za-z0-9_-]/g, '_')}.json"`)
      .send(data);
  });

  admin.delete('/admin/customers/:customerId', async (request) => {
    const { customerId } = parseBody(customerParamsSchema, request.params);
    return { customerId, deleted: await deleteCustomerData(deps.db, customerId, { actor: deps.actorOf(request) }) };
  });

  admin.get('/admin/privacy/audit', async (request) => {
    const { customerId, limit } = parseBody(auditQuerySchema, request.query);
    const { rows } = await deps.db.query<{ id: string; action: string; customer_id: string | null; actor: string; details: unknown; created_at: Date | string }>(
      `SELECT id, action, customer_id, actor, details, created_at FROM support_privacy_audit
       WHERE ($1::text IS NULL OR customer_id = $1) ORDER BY created_at DESC LIMIT $2`,
      [customerId ?? null, limit],
    );
    return { entries: rows.map((row) => ({ id: row.id, action: row.action, customerId: row.customer_id, actor: row.actor, details: row.details, at: new Date(row.created_at).toISOString() })) };
  });
}
