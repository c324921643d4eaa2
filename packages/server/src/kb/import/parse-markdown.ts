import { basename } from 'node:path';
import { buildArticle, documentFallbackId, type LocatedArticle } from './located-article.js';
import { KbImportError } from './kb-import-error.js';

const articleKeys = new Set(['id', 'title', 'category', 'url', 'locale', 'entity']);

/**
 * One Markdown file is one article. Optional front matter of simple
 * `key: value` lines between `---` lines sets id, title, category, url,
 * locale and entity (other keys go to the metadata); the title is the
 * front-matter title, else the first `# ` heading (removed from the body),
 * else the file name. Without an id, the id is the file's path.
 */
export function parseMarkdown(text: string, file: string): LocatedArticle[] {
  const lines = text.split('\n');
  const fields: Record<string, unknown> = {};
  const fieldLines: Record<string, number> = {};
  const metadata: Record<string, string> = {};
  let bodyStart = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
    if (end < 0) throw new KbImportError(file, 1, 'the front matter has no closing "---" line');
    for (let index = 1; index < end; index += 1) {
      const line = lines[index] ?? '';
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      const match = /^\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/.exec(line);
      if (!match?.[1]) throw new KbImportError(file, index + 1, 'front matter lines must be "key: value"');
      const key = match[1].toLowerCase();
      const value = unquote(match[2] ?? '');
      if (articleKeys.has(key)) {
        fields[key] = value;
        fieldLines[key] = index + 1;
      } else {
        metadata[key] = value;
      }
    }
    bodyStart = end + 1;
  }

  const body = lines.slice(bodyStart);
  const headingIndex = body.findIndex((line) => /^#\s+\S/.test(line));
  if (fields.title === undefined || fields.title === '') {
    fields.title = headingIndex >= 0 ? (body[headingIndex] ?? '').replace(/^#\s+/, '').trim() : titleFromFileName(file);
  }
  if (headingIndex >= 0 && (body[headingIndex] ?? '').replace(/^#\s+/, '').trim() === fields.title) body.splice(headingIndex, 1);
  fields.body = body.join('\n');
  fields.metadata = metadata;
  return [buildArticle({ file, line: 1, explicitId: fields.id, fallbackId: documentFallbackId(file), fields, fieldLines })];
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted?.[2] ?? value;
}

/** "refund-policy.md" → "refund policy": better than no title for a page that has no heading. */
export function titleFromFileName(file: string): string {
  return basename(file)
    .replace(/\.[^.]+$/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
}
