import { useMemo, useState } from 'react';
import { AdminApi, type ConversationFilter } from '../../admin-api.js';
import type { Agent, ApiClient } from '../../api.js';
import { calendarDate } from '../../format.js';
import { followLink, pathOf, type AdminSection } from '../../use-route.js';
import { AdminTranscript } from './AdminTranscript.js';
import { ConversationBrowser, NO_FILTER } from './ConversationBrowser.js';
import { Controls } from './Controls.js';
import { KnowledgeBase } from './KnowledgeBase.js';
import { Overview } from './Overview.js';
import { PeriodPicker, periodOf, type PeriodChoice } from './PeriodPicker.js';
import { Team } from './Team.js';

/** The period ends before `until`: its last day is the one shown (a range of days ends at the next midnight). */
const lastMoment = (until: string) => new Date(Date.parse(until) - 1).toISOString();

const SECTIONS: Array<{ section: AdminSection; label: string }> = [
  { section: 'overview', label: 'Overview' },
  { section: 'conversations', label: 'Conversations' },
  { section: 'controls', label: 'Controls' },
  { section: 'team', label: 'Team' },
  { section: 'kb', label: 'Knowledge base' },
];

/** What the sections without a period are about, under the heading. */
const SECTION_TEXT: Partial<Record<AdminSection, string>> = {
  controls: 'The assistant’s settings and limits, in force on every node.',
  team: 'The agent accounts of your team: roles, chat caps, access.',
  kb: 'The articles the assistant answers from.',
};

/** Analytics for admins: the period picker and the sections (overview, conversations, controls, team, knowledge base). */
export function AdminPage(props: { api: ApiClient; agent: Agent; section: AdminSection; sessionId: string | null }) {
  const { api, agent, section, sessionId } = props;
  const admin = useMemo(() => new AdminApi(api), [api]);
  const [choice, setChoice] = useState<PeriodChoice>({ kind: 'last', days: 30 });
  const [period, setPeriod] = useState(() => periodOf(choice));
  const [filter, setFilter] = useState<ConversationFilter>(NO_FILTER);
  const periodKey = `${period.since}|${period.until}`;

  // A new period or a refresh (the last N days: up to now), and the conversation list back to its first page.
  function load(next: PeriodChoice) {
    setChoice(next);
    setPeriod(periodOf(next));
    setFilter((current) => ({ ...current, offset: 0 }));
  }

  const showPeriod = section === 'overview' || section === 'conversations';
  const title = SECTIONS.find((entry) => entry.section === section)?.label ?? 'Overview';

  return (
    <main className="admin" id="admin-main" tabIndex={-1} aria-labelledby="admin-heading" data-testid="admin-page" data-section={section}>
      <div className="admin-head">
        <div>
          <h1 id="admin-heading">
            Analytics <span className="admin-head-sub">· {title}</span>
          </h1>
          {showPeriod ? (
            <p className="muted" data-testid="period-text">
              {calendarDate(period.since)} – {calendarDate(lastMoment(period.until))}
            </p>
          ) : (
            <p className="muted">{SECTION_TEXT[section]}</p>
          )}
        </div>
        {showPeriod ? (
          <div className="admin-head-tools">
            <PeriodPicker choice={choice} onChange={load} />
            <button type="button" onClick={() => load(choice)} data-testid="admin-refresh">
              Refresh
            </button>
          </div>
        ) : null}
      </div>
      <nav className="admin-tabs" aria-label="Analytics sections">
        {SECTIONS.map((entry) => (
          <a
            key={entry.section}
            href={pathOf({ view: 'admin', section: entry.section, sessionId: null })}
            onClick={followLink}
            aria-current={entry.section === section ? 'page' : undefined}
            data-testid={`admin-tab-${entry.section}`}
          >
            {entry.label}
          </a>
        ))}
      </nav>
      <div className="admin-body">
        {section === 'overview' ? <Overview admin={admin} period={period} periodKey={periodKey} /> : null}
        {section === 'conversations' && sessionId ? <AdminTranscript key={sessionId} admin={admin} sessionId={sessionId} /> : null}
        {section === 'conversations' && !sessionId ? <ConversationBrowser admin={admin} period={period} periodKey={periodKey} filter={filter} onFilter={setFilter} /> : null}
        {section === 'controls' ? <Controls admin={admin} me={agent} /> : null}
        {section === 'team' ? <Team admin={admin} me={agent} /> : null}
        {section === 'kb' ? <KnowledgeBase admin={admin} /> : null}
      </div>
    </main>
  );
}
