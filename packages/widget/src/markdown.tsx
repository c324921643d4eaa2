/**
 * A small, safe Markdown subset for assistant and agent replies, parsed to
 * a tree and rendered as VDOM elements: no HTML string is ever produced or
 * injected (no innerHTML, no dangerouslySetInnerHTML), so raw HTML in a
 * reply is shown as the literal text it is.
 *
 * Blocks: paragraphs (a single newline is a line break), "- " / "* " bullet
 * lists, "1. " / "1) " numbered lists, ``` fenced code. Inline: **bold**,
 * *italic*, `code`, [text](url), bare http(s) URLs, and citation markers
 * "[1]". Only absolute http:, https: and mailto: URLs become links (opening
 * in a new tab, rel="noopener noreferrer nofollow"); any other link renders
 * as its plain source text. Unclosed markup stays literal.
 */
import { Fragment, type ReactNode } from 'react';
import { safeHref } from './core/urls.js';

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'ref'; n: number }
  | { type: 'br' };

export type Block =
  | { type: 'p'; children: Inline[] }
  | { type: 'ul'; items: Inline[][] }
  | { type: 'ol'; start: number; items: Inline[][] }
  | { type: 'pre'; text: string };

const MAX_DEPTH = 6;
const BULLET = /^\s{0,3}[-*•]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;
const LINK = /^\[([^\]\n]*)\]\(\s*([^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\s*\)/;
const BARE_URL = /^https?:\/\/[^\s<>"'`]+/i;
const REF = /^\[(\d{1,3})\]/;

function pushText(out: Inline[], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.type === 'text') last.text += text;
  else out.push({ type: 'text', text });
}

/** Trailing punctuation is the sentence's, not the URL's; so is a ")" the URL did not open. */
function trimBareUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const ch = url[end - 1];
    if (ch && '.,;:!?*_~'.includes(ch)) {
      end -= 1;
      continue;
    }
    if (ch === ')') {
      const slice = url.slice(0, end);
      if ((slice.match(/\(/g)?.length ?? 0) < (slice.match(/\)/g)?.length ?? 0)) {
        end -= 1;
        continue;
      }
    }
    break;
  }
  return url.slice(0, end);
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

export function parseInline(source: string, options: { links?: boolean; depth?: number } = {}): Inline[] {
  const links = options.links ?? true;
  const depth = options.depth ?? 0;
  const out: Inline[] = [];
  if (depth > MAX_DEPTH) {
    pushText(out, source);
    return out;
  }
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const rest = source.slice(i);
    if (ch === '\n') {
      out.push({ type: 'br' });
      i += 1;
      continue;
    }
    if (ch === '`') {
      const close = source.indexOf('`', i + 1);
      if (close > i + 1) {
        out.push({ type: 'code', text: source.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    }
    if (ch === '*' && source[i + 1] === '*') {
      const close = source.indexOf('**', i + 2);
      const inner = close === -1 ? '' : source.slice(i + 2, close);
      if (close !== -1 && inner.trim() !== '' && !/^\s/.test(inner) && !/\s$/.test(inner)) {
        out.push({ type: 'strong', children: parseInline(inner, { links, depth: depth + 1 }) });
        i = close + 2;
        continue;
      }
      pushText(out, '**');
      i += 2;
      continue;
    }
    if (ch === '*') {
      // A closing single star that is not half of a "**".
      let close = -1;
      for (let j = i + 1; j < source.length; j += 1) {
        if (source[j] === '\n') break;
        if (source[j] === '*') {
          if (source[j + 1] === '*') {
            const after = source.indexOf('**', j + 2);
            if (after === -1) break;
            j = after + 1;
            continue;
          }
          close = j;
          break;
        }
      }
      const inner = close === -1 ? '' : source.slice(i + 1, close);
      if (close !== -1 && inner.trim() !== '' && !/^\s/.test(inner) && !/\s$/.test(inner)) {
        out.push({ type: 'em', children: parseInline(inner, { links, depth: depth + 1 }) });
        i = close + 1;
        continue;
      }
      pushText(out, '*');
      i += 1;
      continue;
    }
    if (ch === '[') {
      const ref = REF.exec(rest);
      if (ref && source[i + ref[0].length] !== '(') {
        out.push({ type: 'ref', n: Number(ref[1]) });
        i += ref[0].length;
        continue;
      }
      const link = links ? LINK.exec(rest) : null;
      if (link) {
        const href = safeHref(link[2] ?? '');
        const label = link[1] ?? '';
        if (href && label.trim() !== '') out.push({ type: 'link', href, children: parseInline(label, { links: false, depth: depth + 1 }) });
        else pushText(out, link[0]); // not a URL we link to: the source, as text
        i += link[0].length;
        continue;
      }
    }
    if (links && (ch === 'h' || ch === 'H') && !isWordChar(source[i - 1])) {
      const bare = BARE_URL.exec(rest);
      if (bare) {
        const url = trimBareUrl(bare[0]);
        const href = safeHref(url);
        if (href) out.push({ type: 'link', href, children: [{ type: 'text', text: url }] });
        else pushText(out, url);
        i += url.length;
        continue;
      }
    }
    // Plain text up to the next character that may start markup.
    let j = i + 1;
    while (j < source.length && !'\n`*[hH'.includes(source[j] as string)) j += 1;
    pushText(out, source.slice(i, j));
    i = j;
  }
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { type: 'ul' | 'ol'; start: number; items: string[] } | null = null;

  const flushParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: 'p', children: parseInline(paragraph.join('\n')) });
    paragraph = [];
  };
  const flushList = () => {
    if (!list) return;
    const items = list.items.map((item) => parseInline(item));
    blocks.push(list.type === 'ul' ? { type: 'ul', items } : { type: 'ol', start: list.start, items });
    list = null;
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (FENCE.test(line)) {
      flushParagraph();
      flushList();
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !FENCE.test(lines[index] as string)) {
        code.push(lines[index] as string);
        index += 1;
      }
      blocks.push({ type: 'pre', text: code.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      flushParagraph();
      const type = bullet ? 'ul' : 'ol';
      const text = (bullet ? bullet[1] : numbered?.[2]) ?? '';
      if (!list || list.type !== type) {
        flushList();
        list = { type, start: numbered ? Number(numbered[1]) : 1, items: [] };
      }
      list.items.push(text);
      continue;
    }
    const current = list as { items: string[] } | null;
    if (current && /^\s{2,}\S/.test(line)) {
      // An indented line continues the list item above it.
      const last = current.items.length - 1;
      current.items[last] = `${current.items[last] ?? ''}\n${line.trim()}`;
      continue;
    }
    flushList();
    const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
    paragraph.push(heading ? `**${(heading[1] ?? '').replace(/\*\*/g, '')}**` : line);
  }
  flushParagraph();
  flushList();
  return blocks;
}

function renderInline(nodes: Inline[], keyPrefix: string): ReactNode[] {
  return nodes.map((node, index) => {
    const key = `${keyPrefix}${index}`;
    switch (node.type) {
      case 'text':
        return <Fragment key={key}>{node.text}</Fragment>;
      case 'br':
        return <br key={key} />;
      case 'code':
        return <code key={key}>{node.text}</code>;
      case 'strong':
        return <strong key={key}>{renderInline(node.children, `${key}.`)}</strong>;
      case 'em':
        return <em key={key}>{renderInline(node.children, `${key}.`)}</em>;
      case 'ref':
        return (
          <sup key={key} className="sc-ref">
            [{node.n}]
          </sup>
        );
      case 'link':
        return (
          <a key={key} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
            {renderInline(node.children, `${key}.`)}
          </a>
        );
    }
  });
}

export function renderBlocks(blocks: Block[]): ReactNode[] {
  return blocks.map((block, index) => {
    const key = `b${index}`;
    switch (block.type) {
      case 'p':
        return <p key={key}>{renderInline(block.children, `${key}.`)}</p>;
      case 'pre':
        return (
          <pre key={key}>
            <code>{block.text}</code>
          </pre>
        );
      case 'ul':
        return (
          <ul key={key}>
            {block.items.map((item, i) => (
              <li key={i}>{renderInline(item, `${key}.${i}.`)}</li>
            ))}
          </ul>
        );
      case 'ol':
        return (
          <ol key={key} start={block.start === 1 ? undefined : block.start}>
            {block.items.map((item, i) => (
              <li key={i}>{renderInline(item, `${key}.${i}.`)}</li>
            ))}
          </ol>
        );
    }
  });
}

/** A reply's text as safe, formatted elements. */
export function Markdown({ text }: { text: string }) {
  return <>{renderBlocks(parseMarkdown(text))}</>;
}

/** The text without markup, for the live region's announcement. */
export function plainText(source: string): string {
  const flatten = (nodes: Inline[]): string =>
    nodes.map((node) => (node.type === 'text' || node.type === 'code' ? node.text : node.type === 'br' ? ' ' : node.type === 'ref' ? `[${node.n}]` : flatten(node.children))).join('');
  return parseMarkdown(source)
    .map((block) => (block.type === 'p' ? flatten(block.children) : block.type === 'pre' ? block.text : block.items.map(flatten).join('; ')))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}
