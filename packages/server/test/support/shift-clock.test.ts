import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const preload = fileURLToPath(new URL('./shift-clock.mjs', import.meta.url));
const DAY_MS = 86_400_000;

/** What the CI run with a shifted clock relies on: the wall clock moves, nothing else does. */
describe('the shift-clock preload', () => {
  it('moves new Date(), Date() and Date.now() by SHIFT_CLOCK_DAYS and leaves dates from values, parsing and timers alone', async () => {
    const script = `
      const real = performance.timeOrigin + performance.now();
      class Sub extends Date {}
      const started = performance.now();
      setTimeout(() => console.log(JSON.stringify({
        nowOffset: Date.now() - real,
        newOffset: new Date().getTime() - real,
        called: Date(),
        epoch: new Date(0).toISOString(),
        parsed: Date.parse('2026-12-03T00:00:00Z'),
        utc: Date.UTC(2026, 11, 3),
        instance: new Date() instanceof Date && new Sub() instanceof Date && new Sub(5).getTime() === 5,
        constructorIs: new Date().constructor === Date,
        tag: Object.prototype.toString.call(new Date()),
        timerMs: performance.now() - started,
      })), 50);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', preload, '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '', SHIFT_CLOCK_DAYS: '365' },
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(Math.abs(Number(out.nowOffset) - 365 * DAY_MS)).toBeLessThan(60_000);
    expect(Math.abs(Number(out.newOffset) - 365 * DAY_MS)).toBeLessThan(60_000);
    expect(new Date(String(out.called)).getTime() - (performance.timeOrigin + performance.now())).toBeGreaterThan(364 * DAY_MS);
    expect(out).toMatchObject({ epoch: '1970-01-01T00:00:00.000Z', parsed: Date.UTC(2026, 11, 3), utc: Date.UTC(2026, 11, 3), instance: true, constructorIs: true, tag: '[object Date]' });
    expect(Number(out.timerMs)).toBeGreaterThanOrEqual(45);
    expect(Number(out.timerMs)).toBeLessThan(5_000);
  });
});
