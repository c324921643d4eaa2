import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonLines } from './json-lines.js';

const schema = z.object({ text: z.string() });

describe('parseJsonLines', () => {
  it('parses one object a line and skips blank lines', () => {
    expect(parseJsonLines('{"text":"a"}\n\n{"text":"b"}\n', 'x.jsonl', schema)).toEqual([{ text: 'a' }, { text: 'b' }]);
  });

  it('names the file and line of invalid JSON', () => {
    expect(() => parseJsonLines('{"text":"a"}\n{oops', 'data/x.jsonl', schema)).toThrow('data/x.jsonl:2: not valid JSON');
  });

  it('names the file, line and field of a row that does not fit the schema', () => {
    expect(() => parseJsonLines('{"text":1}', 'x.jsonl', schema)).toThrow(/^x\.jsonl:1: .*text/s);
  });
});
