import { z } from 'zod';
import { DEFAULT_LOCALE, formatDate, formatMoney } from '../../../i18n/format.js';
import { queryTerms } from '../../../kb/query-terms.js';

/**
 * Turns tool results into the local provider's reply. Every fact in the reply
 * comes from a tool result; where results are missing or weak the reply says
 * so and offers a human, instead of guessing.
 */

/** Below this a passage does not answer the question: say "I don't know". */
export const ANSWER_CONFIDENCE_THRESHOLD = 0.5;

const toolErrorSchema = z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) });

const kbResultSchema = z.object({
  ok: z.literal(true),
  data: z.object({
    passages: z.array(z.object({ ref: z.number(), title: z.string(), score: z.number(), text: z.string(), section: z.string().nullable().optional() })),
  }),
});

const bookingResultSchema = z.object({
  ok: z.literal(true),
  data: z.object({
    booking: z.object({
      reference: z.string(),
      kind: z.enum(['flight', 'hotel']),
      status: z.string(),
      fareType: z.string().nullable(),
      summary: z.string(),
      hotelName: z.string().nullable(),
      city: z.string().nullable(),
      startDate: z.string(),
      endDate: z.string().nullable(),
      passengers: z.number(),
      totalAmount: z.string(),
      currency: z.string(),
    }),
  }),
});

const walletResultSchema = z.object({
  ok: z.literal(true),
  data: z.object({ wallet: z.object({ balance: z.string(), currency: z.string(), updatedAt: z.string() }) }),
});

const proposalResultSchema = z.object({
  ok: z.literal(true),
  data: z.object({
    status: z.literal('awaiting_customer_confirmation'),
    bookingReference: z.string(),
    fee: z.object({ amount: z.string(), currency: z.string() }),
    refund: z.object({ amount: z.string(), currency: z.string() }).optional(),
    newDate: z.string().optional(),
    policy: z.string(),
  }),
});

const bookingListSchema = z.object({
  ok: z.literal(true),
  data: z.object({
    bookings: z.array(z.object({ reference: z.string(), status: z.string(), summary: z.string(), startDate: z.string() })),
    total: z.number(),
  }),
});

const ticketResultSchema = z.object({
  ok: z.literal(true),
  data: z.object({ ticketId: z.string(), alreadyOpen: z.boolean().optional() }),
});

export const OFFER_HUMAN = 'Would you like me to connect you with a human agent?';
export const DONT_KNOW =
  "I'm sorry, I don't have reliable information about that in our help centre, and I don't want to guess. " + OFFER_HUMAN;

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return null;
  }
}

const statusPhrases: Record<string, string> = {
  confirmed: 'confirmed',
  cancelled: 'cancelled',
  completed: 'completed',
  pending_payment: 'waiting for payment',
  changed: 'confirmed with changes',
};

/**
 * The reply to one tool result. Money and dates are written in `locale`, the
 * session's (i18n/format.ts): "£1,846.40", "14 Mar 2027" in en-GB.
 */
