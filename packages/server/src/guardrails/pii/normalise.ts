/**
 * The form that PII detection reads. NFKC folds full-width and other
 * compatibility digits and letters ("４１１１", "ＧＢ２９") into ASCII, and
 * invisible characters that a writer (or an attacker) puts between digits
 * are dropped, so "4111\u200b1111…" is still a card number.
 */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export function normaliseForDetection(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** Replaces spans [start, end) of text, given in any order and not overlapping, by their labels. */
export function replaceSpans(text: string, spans: ReadonlyArray<{ start: number; end: number; label: string }>): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let result = '';
  let cursor = 0;
  for (const span of sorted) {
    if (span.start < cursor) continue;
    result += text.slice(cursor, span.start) + `[${span.label}]`;
    cursor = span.end;
  }
  return result + text.slice(cursor);
}

export interface Span {
  start: number;
  end: number;
  label: string;
}
