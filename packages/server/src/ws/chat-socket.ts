import type { FastifyInstance } from 'fastify';
import { WS_PATH } from '../conversation/session-service.js';
import { hashSessionToken } from '../conversation/session-tokens.js';
import { ChatConnection, CLOSE_TOO_MANY_REQUESTS, type ChatConnectionDeps } from './chat-connection.js';

export { CLOSE_SERVICE_RESTART, CLOSE_SLOW_READER, CLOSE_TOKEN_EXPIRED, CLOSE_TOKEN_REPLACED, CLOSE_TOO_MANY_REQUESTS, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED } from './chat-connection.js';

/**
 * The live chat edge: one ChatConnection per customer socket. A client
 * address that already holds its maximum of sockets on this node is refused
 * before the upgrade (HTTP 429), so it costs no websocket at all.
 */
export function registerChatSocket(app: FastifyInstance, deps: ChatConnectionDeps) {
  app.get(
    WS_PATH,
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const token = tokenOf(request.query);
        if (token && deps.connections.isCoolingDown(hashSessionToken(token))) {
          return reply
            .code(429)
            .header('retry-after', '10')
            .send({ error: { code: 'rate_limited', message: 'This session was disconnected for sending too much; reconnect in a few seconds.' } });
        }
        if (deps.connections.ipHasRoom(request.ip)) return;
        return reply
          .code(429)
          .header('retry-after', '10')
          .send({ error: { code: 'too_many_connections', message: 'Too many open chat connections from this address.' } });
      },
    },
    (socket, request) => {
      const token = tokenOf(request.query);
      const releaseIp = deps.connections.holdIp(request.ip);
      if (!releaseIp) {
        // Several upgrades from one address passed the check above at once; the ones past the cap go.
        socket.send(JSON.stringify({ type: 'error', code: 'too_many_connections', message: 'Too many open chat connections from this address.' }));
        socket.close(CLOSE_TOO_MANY_REQUESTS, 'too_many_connections');
        return;
      }
      socket.once('close', releaseIp);
      new ChatConnection(socket, token, request.log, deps);
    },
  );
}

function tokenOf(query: unknown): string | undefined {
  return typeof query === 'object' && query !== null && 'token' in query && typeof query.token === 'string' ? query.token : undefined;
}