export function composeFromToolResult(toolName: string, content: string, question: string, locale: string = DEFAULT_LOCALE): string {
  const raw = parseJson(content);
  const money = (amount: string, currency: string) => formatMoney(amount, currency, locale);
  const date = (isoDate: string) => formatDate(isoDate, locale);
  const failure = toolErrorSchema.safeParse(raw);
  if (failure.success) return explainToolError(toolName, failure.data.error.code, failure.data.error.message);

  switch (toolName) {
    case 'search_knowledge_base': {
      const result = kbResultSchema.safeParse(raw);
      return result.success ? answerFromPassages(result.data.data.passages, question) : DONT_KNOW;
    }
    case 'lookup_booking': {
      const result = bookingResultSchema.safeParse(raw);
      if (!result.success) return DONT_KNOW;
      const booking = result.data.data.booking;
      const when = booking.endDate ? `${date(booking.startDate)} to ${date(booking.endDate)}` : date(booking.startDate);
      const fare = booking.fareType ? `, ${booking.fareType} fare` : '';
      const noun = booking.kind === 'flight' ? 'passenger' : 'guest';
      // Host summaries often already say "2 passengers"; do not say it twice.
      const travellers = new RegExp(`\\b${noun}s?\\b`, 'i').test(booking.summary) ? '' : `, ${booking.passengers} ${noun}${booking.passengers === 1 ? '' : 's'}`;
      return (
        `Your booking ${booking.reference} is ${statusPhrases[booking.status] ?? booking.status.replace(/_/g, ' ')}. ` +
        `${booking.summary} (${when}${fare}${travellers}), total ${money(booking.totalAmount, booking.currency)}. ` +
        'Is there anything you would like to do with this booking?'
      );
    }
    case 'get_wallet_balance': {
      const result = walletResultSchema.safeParse(raw);
      if (!result.success) return DONT_KNOW;
      const wallet = result.data.data.wallet;
      return `Your Skyway Wallet balance is ${money(wallet.balance, wallet.currency)} (last updated ${date(wallet.updatedAt)}). You can use it at checkout for any flight or hotel booking.`;
    }
    case 'request_booking_cancellation':
    case 'request_booking_change': {
      const result = proposalResultSchema.safeParse(raw);
      if (!result.success) return DONT_KNOW;
      const proposal = result.data.data;
      const what = proposal.newDate ? `moving booking ${proposal.bookingReference} to ${date(proposal.newDate)}` : `cancelling booking ${proposal.bookingReference}`;
      const refund = proposal.refund ? `, and you would get ${money(proposal.refund.amount, proposal.refund.currency)} back` : '';
      return (
        `I've prepared ${what}. The fee is ${money(proposal.fee.amount, proposal.fee.currency)}${refund}. ${proposal.policy} ` +
        // The card's own button names (the widget's and the classic page's): never "Cancel" for "keep".
        (proposal.newDate
          ? 'Nothing has changed yet: press "Change dates" on the card to go ahead, or "Keep dates" to leave your booking as it is.'
          : 'Nothing has changed yet: press "Cancel booking" on the card to go ahead, or "Keep booking" to leave it as it is.')
      );
    }
    case 'list_my_bookings': {
      const result = bookingListSchema.safeParse(raw);
      if (!result.success) return DONT_KNOW;
      const { bookings } = result.data.data;
      if (bookings.length === 0) return "I can't see any bookings on your account. If you booked as a guest, the reference is in your confirmation email.";
      const lines = bookings.slice(0, 5).map((booking) => `• ${booking.reference}: ${booking.summary} (${statusPhrases[booking.status] ?? booking.status.replace(/_/g, ' ')}, ${date(booking.startDate)})`);
      return `These are your bookings:\n${lines.join('\n')}\nWhich one would you like to know more about?`;
    }
    case 'create_ticket': {
      const result = ticketResultSchema.safeParse(raw);
      if (!result.success) return "I couldn't open a ticket just now. Please try the \"Talk to a human\" button.";
      return result.data.data.alreadyOpen
        ? `Your conversation is already with our support team (ticket ${result.data.data.ticketId}). An agent will reply here.`
        : `I've passed your conversation to our support team: your ticket number is ${result.data.data.ticketId}. An agent will reply here as soon as possible.`;
    }
    default:
      return DONT_KNOW;
  }
}

function explainToolError(toolName: string, code: string, message: string): string {
  switch (code) {
    case 'sign_in_required':
      return 'To look at bookings, your wallet or other account details, please sign in first — then ask me again and I will check it for you.';
    case 'booking_not_found': {
      return "I couldn't find a booking with that reference on your account. Please check the 6-character reference in your confirmation email. I can only see bookings made under your own account.";
    }
    case 'invalid_arguments':
      return toolName === 'lookup_booking'
        ? 'That does not look like a booking reference. It has 6 letters and digits, for example SKY4F2. Which booking do you mean?'
        : "I couldn't understand that request. Could you rephrase it?";
    case 'not_cancellable':
    case 'not_changeable':
      return `I can't ${code === 'not_cancellable' ? 'cancel' : 'change'} that booking online: ${message} ${OFFER_HUMAN}`;
    case 'wallet_not_found':
      return "I can't find a Skyway Wallet on your account yet. A wallet is created with your first refund or top-up.";
    default:
      return `Sorry, I couldn't reach that system just now. ${OFFER_HUMAN}`;
  }
}

/**
 * Extractive answer: the sentences of the best passage that share the most
 * words with the question, in their original order, cited with its number.
 */
function answerFromPassages(passages: Array<{ ref: number; title: string; score: number; text: string }>, question: string): string {
  const best = [...passages].sort((a, b) => b.score - a.score)[0];
  if (!best || best.score < ANSWER_CONFIDENCE_THRESHOLD) return DONT_KNOW;

  const terms = queryTerms(question).flatMap((term) => term.alternatives.map((alt) => alt.slice(0, 5)));
  const sentences = splitSentences(best.text);
  const scored = sentences.map((sentence, index) => {
    const lower = sentence.toLowerCase();
    const overlap = terms.filter((term) => lower.includes(term)).length;
    // Earlier sentences usually hold the direct answer: a small bonus keeps ties in order.
    return { sentence, index, score: overlap + (index === 0 ? 0.5 : 0) - index * 0.01 };
  });
  const chosen = scored
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .sort((a, b) => a.index - b.index)
    .map((entry) => entry.sentence);
  const body = (chosen.length > 0 ? chosen : sentences.slice(0, 2)).join(' ');
  return `${body} [${best.ref}]`;
}

function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').replace(/\*\*|__|`/g, '').trim())
    .filter((line) => line.length > 0 && !/^#+\s/.test(line))
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[A-Z0-9€£$])/))
    .map((sentence) => (/[.!?:]$/.test(sentence) ? sentence : `${sentence}.`));
}
