import { useState, type FormEvent } from 'react';
import type { Period } from '../../admin-api.js';

const DAY_MS = 24 * 3600 * 1000;
/** The service's own bound on one period (admin-analytics-routes.ts). */
const MAX_DAYS = 366;
const LAST_DAYS = [7, 30, 90] as const;

/** The last N days up to now, or whole calendar days in this browser's time zone (both ends included). */
export type PeriodChoice = { kind: 'last'; days: (typeof LAST_DAYS)[number] } | { kind: 'range'; from: string; to: string };

/** YYYY-MM-DD of a date in this browser's time zone (what an <input type="date"> holds). */
const dayText = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
/** Local midnight starting that day ("T00:00" without a zone is local time). */
const dayStart = (day: string) => new Date(`${day}T00:00`);
const nextDay = (day: string) => {
  const date = dayStart(day);
  date.setDate(date.getDate() + 1);
  return date;
};

/** The period a choice means now: [since, until) as the API takes it. */
export function periodOf(choice: PeriodChoice): Period {
  if (choice.kind === 'range') return { since: dayStart(choice.from).toISOString(), until: nextDay(choice.to).toISOString() };
  const until = new Date();
  return { since: new Date(until.getTime() - choice.days * DAY_MS).toISOString(), until: until.toISOString() };
}

/** Why a range cannot be asked for, or null. */
function rangeProblem(from: string, to: string): string | null {
  if (!from || !to || Number.isNaN(dayStart(from).getTime()) || Number.isNaN(dayStart(to).getTime())) return 'Enter both dates.';
  if (from > to) return 'The first day must not be after the last.';
  if (nextDay(to).getTime() - dayStart(from).getTime() > MAX_DAYS * DAY_MS) return `A period is at most ${MAX_DAYS} days.`;
  return null;
}

/** Whole days from/to, both included: the form under "Custom". */
function RangeForm(props: { initial: { from: string; to: string }; onApply: (range: { from: string; to: string }) => void }) {
  const [from, setFrom] = useState(props.initial.from);
  const [to, setTo] = useState(props.initial.to);
  const [problem, setProblem] = useState<string | null>(null);
  const today = dayText(new Date());

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = rangeProblem(from, to);
    setProblem(found);
    if (!found) props.onApply({ from, to });
  }

  return (
    <form className="range-form" onSubmit={submit} noValidate data-testid="period-range-form">
      <label htmlFor="period-from">From</label>
      <input id="period-from" type="date" value={from} max={today} onChange={(event) => setFrom(event.target.value)} aria-invalid={problem ? true : undefined} data-testid="period-from" />
      <label htmlFor="period-to">to</label>
      <input id="period-to" type="date" value={to} max={today} onChange={(event) => setTo(event.target.value)} aria-invalid={problem ? true : undefined} data-testid="period-to" />
      <button type="submit" data-testid="period-apply">
        Apply
      </button>
      {problem ? (
        <p className="error range-error" role="alert" data-testid="period-error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/**
 * The last 7, 30 or 90 days, or a custom range of days: a radio group (arrow keys move between
 * the options); "Custom" opens the range form, which asks only once its dates are applied.
 */
export function PeriodPicker(props: { choice: PeriodChoice; onChange: (choice: PeriodChoice) => void }) {
  const { choice, onChange } = props;
  const [custom, setCustom] = useState(choice.kind === 'range');
  const selected = custom ? 'range' : choice.kind === 'last' ? String(choice.days) : 'range';
  const shown = periodOf(choice);
  // The range form starts from the period shown, so "Custom" then "Apply" asks for the same days.
  const initial = choice.kind === 'range' ? choice : { from: dayText(new Date(shown.since)), to: dayText(new Date(Date.parse(shown.until) - 1)) };

  return (
    <div className="period-picker">
      <fieldset className="segmented" data-testid="period-picker">
        <legend className="visually-hidden">Period</legend>
        {LAST_DAYS.map((days) => (
          <label key={days} className="segmented-option" data-checked={selected === String(days)}>
            <input
              type="radio"
              name="period"
              value={days}
              checked={selected === String(days)}
              onChange={() => {
                setCustom(false);
                onChange({ kind: 'last', days });
              }}
              data-testid={`period-${days}`}
            />
            Last {days} days
          </label>
        ))}
        <label className="segmented-option" data-checked={selected === 'range'}>
          <input type="radio" name="period" value="range" checked={selected === 'range'} onChange={() => setCustom(true)} data-testid="period-custom" />
          Custom
        </label>
      </fieldset>
      {custom ? <RangeForm initial={initial} onApply={(range) => onChange({ kind: 'range', ...range })} /> : null}
    </div>
  );
}
