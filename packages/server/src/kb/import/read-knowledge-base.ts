import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { KbArticle } from '../kb-article.js';
import { KbImportError } from './kb-import-error.js';
import type { LocatedArticle } from './located-article.js';
import { parseCsv } from './parse-csv.js';
import { parseHtml } from './parse-html.js';
import { parseMarkdown } from './parse-markdown.js';
import { parseJsonArray, parseJsonLines } from './parse-records.js';

const parsers: Record<string, (text: string, file: string) => LocatedArticle[]> = {
  '.md': parseMarkdown,
  '.markdown': parseMarkdown,
  '.html': parseHtml,
  '.htm': parseHtml,
  '.json': parseJsonArray,
  '.jsonl': parseJsonLines,
  '.csv': parseCsv,
};
const SUPPORTED = Object.keys(parsers).join(', ');

export interface KnowledgeBaseFiles {
  articles: KbArticle[];
  /** Files read, relative to the import root. */
  files: string[];
  /** Files under a folder that no parser reads (they are left out, not an error). */
  skipped: string[];
}

/**
 * Reads and validates every article under `path` (a file, or a folder read
 * recursively; dot-files and node_modules are left out) without touching the
 * database. Any problem throws a KbImportError naming the file (relative to
 * the folder) and line, so an import either has all of its articles or fails
 * before writing.
 */
export async function readKnowledgeBase(path: string): Promise<KnowledgeBaseFiles> {
  const info = await stat(path).catch((error: unknown) => {
    throw new KbImportError(path, 1, 'no such file or folder', { cause: error });
  });
  const found = info.isDirectory() ? await listFiles(path, '') : [basename(path)];
  const files = found.filter((file) => parsers[extname(file).toLowerCase()]);
  const skipped = found.filter((file) => !parsers[extname(file).toLowerCase()]);
  if (!info.isDirectory() && files.length === 0) throw new KbImportError(basename(path), 1, `unsupported file type; use ${SUPPORTED}`);
  if (files.length === 0) throw new KbImportError(path, 1, `no ${SUPPORTED} files in this folder`);

  const located: LocatedArticle[] = [];
  for (const file of files) {
    const parse = parsers[extname(file).toLowerCase()];
    const absolute = info.isDirectory() ? join(path, file) : path;
    // One line-ending convention, so line numbers and chunk text are the same whoever saved the file.
    const text = (await readFile(absolute, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    if (parse) located.push(...parse(text, file));
  }

  const firstSeen = new Map<string, LocatedArticle>();
  for (const entry of located) {
    const first = firstSeen.get(entry.article.id);
    if (first) throw new KbImportError(entry.file, entry.line, `duplicate article id "${entry.article.id}" (first at ${first.file}:${first.line})`);
    firstSeen.set(entry.article.id, entry);
  }
  return { articles: located.map((entry) => entry.article), files, skipped };
}

/** Relative paths (with "/"), sorted, so ids and errors are the same on every machine. */
async function listFiles(root: string, prefix: string): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}
