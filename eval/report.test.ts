import { describe, expect, it } from 'vitest';
import { formatCell, renderTable } from './report.js';

describe('report', () => {
  it('formats fractions, milliseconds, counts and missing values', () => {
    expect(formatCell(0.12345)).toBe('0.123');
    expect(formatCell(12.345, 'ms')).toBe('12.3');
    expect(formatCell(72, 'count')).toBe('72');
    expect(formatCell(null)).toBe('–');
    expect(formatCell('dialogue')).toBe('dialogue');
  });

  it('pads columns: the first left-aligned, the rest right-aligned', () => {
    expect(renderTable(['name', 'R@1'], [['system', '0.639'], ['bm25', '0.14']]).split('\n')).toEqual([
      'name      R@1',
      '------  -----',
      'system  0.639',
      'bm25     0.14',
    ]);
  });
});
