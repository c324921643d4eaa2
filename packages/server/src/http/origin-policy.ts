import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AllowedOrigins } from '../config.js';

/**
 * Which web pages may use the service from a browser (ALLOWED_ORIGINS).
 *
 * - `/support/chat/*` (REST, its preflights, and the websocket at
 *   /support/chat/ws): a request whose `Origin` header is neither allowed
 *   nor the service's own is refused with 403 `origin_not_allowed` before
 *   any work (no session row, no token check); a websocket upgrade gets the
 *   403 instead of a socket. The REST routes answer allowed origins with CORS
 *   headers (see registerChatCors); websockets have no CORS, the check is
 *   all there is.
 * - `/support/agent/*` (REST and socket): the same check, so a foreign page
 *   cannot drive the agent API either; but never CORS headers: the console
 *   is served by the service itself (same origin), and no other page needs
 *   to read agent data. An allowed origin passes the check (the console's
 *   dev server, `vite dev`, forwards its own origin through its proxy).
 * - A request without `Origin` (curl, a server-side integration, a load
 *   generator) is not a browser page's: its tokens decide, as before.
 * - Everything else (/healthz, /readyz, /metrics, /console, /widget, the
 *   demo site, /admin) is left alone.
 */

export type OriginRouteGroup = 'chat' | 'agent';

const CHAT_PREFIX = '/support/chat';
const AGENT_PREFIX = '/support/agent';

/** Methods and request headers a browser may use on /support/chat/* (tokens travel in the body or Authorization). */
export const CHAT_CORS_METHODS = ['GET', 'POST'];
export const CHAT_CORS_ALLOWED_HEADERS = ['content-type', 'authorization'];
/**
 * Response headers a page may read besides the CORS-safelisted ones:
 * Retry-After on a 429, and Date, from which a client corrects its clock
 * before scheduling token refreshes. Nothing secret is in a header.
 */
export const CHAT_CORS_EXPOSED_HEADERS = ['retry-after', 'date'];
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The route group of a request: by its matched route when it has one (so no
 * percent-encoding of the path slips past), else (404s, the catch-all
 * OPTIONS route) by its decoded path.
 */
export function originRouteGroup(request: FastifyRequest): OriginRouteGroup | null {
  const route = request.routeOptions.url;
  let path = route !== undefined && route !== '*' && route !== '/*' ? route : request.url.split('?')[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // Malformed escapes: judged as written.
  }
  path = path.replace(/\/{2,}/g, '/').toLowerCase();
  if (within(path, CHAT_PREFIX)) return 'chat';
  if (within(path, AGENT_PREFIX)) return 'agent';
  return null;
}

export class OriginPolicy {
  private readonly publicOrigin: string | null;

  constructor(
    private readonly allowed: AllowedOrigins,
    /** PUBLIC_BASE_URL: the service's own origin as the outside world sees it, when the Host header does not say. */
    publicBaseUrl?: string,
  ) {
    let publicOrigin: string | null = null;
    try {
      publicOrigin = publicBaseUrl ? new URL(publicBaseUrl).origin : null;
    } catch {
      publicOrigin = null;
    }
    this.publicOrigin = publicOrigin;
  }

  /** Whether a browser page at `origin` may call this request's route group. */
  allows(origin: string, request: FastifyRequest): boolean {
    if (this.allowed.kind === 'any') return true;
    if (this.allowed.origins.includes(origin)) return true;
    return this.isOwnOrigin(origin, request);
  }

  /** The page was served by this service (the console, the demo site): its origin names the host the request went to. */
  private isOwnOrigin(origin: string, request: FastifyRequest): boolean {
    if (origin === this.publicOrigin) return true;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false; // "null" (sandboxed frames, file: pages) and garbage
    }
    return host !== '' && host === request.host.toLowerCase();
  }
}

function originHeader(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== '' ? origin : undefined;
}

/**
 * The refusal, as the first hook of every request: ahead of CORS, rate
 * limits, body parsing and the websocket upgrade.
 */
export function registerOriginCheck(app: FastifyInstance, policy: OriginPolicy): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = originHeader(request);
    if (origin === undefined) return;
    const group = originRouteGroup(request);
    if (group === null || policy.allows(origin, request)) return;
    request.log.info({ origin: origin.slice(0, 200), group }, 'request from a web origin that is not allowed refused');
    // A refused websocket upgrade keeps no socket open: the connection ends with the answer.
    if (request.headers.upgrade !== undefined) void reply.header('connection', 'close');
    return reply
      .code(403)
      .header('cache-control', 'no-store')
      .send({
        error: {
          code: 'origin_not_allowed',
          message:
            group === 'chat'
              ? 'This web page may not use the chat service: its origin is not in the service\'s ALLOWED_ORIGINS.'
              : 'The agent API answers the agent console only: this web page\'s origin is not allowed.',
        },
      });
  });
}

/**
 * CORS for /support/chat/* REST routes, registered in the scope that holds
 * them (so that /healthz and the rest get no Vary or CORS headers): an
 * allowed origin is echoed back (never `*`, with `Vary: Origin`), without
 * credentials (tokens travel in the body and the Authorization header, not
 * in cookies). Preflights to any other path find no CORS (404).
 */
export async function registerChatCors(scope: FastifyInstance, policy: OriginPolicy): Promise<void> {
  await scope.register(cors, {
    hook: 'onRequest',
    delegator: (request, callback) => {
      const origin = originHeader(request);
      const allowed = origin !== undefined && originRouteGroup(request) === 'chat' && policy.allows(origin, request);
      callback(null, {
        origin: allowed,
        methods: CHAT_CORS_METHODS,
        allowedHeaders: CHAT_CORS_ALLOWED_HEADERS,
        exposedHeaders: CHAT_CORS_EXPOSED_HEADERS,
        credentials: false,
        maxAge: PREFLIGHT_MAX_AGE_SECONDS,
        strictPreflight: true,
      });
    },
  });
}
