import { randomUUID } from 'node:crypto';
import type { ProposedAction, ProposedActionStatus } from '@support/protocol';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import { AppError } from '../errors/app-error.js';
import { DEFAULT_LOCALE, formatDate, formatMoney } from '../i18n/format.js';
import type { Database } from '../storage/database.js';
import {
  cancellationQuoteSchema,
  changeQuoteSchema,
  type BookingChangeResult,
  type CancellationQuote,
  type ChangeQuote,
  type HostDataAdapter,
} from '../tools/adapters/host-data-adapter.js';
import { MessageStore } from './message-store.js';

type Proposal =
  | { kind: 'booking_cancellation'; quote: CancellationQuote }
  | { kind: 'booking_change'; quote: ChangeQuote };

interface ActionRow extends Record<string, unknown> {
  id: string;
  session_id: string;
  customer_id: string;
  kind: 'booking_cancellation' | 'booking_change';
  booking_reference: string;
  params: unknown;
  quote: unknown;
  status: string;
  reply_to_message_id: string | null;
  expires_at: Date | string;
  /** The session's locale, where a query asks for it alongside. */
  session_locale?: string | null;
}

export interface ExecutedAction {
  id: string;
  sessionId: string;
  customerId: string;
  kind: ProposedAction['kind'];
  result: BookingChangeResult;
  /** The session's locale: the follow-up (the confirmation email) is written in it. */
  locale: string;
}

/**
 * Changes to a booking never happen on the model's word. A tool proposes
 * (a row here, an `action_proposed` card to the customer); only the
 * customer's own confirm event, checked against the session that received
 * the proposal, executes it, exactly once: the status moves from pending to
 * executing in one conditional UPDATE, so a replayed or concurrent confirm
 * finds nothing to do.
 */
