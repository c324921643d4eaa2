import { HTMLElement, parse, TextNode, type Node } from 'node-html-parser';
import { buildArticle, documentFallbackId, type LocatedArticle } from './located-article.js';
import { titleFromFileName } from './parse-markdown.js';

/** Page furniture and code: never part of an answer. */
const DROPPED = 'script, style, noscript, template, nav, svg, iframe, footer, button, form';
const BLOCKS = new Set(
  'address article aside blockquote dd details dialog div dl dt fieldset figcaption figure header hr li main ol p pre section summary table tbody thead tfoot tr ul'.split(' '),
);

/**
 * One HTML page is one article. The text of `<main>` (or `<article>`, or
 * `<body>`) becomes Markdown: headings stay headings (`##`), so chunking by
 * section works as for Markdown files; list items become "- " lines.
 * Title: `<title>`, else the first `<h1>`, else the file name; url from
 * `<link rel="canonical">`, locale from `<html lang>`.
 */
export function parseHtml(text: string, file: string): LocatedArticle[] {
  const root = parse(text, { comment: false });
  for (const element of root.querySelectorAll(DROPPED)) element.remove();
  const firstH1 = root.querySelector('h1');
  const title = collapse(root.querySelector('title')?.text ?? '') || collapse(firstH1?.text ?? '') || titleFromFileName(file);
  // The page's own h1 repeats the title; as a heading it would only make an empty first section.
  if (firstH1 && collapse(firstH1.text) === title) firstH1.remove();
  const content = root.querySelector('main') ?? root.querySelector('article') ?? root.querySelector('body') ?? root;
  const fields = {
    title,
    body: toMarkdown(content),
    url: root.querySelector('link[rel="canonical"]')?.getAttribute('href'),
    locale: root.querySelector('html')?.getAttribute('lang'),
  };
  return [buildArticle({ file, line: 1, explicitId: undefined, fallbackId: documentFallbackId(file), fields })];
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function toMarkdown(element: HTMLElement): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node instanceof TextNode) {
      out.push(node.text.replace(/\s+/g, ' '));
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    const tag = node.tagName?.toLowerCase() ?? '';
    const heading = /^h([1-6])$/.exec(tag)?.[1];
    if (heading) {
      out.push(`\n\n${'#'.repeat(Math.max(2, Number(heading)))} ${collapse(node.text)}\n\n`);
      return;
    }
    if (tag === 'br' || tag === 'pre') {
      out.push(tag === 'br' ? '\n' : `\n\n${node.text.trim()}\n\n`);
      return;
    }
    if (tag === 'li') out.push('\n- ');
    else if (BLOCKS.has(tag)) out.push('\n\n');
    for (const child of node.childNodes) walk(child);
    if (BLOCKS.has(tag) && tag !== 'li') out.push('\n\n');
    else if (tag === 'td' || tag === 'th') out.push(' ');
  };
  walk(element);
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/^- *$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
