/**
 * A Node preload that moves this process's wall clock SHIFT_CLOCK_DAYS days
 * (may be negative or fractional) away from the real one, to find date bombs
 * and spots where the process clock and another clock (PostgreSQL's now(),
 * Redis) are mixed:
 *
 *   SHIFT_CLOCK_DAYS=365 NODE_OPTIONS="--import /abs/path/shift-clock.mjs" npx vitest run ...
 *
 * NODE_OPTIONS reaches vitest's worker processes too. Only `new Date()`
 * without arguments, `Date()` and `Date.now()` move; dates built from a value,
 * Date.parse/UTC, timers, performance.now() and process.hrtime() are
 * untouched, so timeouts and intervals still work. PGlite runs in-process and
 * reads Date.now(), so its now() moves along; a PostgreSQL server's does not.
 */
const days = Number(process.env.SHIFT_CLOCK_DAYS ?? '0');
if (!Number.isFinite(days)) throw new Error(`SHIFT_CLOCK_DAYS must be a number of days, got ${JSON.stringify(process.env.SHIFT_CLOCK_DAYS)}`);

if (days !== 0 && !globalThis.__shiftClockOffsetMs) {
  const offsetMs = Math.round(days * 86_400_000);
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);

  /** Called with new: a Date (shifted when there are no arguments); called as a function: the shifted time as a string, as Date() does. */
  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(realNow() + offsetMs).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [realNow() + offsetMs] : args, new.target);
  }
  // The same prototype keeps `instanceof Date`, subclasses and every method working.
  ShiftedDate.prototype = RealDate.prototype;
  Object.defineProperty(ShiftedDate, 'name', { value: 'Date' });
  Object.defineProperty(ShiftedDate, 'length', { value: 7 });
  ShiftedDate.now = () => realNow() + offsetMs;
  ShiftedDate.parse = RealDate.parse;
  ShiftedDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: ShiftedDate, writable: true, configurable: true });

  globalThis.Date = ShiftedDate;
  globalThis.__shiftClockOffsetMs = offsetMs;
}
