/**
 * Splits a Markdown article into passages at its headings, so that retrieval
 * can point at the section that answers ("## Fees") instead of a whole page.
 * The lead paragraph becomes the first chunk, headed by the article title.
 * A section longer than the size limit is cut at the coarsest boundary that
 * fits (paragraph, line, sentence, word), and each further piece starts with
 * the last sentence(s) of the piece before it, so a passage that answers
 * does not lose the sentence that says what it is about.
 */

export interface ArticleChunk {
  position: number;
  heading: string;
  body: string;
}

/** Large enough for a whole FAQ answer, small enough for a focused embedding and a short prompt. */
export const MAX_CHUNK_CHARS = 1200;
/** At most this much of the previous piece is repeated, and only whole sentences. */
export const CHUNK_OVERLAP_CHARS = 150;

export function chunkArticle(title: string, markdown: string): ArticleChunk[] {
  const sections: Array<{ heading: string; lines: string[] }> = [{ heading: title, lines: [] }];
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading?.[1]) sections.push({ heading: heading[1].trim(), lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  const chunks: ArticleChunk[] = [];
  for (const section of sections) {
    const body = section.lines.join('\n').trim();
    if (body === '') continue;
    for (const piece of splitLong(body)) chunks.push({ position: chunks.length, heading: section.heading, body: piece });
  }
  return chunks;
}

/** A piece of text and the separator that joins it to the piece before it. */
interface Unit {
  text: string;
  sep: string;
}

/** From coarsest to finest: a cut at a paragraph break loses the least context. */
const boundaries: Array<{ pattern: RegExp; sep: string }> = [
  { pattern: /\n\s*\n/, sep: '\n\n' },
  { pattern: /\n/, sep: '\n' },
  { pattern: /(?<=[.!?]["'”’)\]]*)\s+/, sep: ' ' },
  { pattern: /\s+/, sep: ' ' },
];

function splitLong(body: string): string[] {
  if (body.length <= MAX_CHUNK_CHARS) return [body];
  const pieces: string[] = [];
  let current = '';
  for (const unit of toUnits(body, 0, '')) {
    if (current === '') {
      current = unit.text;
    } else if (current.length + unit.sep.length + unit.text.length <= MAX_CHUNK_CHARS) {
      current += unit.sep + unit.text;
    } else {
      pieces.push(current);
      const overlap = trailingSentences(current);
      current = overlap !== '' && overlap.length + unit.sep.length + unit.text.length <= MAX_CHUNK_CHARS ? overlap + unit.sep + unit.text : unit.text;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Cuts text into units no longer than the limit, each at the coarsest boundary that gets it there. */
function toUnits(text: string, level: number, sep: string): Unit[] {
  if (text.length <= MAX_CHUNK_CHARS) return [{ text, sep }];
  const boundary = boundaries[level];
  if (!boundary) {
    // One "word" longer than a chunk (a pasted URL or blob): plain slices are all that is left.
    const slices: Unit[] = [];
    for (let start = 0; start < text.length; start += MAX_CHUNK_CHARS) {
      slices.push({ text: text.slice(start, start + MAX_CHUNK_CHARS), sep: start === 0 ? sep : '' });
    }
    return slices;
  }
  const parts = text.split(boundary.pattern).filter((part) => part.trim() !== '');
  return parts.flatMap((part, index) => toUnits(part, level + 1, index === 0 ? sep : boundary.sep));
}

/** The last whole sentences (or lines) of a piece, within the overlap budget; '' when even the last one is longer. */
function trailingSentences(piece: string): string {
  const boundary = /[.!?]["'”’)\]]*\s+|\n+/g;
  for (const match of piece.matchAll(boundary)) {
    const start = match.index + match[0].length;
    if (start < piece.length && piece.length - start <= CHUNK_OVERLAP_CHARS) return piece.slice(start);
  }
  return '';
}
