import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actOnce } from '../bus/job-runs.js';
import type { JobQueue } from '../bus/job-queue.js';
import { formatDate, formatMoney } from '../i18n/format.js';
import type { Database, Queryable } from '../storage/database.js';

/**
 * The slow side effects of a conversation, as background jobs: a confirmation
 * email after a booking change, a notification to the support team when a
 * ticket opens. Each writes to support_outbox, which a mail relay drains; the
 * job's idempotency key (the action or ticket id) makes it act once.
 */
export const BOOKING_ACTION_FOLLOW_UP = 'booking_action_follow_up';
export const TICKET_NOTIFICATION = 'ticket_notification';

const bookingActionPayload = z.object({
  actionId: z.string(),
  customerId: z.string(),
  kind: z.enum(['booking_cancellation', 'booking_change']),
  reference: z.string(),
  startDate: z.string(),
  refund: z.object({ amount: z.string(), currency: z.string() }).nullable(),
  /** The chat session's locale, for the email's money and dates (absent in jobs queued before it was added). */
  locale: z.string().max(100).optional(),
});
export type BookingActionFollowUp = z.infer<typeof bookingActionPayload>;

const ticketPayload = z.object({
  ticketId: z.string(),
  sessionId: z.string(),
  customerId: z.string().nullable(),
  subject: z.string(),
  source: z.string(),
});
export type TicketNotification = z.infer<typeof ticketPayload>;

async function writeOutbox(tx: Queryable, entry: { key: string; customerId: string | null; channel: string; subject: string; body: string }) {
  await tx.query(
    `INSERT INTO support_outbox (id, idempotency_key, customer_id, channel, subject, body) VALUES ($1, $2, $3, $4, $5, $6)`,
    [`out_${randomUUID().replace(/-/g, '')}`, entry.key, entry.customerId, entry.channel, entry.subject, entry.body],
  );
}

export function registerFollowUpJobs(queue: JobQueue, db: Database): void {
  queue.register(BOOKING_ACTION_FOLLOW_UP, async (raw, { idempotencyKey }) => {
    const job = bookingActionPayload.parse(raw);
    await actOnce(db, BOOKING_ACTION_FOLLOW_UP, idempotencyKey, (tx) =>
      writeOutbox(tx, {
        key: `${BOOKING_ACTION_FOLLOW_UP}:${job.actionId}`,
        customerId: job.customerId,
        channel: 'email',
        subject: job.kind === 'booking_cancellation' ? `Your booking ${job.reference} is cancelled` : `Your booking ${job.reference} has new dates`,
        body:
          job.kind === 'booking_cancellation'
            ? `Booking ${job.reference} is cancelled.${job.refund ? ` Refund: ${formatMoney(job.refund.amount, job.refund.currency, job.locale)}.` : ''}`
            : `Booking ${job.reference} now starts on ${formatDate(job.startDate, job.locale)}.`,
      }),
    );
  });

  queue.register(TICKET_NOTIFICATION, async (raw, { idempotencyKey }) => {
    const job = ticketPayload.parse(raw);
    await actOnce(db, TICKET_NOTIFICATION, idempotencyKey, (tx) =>
      writeOutbox(tx, {
        key: `${TICKET_NOTIFICATION}:${job.ticketId}`,
        customerId: null,
        channel: 'agent_queue',
        subject: `New ticket ${job.ticketId}: ${job.subject}`,
        body: `Conversation ${job.sessionId} (${job.customerId ?? 'guest'}) was handed over (${job.source}).`,
      }),
    );
  });
}

export function enqueueBookingActionFollowUp(queue: JobQueue, job: BookingActionFollowUp): Promise<void> {
  return queue.enqueue(BOOKING_ACTION_FOLLOW_UP, job, { idempotencyKey: job.actionId });
}

export function enqueueTicketNotification(queue: JobQueue, job: TicketNotification): Promise<void> {
  return queue.enqueue(TICKET_NOTIFICATION, job, { idempotencyKey: job.ticketId });
}
