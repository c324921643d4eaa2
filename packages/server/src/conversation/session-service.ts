import type { CreateSessionRequest, CreateSessionResponse, RefreshSessionResponse } from '@support/protocol';
import { AppError } from '../errors/app-error.js';
import type { CustomerTokenVerifier } from './customer-token.js';
import type { Identity } from './identity.js';
import { newSessionId } from './ids.js';
import type { ChatSession, SessionStore } from './session-store.js';
import { hashSessionToken, newSessionToken } from './session-tokens.js';
import { quotaKeyFor } from '../guardrails/token-usage.js';

export const WS_PATH = '/support/chat/ws';

export interface AuthenticatedSession {
  session: ChatSession;
  tokenHash: string;
}

/**
 * Session creation, authentication and token rotation. A session token is
 * short-lived and slides: every use pushes its idle expiry forward, a token
 * left idle past its lifetime is refused with token_expired, and a refresh
 * replaces it so the old one stops working at once.
 */
export class SessionService {
  constructor(
    private readonly deps: {
      sessions: SessionStore;
      customerTokens: CustomerTokenVerifier;
      tokenTtlSeconds: number;
      allowGuests: boolean;
      /** Keys the hash of a guest's IP in its quota key (so no address is stored). */
      quotaSecret: string;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.deps.tokenTtlSeconds * 1000);
  }

  /** `clientIp`: the caller's address (a guest's daily token cap is per IP). */
  async create(request: CreateSessionRequest, clientIp = 'unknown'): Promise<CreateSessionResponse> {
    const identity: Identity = request.customerToken ? await this.deps.customerTokens.verify(request.customerToken) : { kind: 'guest' };
    if (identity.kind === 'guest' && !this.deps.allowGuests) {
      throw new AppError('guests_disabled', 'Guest chat is turned off; sign in to chat.', { status: 403 });
    }
    const { token, hash } = newSessionToken();
    const expiresAt = this.expiry();

    if (request.resumeSessionId) {
      const earlier = await this.deps.sessions.findById(request.resumeSessionId);
      // Only a signed-in customer can resume, and only their own session; anything else looks like "no such session".
      const owned = earlier && identity.kind === 'customer' && earlier.identity.kind === 'customer' && earlier.identity.customerId === identity.customerId;
      if (!earlier || !owned || earlier.status === 'closed') {
        throw new AppError('session_not_found', 'There is no session of this customer to resume with that id.', { status: 404 });
      }
      await this.deps.sessions.reissueToken(earlier.id, hash, expiresAt);
      return this.describe(earlier, token, expiresAt);
    }

    const session = await this.deps.sessions.create({
      id: newSessionId(),
      identity,
      locale: request.locale ?? 'en',
      tokenHash: hash,
      tokenExpiresAt: expiresAt,
      quotaKey: quotaKeyFor(identity.kind === 'customer' ? { kind: 'customer', customerId: identity.customerId } : { kind: 'guest' }, clientIp, this.deps.quotaSecret),
    });
    return this.describe(session, token, expiresAt);
  }

  private describe(session: ChatSession, token: string, expiresAt: Date): CreateSessionResponse {
    return {
      sessionId: session.id,
      token,
      expiresAt: expiresAt.toISOString(),
      wsUrl: WS_PATH,
      customer: session.identity.kind === 'customer' ? { id: session.identity.customerId, name: session.identity.name } : null,
      status: session.status,
      trainingConsent: session.trainingConsent,
    };
  }

  /**
   * Resolves a bearer token to its session and slides its expiry. Throws
   * unauthorized for an unknown or rotated token, token_expired for an idle one.
   */
  async authenticate(token: string | undefined): Promise<AuthenticatedSession> {
    if (!token || token.length > 200) throw new AppError('unauthorized', 'A valid session token is required.', { status: 401 });
    const tokenHash = hashSessionToken(token);
    const session = await this.deps.sessions.findByTokenHash(tokenHash);
    if (!session) throw new AppError('unauthorized', 'The session token is not valid.', { status: 401 });
    if (!(await this.deps.sessions.touchToken(session.id, tokenHash, this.expiry(), this.now()))) {
      throw new AppError('token_expired', 'The session token has expired; create a new session.', { status: 401 });
    }
    return { session, tokenHash };
  }

  /** The token's session must be the one named in the path. */
  async authenticateFor(sessionId: string, token: string | undefined): Promise<AuthenticatedSession> {
    const authenticated = await this.authenticate(token);
    if (authenticated.session.id !== sessionId) {
      throw new AppError('forbidden', 'This token belongs to another session.', { status: 403 });
    }
    return authenticated;
  }

  async refresh(sessionId: string, token: string | undefined): Promise<RefreshSessionResponse> {
    const { tokenHash } = await this.authenticateFor(sessionId, token);
    const next = newSessionToken();
    const expiresAt = this.expiry();
    if (!(await this.deps.sessions.rotateToken(sessionId, tokenHash, next.hash, expiresAt, this.now()))) {
      throw new AppError('token_expired', 'The session token was already rotated or has expired.', { status: 401 });
    }
    return { token: next.token, expiresAt: expiresAt.toISOString() };
  }

  /** Whether the token a connection was opened with is still the session's current one (not rotated away). */
  async isCurrentToken(sessionId: string, tokenHash: string): Promise<boolean> {
    return (await this.deps.sessions.findByTokenHash(tokenHash))?.id === sessionId;
  }

  /**
   * How often a live socket's frames slide its token: at most every tenth of
   * the token's lifetime (and every minute), so that a conversation does not
   * cost a database write per frame. A socket's idle expiry then counts from
   * its last slide, at most that long before its last frame.
   */
  get slideEveryMs(): number {
    return Math.min(60_000, this.deps.tokenTtlSeconds * 100);
  }

  /** Between slides: whether the token a connection was opened with is still current and live, read only. */
  async checkToken(sessionId: string, tokenHash: string): Promise<'ok' | 'expired' | 'replaced'> {
    const found = await this.deps.sessions.findWithToken(sessionId, tokenHash);
    if (!found?.tokenCurrent) return 'replaced';
    return found.session.tokenExpiresAt > this.now() ? 'ok' : 'expired';
  }

  /**
   * For a live websocket, when a slide is due: slides the idle expiry of the token
   * the connection was opened with. 'replaced' when a refresh or resume has
   * rotated that token away since (the socket must go, even if the eviction
   * broadcast was lost), 'expired' when it sat idle past its lifetime.
   */
  async keepAlive(sessionId: string, tokenHash: string): Promise<'ok' | 'expired' | 'replaced'> {
    if (await this.deps.sessions.touchToken(sessionId, tokenHash, this.expiry(), this.now())) return 'ok';
    return (await this.isCurrentToken(sessionId, tokenHash)) ? 'expired' : 'replaced';
  }
}
