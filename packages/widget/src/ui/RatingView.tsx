import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { MAX_RATING_COMMENT_LENGTH } from '../core/controller.js';
import type { Strings } from '../i18n/index.js';
import { Icon } from './icons.js';

const SCORES = [1, 2, 3, 4, 5] as const;

/**
 * The end-of-chat rating: five stars (a radio group: arrows move and choose, as in any radio group), an
 * optional comment and Send. Like the consent question it is a strip above the composer (the transcript
 * keeps the newest message in view above it) inside a polite live region that is always there, so that
 * an offer that appears by itself is announced without taking the focus.
 */
export function RatingPrompt({
  show,
  strings,
  initialScore,
  initialComment,
  formRef,
  onSend,
  onDismiss,
}: {
  show: boolean;
  strings: Strings;
  initialScore: number | null;
  initialComment: string;
  formRef: RefObject<HTMLFormElement | null>;
  onSend: (score: number, comment: string) => void;
  onDismiss: () => void;
}) {
  return (
    <div className="sc-rating-live" aria-live="polite">
      {show && <RatingForm strings={strings} initialScore={initialScore} initialComment={initialComment} formRef={formRef} onSend={onSend} onDismiss={onDismiss} />}
    </div>
  );
}

function RatingForm({
  strings,
  initialScore,
  initialComment,
  formRef,
  onSend,
  onDismiss,
}: {
  strings: Strings;
  initialScore: number | null;
  initialComment: string;
  formRef: RefObject<HTMLFormElement | null>;
  onSend: (score: number, comment: string) => void;
  onDismiss: () => void;
}) {
  const questionId = useId();
  const commentId = useId();
  const [score, setScore] = useState<number | null>(initialScore);
  const [comment, setComment] = useState(initialComment);
  const stars = useRef<Array<HTMLButtonElement | null>>([]);

  const choose = (next: number) => {
    setScore(next);
    stars.current[next - 1]?.focus();
  };
  // The radio-group keys: arrows move to the next or previous star and choose it (wrapping), Home and End the ends.
  const onStarKey = (event: KeyboardEvent<HTMLButtonElement>, current: number) => {
    const next =
      event.key === 'ArrowRight' || event.key === 'ArrowUp'
        ? (current % 5) + 1
        : event.key === 'ArrowLeft' || event.key === 'ArrowDown'
          ? ((current + 3) % 5) + 1
          : event.key === 'Home'
            ? 1
            : event.key === 'End'
              ? 5
              : null;
    if (next === null) return;
    event.preventDefault();
    choose(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (score !== null) onSend(score, comment);
  };
  return (
    <form
      className="sc-rating"
      aria-labelledby={questionId}
      tabIndex={-1}
      ref={formRef}
      data-testid="rating-prompt"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          // Closes the rating, not the panel around it.
          event.stopPropagation();
          onDismiss();
        }
      }}
      noValidate
    >
      <div className="sc-rating-top">
        <p id={questionId}>{strings.ratingQuestion}</p>
        <div className="sc-stars" role="radiogroup" aria-labelledby={questionId}>
          {SCORES.map((value) => (
            <button
              key={value}
              ref={(node) => {
                stars.current[value - 1] = node;
              }}
              type="button"
              role="radio"
              className="sc-star"
              aria-checked={score === value}
              aria-label={strings.ratingStar(value)}
              // One tab stop: the chosen star, else the first.
              tabIndex={(score ?? 1) === value ? 0 : -1}
              data-on={String(score !== null && value <= score)}
              onClick={() => choose(value)}
              onKeyDown={(event) => onStarKey(event, value)}
            >
              <Icon name="star" />
            </button>
          ))}
        </div>
      </div>
      <label htmlFor={commentId}>{strings.ratingCommentLabel}</label>
      <textarea id={commentId} rows={2} maxLength={MAX_RATING_COMMENT_LENGTH} value={comment} onChange={(event) => setComment(event.target.value)} />
      <div className="sc-rating-buttons">
        <button type="button" className="sc-link-btn" onClick={onDismiss}>
          {strings.ratingNotNow}
        </button>
        <button type="submit" className="sc-btn sc-btn-primary" disabled={score === null}>
          {strings.ratingSend}
        </button>
      </div>
    </form>
  );
}

/** Under the composer: the way to rate the chat, or (once rated) the thanks with the way to change it. */
export function RatingNote({ score, strings, buttonRef, onOpen }: { score: number | null; strings: Strings; buttonRef: RefObject<HTMLButtonElement | null>; onOpen: () => void }) {
  if (score === null) {
    return (
      <button type="button" className="sc-link-btn sc-rate-btn" ref={buttonRef} onClick={onOpen}>
        <Icon name="star" />
        {strings.rateThisChat}
      </button>
    );
  }
  return (
    <span className="sc-rating-note" data-testid="rating-note" data-score={score}>
      <span>{strings.ratingThanks(score)}</span>
      <span aria-hidden="true">—</span>
      <button type="button" className="sc-link-btn" ref={buttonRef} aria-label={strings.ratingChangeLabel} onClick={onOpen}>
        {strings.ratingChange}
      </button>
    </span>
  );
}
