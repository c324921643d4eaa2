// @vitest-environment happy-dom
import { vi, describe, expect, it, afterEach } from 'vitest';

// The source is written against React's API; tests render it with Preact, as the script-tag bundle does.
vi.mock('react', async () => await import('preact/compat'));
vi.mock('react/jsx-runtime', async () => await import('preact/jsx-runtime'));
vi.mock('react/jsx-dev-runtime', async () => await import('preact/jsx-dev-runtime'));

import { cleanup, render } from '@testing-library/preact';
import { Markdown, parseInline, parseMarkdown, plainText } from './markdown.js';

afterEach(cleanup);

function html(text: string): HTMLElement {
  return render(<Markdown text={text} />).container as HTMLElement;
}

describe('markdown blocks', () => {
  it('paragraphs split on blank lines; a single newline is a line break', () => {
    const root = html('First line\nsecond line\n\nNew paragraph');
    const paragraphs = root.querySelectorAll('p');
    expect(paragraphs).toHaveLength(2);
    expect(paragraphs[0]?.querySelectorAll('br')).toHaveLength(1);
    expect(paragraphs[0]?.textContent).toBe('First linesecond line');
    expect(paragraphs[1]?.textContent).toBe('New paragraph');
  });

  it('bullet lists with - or *', () => {
    const root = html('Options:\n- Basic\n* Standard\n- **Flex** fare');
    expect(root.querySelector('p')?.textContent).toBe('Options:');
    const items = [...root.querySelectorAll('ul > li')];
    expect(items.map((li) => li.textContent)).toEqual(['Basic', 'Standard', 'Flex fare']);
    expect(items[2]?.querySelector('strong')?.textContent).toBe('Flex');
  });

  it('numbered lists keep their start number', () => {
    const root = html('1. Open the booking\n2. Choose "Cancel"\n\n4) later step');
    const lists = root.querySelectorAll('ol');
    expect(lists).toHaveLength(2);
    expect([...lists[0]!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Open the booking', 'Choose "Cancel"']);
    expect(lists[0]?.getAttribute('start')).toBeNull();
    expect(lists[1]?.getAttribute('start')).toBe('4');
  });

  it('an indented line continues a list item', () => {
    expect(parseMarkdown('- one\n  more of one\n- two')).toEqual([
      { type: 'ul', items: [[{ type: 'text', text: 'one' }, { type: 'br' }, { type: 'text', text: 'more of one' }], [{ type: 'text', text: 'two' }]] },
    ]);
  });

  it('fenced code is shown verbatim', () => {
    const root = html('```\n**not bold** <b>x</b>\n```');
    expect(root.querySelector('pre code')?.textContent).toBe('**not bold** <b>x</b>');
    expect(root.querySelector('strong')).toBeNull();
  });
});

describe('markdown inline', () => {
  it('bold, italic and code', () => {
    const root = html('This is **bold**, *italic* and `code with **stars**`.');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('em')?.textContent).toBe('italic');
    expect(root.querySelector('code')?.textContent).toBe('code with **stars**');
    expect(root.querySelectorAll('strong')).toHaveLength(1);
  });

  it('nested markup', () => {
    const root = html('**bold with *italic* inside** and *italic with **bold** inside*');
    expect(root.querySelector('strong > em')?.textContent).toBe('italic');
    expect(root.querySelector('em > strong')?.textContent).toBe('bold');
  });

  it('unclosed markup stays literal text', () => {
    expect(html('**bold never closed').textContent).toBe('**bold never closed');
    expect(html('an *unclosed italic').textContent).toBe('an *unclosed italic');
    expect(html('a `dangling code').textContent).toBe('a `dangling code');
    expect(html('[label](https://x.example').textContent).toBe('[label](https://x.example');
    expect(html('2 * 3 * 4 = 24').textContent).toBe('2 * 3 * 4 = 24');
    const root = html('**a *b** c*');
    expect(root.textContent).toBe('a *b c*');
    expect(root.querySelector('em')).toBeNull();
  });

  it('links: http, https and mailto only, opening safely in a new tab', () => {
    const root = html('See [the fare rules](https://help.example.com/fares?x=1) or [write to us](mailto:help@example.com) or [http](http://example.com/a_(b)).');
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['the fare rules', 'https://help.example.com/fares?x=1'],
      ['write to us', 'mailto:help@example.com'],
      ['http', 'http://example.com/a_(b)'],
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
  });

  it('bare https URLs become links, without the sentence punctuation after them', () => {
    const root = html('Read https://help.example.com/articles/cancel-fees. Or (https://example.com/x).');
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://help.example.com/articles/cancel-fees', 'https://example.com/x']);
    expect(root.textContent).toBe('Read https://help.example.com/articles/cancel-fees. Or (https://example.com/x).');
  });

  it.each([
    ['[x](javascript:alert(1))'],
    ['[x](JavaScript:alert(1))'],
    ['[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['[x](vbscript:msgbox(1))'],
    ['[x](/relative/path)'],
    ['[x](//evil.example/path)'],
    ['[x](https:evil)'],
    ['[x](  java\tscript:alert(1))'],
  ])('%s renders as plain text, not a link', (source) => {
    const root = html(source);
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent).toContain('[x](');
  });

  it('bare javascript: text is never linked', () => {
    expect(html('javascript:alert(1) and http://').querySelector('a')).toBeNull();
  });

  it('raw HTML is literal text, never markup', () => {
    const source = '<img src=x onerror=alert(1)> <script>alert(2)</script> <a href="javascript:alert(3)">x</a>';
    const root = html(source);
    expect(root.querySelector('img, script, a')).toBeNull();
    expect(root.textContent).toBe(source);
    expect(root.innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('citation markers become small references', () => {
    const root = html('Standard fares cost €75 to cancel [1][2].');
    expect([...root.querySelectorAll('sup.sc-ref')].map((sup) => sup.textContent)).toEqual(['[1]', '[2]']);
  });

  it('link labels are formatted but cannot hold links', () => {
    expect(parseInline('[**bold** https://a.example](https://b.example)')).toEqual([
      { type: 'link', href: 'https://b.example/', children: [{ type: 'strong', children: [{ type: 'text', text: 'bold' }] }, { type: 'text', text: ' https://a.example' }] },
    ]);
  });

  it('deep nesting is bounded', () => {
    const deep = `${'*'.repeat(2)}${'*a '.repeat(40)}`;
    expect(() => html(deep)).not.toThrow();
  });

  it('plainText strips the markup for announcements', () => {
    expect(plainText('**Done:** booking *SKY4F2* is cancelled.\n\n- refund [1]')).toBe('Done: booking SKY4F2 is cancelled. refund [1]');
  });
});
