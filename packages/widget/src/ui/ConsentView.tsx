import { useId, type RefObject } from 'react';
import type { Strings } from '../i18n/index.js';

/**
 * The training-consent question: a strip above the composer (it takes no room from the newest message,
 * which the transcript keeps in view above it), two answers of equal weight. It sits in a polite live
 * region that is always there, so that screen readers hear it when it appears; it never takes the focus
 * by itself.
 */
export function ConsentPrompt({
  show,
  strings,
  groupRef,
  onAnswer,
}: {
  show: boolean;
  strings: Strings;
  groupRef: RefObject<HTMLDivElement | null>;
  onAnswer: (training: boolean) => void;
}) {
  const questionId = useId();
  return (
    <div className="sc-consent-live" aria-live="polite">
      {show && (
        <div className="sc-consent" role="group" aria-labelledby={questionId} tabIndex={-1} ref={groupRef} data-testid="consent-prompt">
          <p id={questionId}>{strings.consentQuestion}</p>
          <div className="sc-consent-buttons">
            <button type="button" className="sc-btn" data-consent="yes" onClick={() => onAnswer(true)}>
              {strings.consentYes}
            </button>
            <button type="button" className="sc-btn" data-consent="no" onClick={() => onAnswer(false)}>
              {strings.consentNo}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** What the customer answered, under the composer, with the way to change it. */
export function ConsentNote({ allowed, strings, buttonRef, onChange }: { allowed: boolean; strings: Strings; buttonRef: RefObject<HTMLButtonElement | null>; onChange: () => void }) {
  return (
    <span className="sc-consent-note" data-testid="consent-note" data-allowed={String(allowed)}>
      <span>{strings.consentNote(allowed)}</span>
      <button type="button" className="sc-link-btn" ref={buttonRef} aria-label={strings.consentChangeLabel} onClick={onChange}>
        {strings.consentChange}
      </button>
    </span>
  );
}
