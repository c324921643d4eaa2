import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GuardrailPolicyStore } from '../guardrails/policy-store.js';
import type { AssistantSettingsStore } from '../settings/assistant-settings.js';
import type { SettingsVersion, VersionedSettings } from '../settings/versioned-settings.js';
import { AppError } from '../errors/app-error.js';
import { parseBody } from './request-parsing.js';

export interface AdminSettingsDeps {
  assistantSettings: AssistantSettingsStore;
  guardrailPolicies: GuardrailPolicyStore;
  /** Who is making the request (an admin agent's id, or "admin-api-key"): stored with every version. */
  actorOf: (request: FastifyRequest) => string;
}

/** An If-Match header: the version number, bare or quoted as an ETag ("7", W/"7"). */
const ifMatchSchema = z
  .string()
  .regex(/^(?:W\/)?"?\d{1,9}"?$/, 'If-Match must be the version number the change is based on, e.g. "7"')
  .transform((value) => Number(value.replace(/\D/g, '')))
  .optional();
const historyQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

const versionBody = <T>(version: SettingsVersion<T>) => ({ version: version.version, updatedBy: version.updatedBy, updatedAt: version.updatedAt, value: version.value });

/**
 * The admin controls that steer the assistant without a redeploy: its
 * settings (company name, persona, instructions, the kill switch) and the
 * guardrail policy. A PUT carries the whole document (what it leaves out
 * takes its default), is validated strictly (a misspelt key is an error),
 * and becomes a new version with who and when; every node applies it
 * within seconds. Mounted inside the admin plugin, behind its key check.
 */
export function registerAdminSettingsRoutes(admin: FastifyInstance, deps: AdminSettingsDeps): void {
  registerVersionedDocument(admin, '/admin/settings', deps.assistantSettings, deps.actorOf);
  registerVersionedDocument(admin, '/admin/guardrails/policy', deps.guardrailPolicies, deps.actorOf);
}

/** GET the version in force, PUT a new one, GET the history (newest first). */
function registerVersionedDocument<Schema extends z.ZodType>(admin: FastifyInstance, path: string, store: VersionedSettings<Schema>, actorOf: (request: FastifyRequest) => string): void {
  admin.get(path, async (_request, reply) => {
    const version = await store.currentVersion();
    return reply.header('etag', `"${version.version}"`).send(versionBody(version));
  });
  // If-Match: <version> (the one the editor loaded) makes the write conditional: 409 version_conflict when it moved on.
  admin.put(path, async (request, reply) => {
    const value = parseBody(store.schema, request.body) as z.infer<Schema>;
    const ifMatch = ifMatchSchema.safeParse(request.headers['if-match']);
    if (!ifMatch.success) throw new AppError('invalid_request', ifMatch.error.issues[0]?.message ?? 'If-Match is not a version number.', { status: 400 });
    const basedOn = ifMatch.data;
    const stored = await store.update(value, actorOf(request), basedOn);
    return reply.header('etag', `"${stored.version}"`).send(versionBody(stored));
  });
  admin.get(`${path}/history`, async (request) => {
    const { limit } = parseBody(historyQuerySchema, request.query);
    return { versions: (await store.history(limit)).map(versionBody) };
  });
}
