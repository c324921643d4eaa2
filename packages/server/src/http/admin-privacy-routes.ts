import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deleteCustomerData, exportCustomerData } from '../privacy/customer-data.js';
import { exportTrainingData, toJsonl } from '../privacy/training-export.js';
import type { Database } from '../storage/database.js';
import { parseBody } from './request-parsing.js';

const customerParamsSchema = z.object({ customerId: z.string().trim().min(1).max(200) });
const exportQuerySchema = z.object({ since: z.iso.datetime({ offset: true }).optional(), until: z.iso.datetime({ offset: true }).optional() });
const auditQuerySchema = z.object({ customerId: z.string().trim().min(1).max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

/**
 * Privacy requests through the admin API (the CLI does the same: npm run
 * privacy): export everything about a customer, delete it, and read the
 * audit of both. Inside the admin plugin, behind its key check.
 */
export function registerAdminPrivacyRoutes(
  admin: FastifyInstance,
  deps: { db: Database; actorOf: (request: FastifyRequest) => string; settings: () => Promise<{ companyName: string }> },
): void {
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

  // Consenting conversations only, redacted, as JSONL in OpenAI's fine-tuning chat format.
  admin.get('/admin/exports/training', async (request, reply) => {
    const { since, until } = parseBody(exportQuerySchema, request.query);
    const to = until ? new Date(until) : new Date();
    const from = since ? new Date(since) : new Date(to.getTime() - 30 * 24 * 3600 * 1000);
    const { companyName } = await deps.settings();
    const { examples } = await exportTrainingData(deps.db, { since: from, until: to, companyName, actor: deps.actorOf(request) });
    return reply
      .type('application/jsonl; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="training-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.jsonl"`)
      .send(toJsonl(examples));
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
