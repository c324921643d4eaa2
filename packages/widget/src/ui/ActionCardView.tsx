import { useId } from 'react';
import type { ActionCard } from '../core/conversation.js';
import { formatDay, formatMoney, formatTimeOnly } from '../format.js';
import type { Strings } from '../i18n/index.js';

/** Lines the card shows in the customer's language; the service's own fee/refund lines are replaced by these. */
const SERVICE_MONEY_LINE = /^(Cancellation fee|Change fee|Refund):/i;

interface Props {
  card: ActionCard;
  strings: Strings;
  locale: string;
  onAnswer: (actionId: string, answer: 'confirm' | 'cancel') => void;
}

export function outcomeText(card: ActionCard, strings: Strings): string {
  const cancellation = card.action.kind === 'booking_cancellation';
  switch (card.phase) {
    case 'pending':
      return '';
    case 'confirming':
      return strings.actionConfirming;
    case 'cancelling':
      return strings.actionDeclining;
    case 'done':
      return cancellation ? strings.actionDoneCancellation : strings.actionDoneChange;
    case 'cancelled':
      return cancellation ? strings.actionDeclinedCancellation : strings.actionDeclinedChange;
    case 'expired':
      return strings.actionExpired;
    case 'failed':
      return strings.actionFailed;
    case 'already_decided':
      return strings.actionAlreadyDecided;
    case 'unavailable':
      return strings.actionUnavailable;
  }
}

export function ActionCardView({ card, strings, locale, onAnswer }: Props) {
  const titleId = useId();
  const { action, phase } = card;
  const cancellation = action.kind === 'booking_cancellation';
  const title = cancellation
    ? strings.actionCancelTitle(action.bookingReference)
    : strings.actionChangeTitle(action.bookingReference, action.newStartDate ? formatDay(action.newStartDate, locale) : '');
  const lines = [
    strings.actionFee(formatMoney(action.fee, locale)),
    ...(action.refund ? [strings.actionRefund(formatMoney(action.refund, locale))] : []),
    ...(!cancellation && action.newStartDate ? [strings.actionNewDate(formatDay(action.newStartDate, locale))] : []),
    ...action.details.filter((line) => !SERVICE_MONEY_LINE.test(line)),
  ];
  const open = phase === 'pending' || phase === 'confirming' || phase === 'cancelling';
  const busy = phase === 'confirming' || phase === 'cancelling';
  const status = outcomeText(card, strings);
  return (
    <section className="sc-action" data-phase={phase} data-action-id={action.id} aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      <ul>
        {lines.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
      {open && (
        <>
          <p className="sc-action-valid">{strings.actionValidUntil(formatTimeOnly(action.expiresAt, locale))}</p>
          <div className="sc-action-buttons">
            <button type="button" className="sc-btn sc-btn-primary" disabled={busy} onClick={() => onAnswer(action.id, 'confirm')}>
              {cancellation ? strings.confirmCancellation : strings.confirmChange}
            </button>
            <button type="button" className="sc-btn" disabled={busy} onClick={() => onAnswer(action.id, 'cancel')}>
              {cancellation ? strings.keepBooking : strings.keepDates}
            </button>
          </div>
        </>
      )}
      <p className="sc-action-status" role="status">
        {status}
      </p>
    </section>
  );
}
