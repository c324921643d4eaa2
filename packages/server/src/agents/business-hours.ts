/**
 * When the support team works: "mon-fri 09:00-18:00; sat 10:00-14:00" in an
 * IANA time zone. Live chat is offered only inside these hours (and only
 * while an agent is online); outside them a handoff becomes a ticket, and the
 * customer is told honestly when someone will be back.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
type Day = (typeof DAYS)[number];

interface Span {
  days: number[];
  /** Minutes after local midnight; `to` may be 1440 (24:00). */
  from: number;
  to: number;
}

export class BusinessHoursError extends Error {}

function parseTime(text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) throw new BusinessHoursError(`"${text}" is not a time like 09:00`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59 || minutes > 1440) throw new BusinessHoursError(`"${text}" is not a time of day`);
  return minutes;
}

function parseDays(text: string): number[] {
  const [first, last] = text.split('-') as [string, string | undefined];
  const start = DAYS.indexOf(first as Day);
  const end = last === undefined ? start : DAYS.indexOf(last as Day);
  if (start < 0 || end < 0) throw new BusinessHoursError(`"${text}" is not a day or day range like mon-fri`);
  const days: number[] = [];
  for (let day = start; ; day = (day + 1) % 7) {
    days.push(day);
    if (day === end) break;
  }
  return days;
}

function formatTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export class BusinessHours {
  private readonly spans: Span[];
  private readonly partsOf: Intl.DateTimeFormat;

  /** Throws BusinessHoursError naming what is wrong. */
  constructor(
    readonly spec: string,
    readonly timeZone: string,
  ) {
    try {
      this.partsOf = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      throw new BusinessHoursError(`"${timeZone}" is not an IANA time zone such as Europe/London`);
    }
    this.spans = spec
      .toLowerCase()
      .split(/[;,]/)
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .map((part) => {
        const match = /^([a-z-]+)\s+(\S+)-(\S+)$/.exec(part);
        if (!match) throw new BusinessHoursError(`"${part}" is not like "mon-fri 09:00-18:00"`);
        const from = parseTime(match[2] ?? '');
        const to = parseTime(match[3] ?? '');
        if (to <= from) throw new BusinessHoursError(`"${part}" ends before it starts`);
        return { days: parseDays(match[1] ?? ''), from, to };
      });
    if (this.spans.length === 0) throw new BusinessHoursError('no opening hours given');
  }

  /** Always open: every day, all day. */
  get aroundTheClock(): boolean {
    return [0, 1, 2, 3, 4, 5, 6].every((day) => this.spans.some((span) => span.days.includes(day) && span.from === 0 && span.to === 1440));
  }

  private local(at: Date): { day: number; minutes: number } {
    const parts = Object.fromEntries(this.partsOf.formatToParts(at).map((part) => [part.type, part.value]));
    const day = DAY_NAMES.indexOf(parts.weekday ?? '');
    return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
  }

  isOpen(at: Date): boolean {
    const { day, minutes } = this.local(at);
    return this.spans.some((span) => span.days.includes(day) && minutes >= span.from && minutes < span.to);
  }

  /** The next moment the team is in (at the minute), searched a week ahead; `at` itself when open. */
  nextOpening(at: Date): Date | null {
    const start = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
    for (let step = 0; step <= 7 * 24 * 4; step += 1) {
      // Quarter-hour steps find any opening on a quarter hour; then narrow to the minute.
      const candidate = new Date(start.getTime() + step * 15 * 60_000);
      if (!this.isOpen(candidate)) continue;
      let minute = new Date(candidate.getTime());
      for (let back = 1; back <= 15; back += 1) {
        const earlier = new Date(candidate.getTime() - back * 60_000);
        if (earlier < start || !this.isOpen(earlier)) break;
        minute = earlier;
      }
      return minute;
    }
    return null;
  }

  /** "Mon–Fri 09:00–18:00, Sat 10:00–14:00 (Europe/London)" or "around the clock". */
  describe(): string {
    if (this.aroundTheClock) return 'around the clock';
    const spans = this.spans.map((span) => {
      const first = DAY_NAMES[span.days[0] ?? 0];
      const last = DAY_NAMES[span.days[span.days.length - 1] ?? 0];
      const days = span.days.length === 1 ? first : `${first}–${last}`;
      return `${days} ${formatTime(span.from)}–${formatTime(span.to)}`;
    });
    return `${spans.join(', ')} (${this.timeZone})`;
  }
}
