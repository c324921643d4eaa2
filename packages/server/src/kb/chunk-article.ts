/**
 * Splits a Markdown article into passages at its headings, so that retrieval
 * can point at the section that answers ("## Fees") instead of a whole page.
 * The lead paragraph becomes the first chunk, headed by the article title.
 */

export interface ArticleChunk {
  position: number;
  heading: string;
  body: string;
}

const MAX_CHUNK_CHARS = 1500;

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

/** Long sections are cut at paragraph breaks to stay under the size limit. */
function splitLong(body: string): string[] {
  if (body.length <= MAX_CHUNK_CHARS) return [body];
  const pieces: string[] = [];
  let current = '';
  for (const paragraph of body.split(/\n\s*\n/)) {
    if (current !== '' && current.length + paragraph.length + 2 > MAX_CHUNK_CHARS) {
      pieces.push(current);
      current = '';
    }
    current = current === '' ? paragraph : `${current}\n\n${paragraph}`;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}
