import { createHash, timingSafeEqual } from 'node:crypto';
import { AGENT_TOKEN_PREFIX, type AgentTokens } from '../agents/agent-tokens.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { getArticle, listArticles } from '../kb/article-catalog.js';
import { articleFieldsSchema, articleIdSchema, slugifyId, type ArticleFields } from '../kb/kb-article.js';
import type { KbChunkIndexer } from '../kb/kb-chunk-indexer.js';
import { deleteArticle, lockKnowledgeBase, upsertArticles } from '../kb/upsert-articles.js';
import type { Database, Queryable } from '../storage/database.js';
import { registerAdminAnalyticsRoutes } from './admin-analytics-routes.js';
import { registerAdminAgentRoutes } from './admin-agent-routes.js';
import { registerAdminPrivacyRoutes } from './admin-privacy-routes.js';
import { registerAdminSettingsRoutes, type AdminSettingsDeps } from './admin-settings-routes.js';
import { bearerToken, parseBody } from './request-parsing.js';

export interface AdminRouteDeps {
  db: Database;
  /** Undefined: the admin API is off and every endpoint answers admin_disabled. */
  adminApiKey: string | undefined;
  /** Agent tokens of agents with role admin are admin credentials too. */
  agentTokens?: Pick<AgentTokens, 'authenticate'>;
  indexer: KbChunkIndexer;
  /** Called after every committed write, so cached retrieval never serves an edited or deleted article. */
  onKbChanged: () => void;
  /** The assistant's settings and the guardrail policy, which the admin controls change. */
  settings: Omit<AdminSettingsDeps, 'actorOf'>;
  /** The service's clock: the default analytics period ends now. */
  now: () => Date;
}

/** Who made an admin request: the admin agent's id, or the API key's holder. */
const actors = new WeakMap<object, string>();
const API_KEY_ACTOR = 'admin-api-key';

const ADMIN_SOURCE = 'admin';

const listQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  source: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const idParamsSchema = z.object({ id: articleIdSchema });
// Strict: a misspelt field ("catgory") is an error, not silently dropped.
const createBodySchema = z.strictObject({ ...articleFieldsSchema.shape, id: articleIdSchema.optional() });
const replaceBodySchema = z.strictObject(articleFieldsSchema.shape);

/**
 * The admin REST API: knowledge-base articles, and (admin-settings-routes.ts)
 * the assistant's settings and the guardrail policy (the admin UI comes later).
 * Every endpoint needs "Authorization: Bearer <ADMIN_API_KEY>" or the token
 * of an agent with role admin; customer and session tokens are not admin keys
 * and are refused like any wrong key, a plain agent's token with 403.
 * Writes go through the same upsert as imports (source "admin") and the
 * chunk indexer, in one transaction each.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): Array<{ method: string; url: string }> {
  const expectedDigest = deps.adminApiKey === undefined ? undefined : sha256(deps.adminApiKey);
  // Every endpoint behind the key check, as registered: what the auth tests walk through, so a new one cannot be missed.
  const routes: Array<{ method: string; url: string }> = [];

  void app.register(async (admin) => {
    admin.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    });
    // onRequest: refused before the body is even read.
    admin.addHook('onRequest', async (request) => {
      const given = bearerToken(request.headers.authorization);
      // An agent signed in with the admin role may use it too (PROTOCOL: Operations); a plain agent may not.
      if (given?.startsWith(AGENT_TOKEN_PREFIX) && deps.agentTokens) {
        const agent = await deps.agentTokens.authenticate(given);
        if (agent.role !== 'admin') throw new AppError('forbidden', 'Only an agent with the admin role may use the admin API.', { status: 403 });
        actors.set(request, `agent:${agent.id}`);
        return;
      }
      if (!expectedDigest) throw new AppError('admin_disabled', 'The admin API is turned off; set ADMIN_API_KEY to use it, or sign in as an admin agent.', { status: 403 });
      // Digests have one length, so the comparison time says nothing about the key.
      if (!given || !timingSafeEqual(sha256(given), expectedDigest)) {
        throw new AppError('unauthorized', 'Send the admin API key as "Authorization: Bearer <key>".', { status: 401 });
      }
      actors.set(request, API_KEY_ACTOR);
    });

    const actorOf = (request: FastifyRequest) => actors.get(request) ?? API_KEY_ACTOR;
    registerAdminSettingsRoutes(admin, { ...deps.settings, actorOf });
    registerAdminAnalyticsRoutes(admin, { db: deps.db, now: deps.now });
    registerAdminAgentRoutes(admin, { db: deps.db, actorOf });
    registerAdminPrivacyRoutes(admin, { db: deps.db, actorOf, settings: () => deps.settings.assistantSettings.current() });

    admin.get('/admin/kb/articles', async (request) => {
      const query = parseBody(listQuerySchema, request.query);
      const page = await listArticles(deps.db, query);
      return { ...page, limit: query.limit, offset: query.offset };
    });

    admin.get('/admin/kb/articles/:id', async (request) => {
      const { id } = parseBody(idParamsSchema, request.params);
      return { article: await findArticle(deps.db, id) };
    });

    admin.post('/admin/kb/articles', async (request, reply) => {
      const { id: givenId, ...fields } = parseBody(createBodySchema, request.body);
      const id = givenId ?? slugifyId(fields.title);
      if (id === '') throw new AppError('invalid_request', 'id: give an id; the title has no letters or digits to make one from.', { status: 400 });
      await writeArticle(deps, id, fields, async (tx) => {
        const { rows } = await tx.query('SELECT 1 FROM kb_articles WHERE id = $1', [id]);
        if (rows.length > 0) throw new AppError('article_exists', `An article with id "${id}" already exists; PUT replaces it.`, { status: 409 });
      });
      return reply.code(201).send({ article: await findArticle(deps.db, id) });
    });

    admin.put('/admin/kb/articles/:id', async (request, reply) => {
      const { id } = parseBody(idParamsSchema, request.params);
      const fields = parseBody(replaceBodySchema, request.body);
      const { added } = await writeArticle(deps, id, fields);
      return reply.code(added > 0 ? 201 : 200).send({ article: await findArticle(deps.db, id) });
    });

    admin.delete('/admin/kb/articles/:id', async (request, reply) => {
      const { id } = parseBody(idParamsSchema, request.params);
      const deleted = await deps.db.transaction((tx) => deleteArticle(tx, id));
      if (!deleted) throw notFound(id);
      deps.onKbChanged();
      return reply.code(204).send();
    });
  });
  return routes;
}

/** Upserts one article as the admin (taking it over from whichever source had it), then drops cached retrieval. */
async function writeArticle(deps: AdminRouteDeps, id: string, fields: ArticleFields, precondition?: (tx: Queryable) => Promise<void>) {
  const summary = await deps.db.transaction(async (tx) => {
    await lockKnowledgeBase(tx);
    await precondition?.(tx);
    return upsertArticles(tx, [{ id, ...fields, sourcePath: null }], { source: ADMIN_SOURCE, indexer: deps.indexer, otherSources: 'take-over' });
  });
  deps.onKbChanged();
  return summary;
}

async function findArticle(db: Queryable, id: string) {
  const article = await getArticle(db, id);
  if (!article) throw notFound(id);
  return article;
}

const notFound = (id: string) => new AppError('not_found', `There is no article with id "${id}".`, { status: 404 });

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
