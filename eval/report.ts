/**
 * The printed summary: fixed-width tables, numbers as the JSON has them
 * (fractions with three decimals, milliseconds with one).
 */

export type Cell = string | number | null;

export function formatCell(value: Cell, kind: 'fraction' | 'ms' | 'count' | 'text' = 'fraction'): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'fraction':
      return value.toFixed(3);
    case 'ms':
      return value.toFixed(1);
    case 'count':
      return String(Math.round(value));
    case 'text':
      return String(value);
  }
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
