import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import { clientEventSchema, clientEventTypes, type ClientEvent, type ServerEvent } from '@support/protocol';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import type { ChatTurns } from '../conversation/chat-turns.js';
import type { PendingActions } from '../conversation/pending-actions.js';
import { WS_PATH, type AuthenticatedSession, type SessionService } from '../conversation/session-service.js';
import { AppError } from '../errors/app-error.js';
import { mapError } from '../http/error-mapping.js';

/** Close codes in the private range: the client can tell "log in again" from a network drop. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_TOKEN_EXPIRED = 4408;

const HEARTBEAT_MS = 30_000;

/**
 * The live chat edge. It authenticates the connection from its token, parses
 * every frame (never trusting it), hands valid events to ChatTurns, and turns
 * every failure into an `error` event. A bad frame costs the client an error
 * event, not its connection; only auth problems close it.
 */
export function registerChatSocket(
  app: FastifyInstance,
  deps: { sessionService: SessionService; turns: ChatTurns; pendingActions: PendingActions; bus: SessionEventBus },
) {
  app.get(WS_PATH, { websocket: true }, (socket, request) => {
    const log = request.log;
    const query = typeof request.query === 'object' && request.query !== null ? request.query : {};
    const token = 'token' in query && typeof query.token === 'string' ? query.token : undefined;
    const send = (event: ServerEvent) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    };

    // Listeners go on at once so that no frame sent right after the upgrade is lost while auth runs.
    const authenticated: Promise<AuthenticatedSession | null> = deps.sessionService.authenticate(token).then(
      (auth) => auth,
      (error: unknown) => {
        const mapped = mapError(error);
        send({ type: 'error', code: mapped.body.error.code, message: mapped.body.error.message });
        socket.close(mapped.body.error.code === 'token_expired' ? CLOSE_TOKEN_EXPIRED : CLOSE_UNAUTHORIZED, mapped.body.error.code);
        return null;
      },
    );

    let unsubscribe: (() => void) | undefined;
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe?.();
    });
    socket.on('error', (error) => log.warn({ err: error }, 'websocket error'));

    // Frames wait until the socket is subscribed to its session (with Redis, confirmed by Redis),
    // so no reply to them can be published before this connection listens.
    const connected: Promise<AuthenticatedSession | null> = authenticated
      .then(async (auth) => {
        if (!auth || socket.readyState !== socket.OPEN) return null;
        unsubscribe = deps.bus.subscribe(auth.session.id, send);
        await deps.bus.ready(auth.session.id);
        send(await deps.turns.state(auth.session.id));
        // A proposal the customer has not answered yet is shown again after a reconnect.
        for (const action of await deps.pendingActions.pendingFor(auth.session.id)) send({ type: 'action_proposed', action });
        return auth;
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'websocket setup failed');
        socket.close(1011, 'setup failed');
        return null;
      });

    // Frames are taken in the order they arrived: the next one starts once the
    // previous one is accepted (not answered), so quick messages keep their order.
    let intake: Promise<void> = connected.then(() => undefined);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      intake = intake.then(async () => {
        const auth = await connected;
        if (auth) await handleFrame({ data, isBinary, auth, send, socket, log, deps });
      });
    });
  });
}

async function handleFrame(input: {
  data: RawData;
  isBinary: boolean;
  auth: AuthenticatedSession;
  send: (event: ServerEvent) => void;
  socket: WebSocket;
  log: FastifyBaseLogger;
  deps: { sessionService: SessionService; turns: ChatTurns; pendingActions: PendingActions };
}): Promise<void> {
  const { auth, send, socket, log, deps } = input;
  let clientMessageId: string | undefined;
  try {
    const event = parseFrame(input.data, input.isBinary);
    if (event.type === 'send_message') clientMessageId = event.clientMessageId;

    // Idle expiry applies to live connections too: a socket left silent past the token lifetime is done.
    if ((await deps.sessionService.keepAlive(auth.session.id)) === 'expired') {
      send({ type: 'error', code: 'token_expired', message: 'The session token has expired; create a new session.' });
      socket.close(CLOSE_TOKEN_EXPIRED, 'token_expired');
      return;
    }
    switch (event.type) {
      case 'send_message': {
        const accepted = await deps.turns.acceptMessage(auth.session.id, event, send);
        // The reply streams on while the next frames are taken.
        void accepted.reply.catch((error: unknown) => reportFailure(error, auth, send, log, event.clientMessageId));
        break;
      }
      case 'escalate':
        await deps.turns.escalate(auth.session.id, event.reason);
        break;
      case 'feedback':
        await deps.turns.feedback(auth.session.id, event, send);
        break;
      case 'resume':
        await deps.turns.resume(auth.session.id, event.afterMessageId, send);
        break;
      case 'confirm_action':
        await deps.pendingActions.confirm(auth.session.id, event.actionId);
        break;
      case 'cancel_action':
        await deps.pendingActions.cancel(auth.session.id, event.actionId);
        break;
    }
  } catch (error) {
    reportFailure(error, auth, send, log, clientMessageId);
  }
}

function reportFailure(error: unknown, auth: AuthenticatedSession, send: (event: ServerEvent) => void, log: FastifyBaseLogger, clientMessageId: string | undefined) {
  const mapped = mapError(error);
  if (mapped.unexpected) log.error({ err: error, sessionId: auth.session.id }, 'chat event failed');
  send({ type: 'error', code: mapped.body.error.code, message: mapped.body.error.message, ...(clientMessageId ? { clientMessageId } : {}) });
}

/** Text frame → a valid client event, or an AppError with the contract's code. */
export function parseFrame(data: RawData, isBinary: boolean): ClientEvent {
  if (isBinary) throw new AppError('invalid_message', 'Binary frames are not supported; send JSON text.');
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('invalid_message', 'The frame is not valid JSON.');
  }
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? raw.type : undefined;
  if (typeof type !== 'string' || !clientEventTypes.some((known) => known === type)) {
    throw new AppError('invalid_message', `Unknown event type; expected one of ${clientEventTypes.join(', ')}.`);
  }
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`);
    throw new AppError('invalid_message', `Invalid ${type} event: ${problems.join('; ')}`);
  }
  return parsed.data;
}