export class PendingActions {
  constructor(
    private readonly deps: {
      db: Database;
      hostData: HostDataAdapter;
      bus: SessionEventBus;
      ttlSeconds?: number;
      /** The service's clock: it sets expires_at and alone decides whether a proposal has expired (not the database's now()). */
      now?: () => Date;
      /** After a successful execution: follow-ups such as the confirmation email (a background job). */
      onExecuted?: (action: ExecutedAction) => Promise<void>;
      onError?: (error: unknown) => void;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The session's locale, in which the card and the notices write money and dates. */
  private async localeOf(sessionId: string): Promise<string | undefined> {
    const { rows } = await this.deps.db.query<{ locale: string }>('SELECT locale FROM support_chat_sessions WHERE id = $1', [sessionId]);
    return rows[0]?.locale;
  }

  /**
   * `replyToMessageId`: the customer message whose reply proposes it (the tool's turn), stored with the
   * proposal so that any client, live or from the history, puts the card after that reply.
   */
  async propose(
    input: { sessionId: string; customerId: string; bookingReference: string; newStartDate?: string; replyToMessageId?: string } & Proposal,
  ): Promise<ProposedAction> {
    const id = `act_${randomUUID().replace(/-/g, '')}`;
    const expiresAt = new Date(this.now().getTime() + (this.deps.ttlSeconds ?? 900) * 1000);
    const params = input.kind === 'booking_change' ? { newStartDate: input.quote.newStartDate } : {};
    const replyToMessageId = input.replyToMessageId ?? null;
    await this.deps.db.query(
      `INSERT INTO support_pending_actions (id, session_id, customer_id, kind, booking_reference, params, quote, expires_at, reply_to_message_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)`,
      [id, input.sessionId, input.customerId, input.kind, input.bookingReference, JSON.stringify(params), JSON.stringify(input.quote), expiresAt, replyToMessageId],
    );
    const action = describe(
      { id, kind: input.kind, bookingReference: input.bookingReference, quote: input.quote, expiresAt, replyToMessageId, status: 'pending' },
      await this.localeOf(input.sessionId),
    );
    this.deps.bus.publish(input.sessionId, { type: 'action_proposed', action });
    return action;
  }

  /** Actions of the session still waiting for an answer (for a reconnecting client). */
  async pendingFor(sessionId: string): Promise<ProposedAction[]> {
    const { rows } = await this.deps.db.query<ActionRow>(
      `SELECT * FROM support_pending_actions WHERE session_id = $1 AND status = 'pending' AND expires_at > $2 ORDER BY created_at, id`,
      [sessionId, this.now()],
    );
    return this.describeRows(sessionId, rows);
  }

  /**
   * Every action of the session, oldest first, each with where it stands (for the history): a proposal
   * past its expiry (by the service's clock) is `expired` even before anyone tried it, and one being
   * carried out (confirmed, its outcome not known yet) is still `pending` until its `action_updated`.
   */
  async listFor(sessionId: string): Promise<ProposedAction[]> {
    const { rows } = await this.deps.db.query<ActionRow>(`SELECT * FROM support_pending_actions WHERE session_id = $1 ORDER BY created_at, id`, [sessionId]);
    return this.describeRows(sessionId, rows);
  }

  private async describeRows(sessionId: string, rows: ActionRow[]): Promise<ProposedAction[]> {
    if (rows.length === 0) return [];
    const locale = await this.localeOf(sessionId);
    const now = this.now().getTime();
    return rows.flatMap((row) => {
      const proposal = proposalOf(row);
      if (!proposal) return [];
      const expiresAt = new Date(row.expires_at);
      return [
        describe(
          {
            id: row.id,
            kind: row.kind,
            bookingReference: row.booking_reference,
            quote: proposal.quote,
            expiresAt,
            replyToMessageId: row.reply_to_message_id,
            status: statusOf(row.status, expiresAt.getTime() <= now),
          },
          locale,
        ),
      ];
    });
  }

  async confirm(sessionId: string, actionId: string): Promise<void> {
    const { rows } = await this.deps.db.query<ActionRow>(
      `UPDATE support_pending_actions SET status = 'executing', decided_at = now()
        WHERE id = $1 AND session_id = $2 AND status = 'pending' AND expires_at > $3
        RETURNING *, (SELECT s.locale FROM support_chat_sessions s WHERE s.id = support_pending_actions.session_id) AS session_locale`,
      [actionId, sessionId, this.now()],
    );
    const row = rows[0];
    if (!row) throw await this.whyNotPending(sessionId, actionId);

    let result: BookingChangeResult;
    try {
      const params = row.params !== null && typeof row.params === 'object' && 'newStartDate' in row.params ? row.params : null;
      result =
        row.kind === 'booking_cancellation'
          ? await this.deps.hostData.cancelBooking(row.customer_id, row.booking_reference, row.id)
          : await this.deps.hostData.changeBooking(row.customer_id, row.booking_reference, String(params?.newStartDate ?? ''), row.id);
    } catch (error) {
      this.deps.onError?.(error);
      await this.finish(row, 'failed', null);
      await this.say(sessionId, `I couldn't complete that change, so booking ${row.booking_reference} stays exactly as it was. Would you like me to connect you with a human agent?`);
      return;
    }
    await this.finish(row, 'done', result);
    // Read with the claim above: no extra query (and no extra way to fail) once the host has acted.
    const locale = row.session_locale ?? DEFAULT_LOCALE;
    await this.say(
      sessionId,
      row.kind === 'booking_cancellation'
        ? `Done: booking ${result.reference} is cancelled.${result.refund && Number(result.refund.amount) > 0 ? ` Your refund of ${formatMoney(result.refund.amount, result.refund.currency, locale)} is on its way.` : ''} A confirmation email follows.`
        : `Done: booking ${result.reference} now starts on ${formatDate(result.startDate, locale)}. A confirmation email follows.`,
    );
    await this.deps.onExecuted?.({ id: row.id, sessionId, customerId: row.customer_id, kind: row.kind, result, locale }).catch((error: unknown) => this.deps.onError?.(error));
  }

  async cancel(sessionId: string, actionId: string): Promise<void> {
    const { rows } = await this.deps.db.query<ActionRow>(
      `UPDATE support_pending_actions SET status = 'cancelled', decided_at = now()
        WHERE id = $1 AND session_id = $2 AND status = 'pending' RETURNING *`,
      [actionId, sessionId],
    );
    const row = rows[0];
    if (!row) throw await this.whyNotPending(sessionId, actionId);
    this.deps.bus.publish(sessionId, { type: 'action_updated', actionId, status: 'cancelled' });
    await this.say(sessionId, `Okay, I haven't changed anything: booking ${row.booking_reference} stays as it is.`);
  }

  private async finish(row: ActionRow, status: 'done' | 'failed', result: BookingChangeResult | null): Promise<void> {
    await this.deps.db.query(`UPDATE support_pending_actions SET status = $2, result = $3::jsonb WHERE id = $1`, [row.id, status, JSON.stringify(result)]);
    this.deps.bus.publish(row.session_id, { type: 'action_updated', actionId: row.id, status });
  }

  private async say(sessionId: string, text: string): Promise<void> {
    const message = await new MessageStore(this.deps.db).insertReply(sessionId, { role: 'assistant', text });
    if (message) this.deps.bus.publish(sessionId, { type: 'message', message });
  }

  /** Expired, already decided, or not this session's (which looks like "not found", so ids cannot be probed). */
  private async whyNotPending(sessionId: string, actionId: string): Promise<AppError> {
    const { rows } = await this.deps.db.query<{ status: string; expired: boolean }>(
      `SELECT status, expires_at <= $3 AS expired FROM support_pending_actions WHERE id = $1 AND session_id = $2`,
      [actionId, sessionId, this.now()],
    );
    const row = rows[0];
    if (!row) return new AppError('action_not_found', 'There is no action with that id waiting in this conversation.', { status: 404 });
    if (row.status === 'pending' && row.expired) {
      const expired = await this.deps.db.query(`UPDATE support_pending_actions SET status = 'expired' WHERE id = $1 AND status = 'pending' RETURNING id`, [actionId]);
      if (expired.rows.length > 0) this.deps.bus.publish(sessionId, { type: 'action_updated', actionId, status: 'expired' });
      return new AppError('action_expired', 'This proposal has expired; ask again for a fresh quote.', { status: 409 });
    }
    return new AppError('action_already_decided', 'This action was already confirmed or declined.', { status: 409 });
  }
}

/** The stored status as the wire says it: `executing` (confirmed, not finished) is not an outcome yet. */
function statusOf(stored: string, pastExpiry: boolean): ProposedActionStatus {
  switch (stored) {
    case 'done':
    case 'cancelled':
    case 'expired':
    case 'failed':
      return stored;
    case 'pending':
      return pastExpiry ? 'expired' : 'pending';
    default:
      return 'pending';
  }
}

function proposalOf(row: ActionRow): Proposal | null {
  if (row.kind === 'booking_cancellation') {
    const quote = cancellationQuoteSchema.safeParse(row.quote);
    return quote.success ? { kind: row.kind, quote: quote.data } : null;
  }
  const quote = changeQuoteSchema.safeParse(row.quote);
  return quote.success ? { kind: row.kind, quote: quote.data } : null;
}

/** The confirmation card; its money and dates in the session's locale (the structured fee, refund and date stay as they are). */
function describe(
  input: {
    id: string;
    kind: ProposedAction['kind'];
    bookingReference: string;
    quote: CancellationQuote | ChangeQuote;
    expiresAt: Date;
    replyToMessageId: string | null;
    status: ProposedActionStatus;
  },
  locale: string | undefined,
): ProposedAction {
  const { quote } = input;
  const fee = formatMoney(quote.fee.amount, quote.fee.currency, locale);
  const extensions = { ...(input.replyToMessageId ? { replyToMessageId: input.replyToMessageId } : {}), status: input.status };
  if ('refund' in quote) {
    return {
      id: input.id,
      kind: input.kind,
      bookingReference: input.bookingReference,
      title: `Cancel booking ${input.bookingReference}`,
      details: [`Cancellation fee: ${fee}`, `Refund: ${formatMoney(quote.refund.amount, quote.refund.currency, locale)} to your ${quote.refundMethod}`, quote.policy],
      fee: quote.fee,
      refund: quote.refund,
      newStartDate: null,
      expiresAt: input.expiresAt.toISOString(),
      ...extensions,
    };
  }
  return {
    id: input.id,
    kind: input.kind,
    bookingReference: input.bookingReference,
    title: `Move booking ${input.bookingReference} to ${formatDate(quote.newStartDate, locale)}`,
    details: [`Change fee: ${fee}`, quote.policy],
    fee: quote.fee,
    refund: null,
    newStartDate: quote.newStartDate,
    expiresAt: input.expiresAt.toISOString(),
    ...extensions,
  };
}
