import { TrainingExport } from './TrainingExport.js';
import { OUTCOMES, PAGE_SIZE, type AdminApi, type ConversationFilter, type ConversationRow, type Outcome, type Period } from '../../admin-api.js';
import { formatCount, messageTime, outcomeLabel, TRIGGER_SOURCES, triggerLabel } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { followLink, pathOf } from '../../use-route.js';
import { Card, EmptyRow, PanelStatus, TableHead } from './parts.js';

export const NO_FILTER: ConversationFilter = { outcome: null, rating: null, trigger: null, offset: 0 };

function FilterSelect(props: { id: string; label: string; value: string | null; options: Array<{ value: string; label: string }>; onChange: (value: string | null) => void }) {
  const { id, label, value, options, onChange } = props;
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)} data-testid={id}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function Row(props: { row: ConversationRow }) {
  const { row } = props;
  const href = pathOf({ view: 'admin', section: 'conversations', sessionId: row.sessionId });
  return (
    <tr data-testid="conversation-row" data-session-id={row.sessionId} data-outcome={row.outcome}>
      <td className="nowrap">
        <time dateTime={row.startedAt}>{messageTime(row.startedAt)}</time>
      </td>
      <td className="preview-cell">
        <a href={href} onClick={followLink} data-testid="conversation-open">
          {row.preview ?? 'No customer message'}
        </a>
        <span className="row-sub">{row.customerId ? <span className="mono">{row.customerId}</span> : 'Guest'}</span>
      </td>
      <td>
        <span className="badge outcome" data-outcome={row.outcome}>
          {outcomeLabel(row.outcome)}
        </span>
      </td>
      <td>{row.trigger ? triggerLabel(row.trigger) : <span className="muted">—</span>}</td>
      <td className="num">{formatCount(row.messages)}</td>
      <td className="num nowrap">
        {row.ratings.up + row.ratings.down === 0 ? (
          <span className="muted">—</span>
        ) : (
          <>
            <span className="vote vote--up">{row.ratings.up} up</span> · <span className="vote vote--down">{row.ratings.down} down</span>
          </>
        )}
      </td>
    </tr>
  );
}

/** The period's conversations, filtered by outcome, rating and trigger, a page at a time; each opens its redacted transcript. */
export function ConversationBrowser(props: { admin: AdminApi; period: Period; periodKey: string; filter: ConversationFilter; onFilter: (filter: ConversationFilter) => void }) {
  const { admin, period, periodKey, filter, onFilter } = props;
  const list = useLoaded(() => admin.conversations(period, filter), `${periodKey}|${filter.outcome}|${filter.rating}|${filter.trigger}|${filter.offset}`);
  const data = list.data;
  const total = data?.total ?? 0;
  const first = total === 0 ? 0 : filter.offset + 1;
  const last = Math.min(total, filter.offset + (data?.conversations.length ?? 0));
  const change = (next: Partial<ConversationFilter>) => onFilter({ ...filter, ...next, offset: 0 });

  return (
    <Card
      id="browser"
      title="Conversations"
      description="Every conversation of the period. Customer details are redacted. Only conversations whose customer agreed go into the training export."
      className="card--wide"
      testId="conversation-browser"
      actions={<TrainingExport admin={admin} period={period} />}
    >
      <form className="filters" aria-label="Filter conversations" onSubmit={(event) => event.preventDefault()}>
        <FilterSelect
          id="filter-outcome"
          label="Outcome"
          value={filter.outcome}
          options={OUTCOMES.map((outcome) => ({ value: outcome, label: outcomeLabel(outcome) }))}
          onChange={(value) => change({ outcome: value as Outcome | null })}
        />
        <FilterSelect
          id="filter-rating"
          label="Rating"
          value={filter.rating}
          options={[
            { value: 'up', label: 'Rated up' },
            { value: 'down', label: 'Rated down' },
          ]}
          onChange={(value) => change({ rating: value as 'up' | 'down' | null })}
        />
        <FilterSelect
          id="filter-trigger"
          label="Handoff trigger"
          value={filter.trigger}
          options={TRIGGER_SOURCES.map((source) => ({ value: source, label: triggerLabel(source) }))}
          onChange={(value) => change({ trigger: value })}
        />
        {filter.outcome || filter.rating || filter.trigger ? (
          <button type="button" className="ghost" onClick={() => onFilter(NO_FILTER)}>
            Clear filters
          </button>
        ) : null}
      </form>
      <PanelStatus loading={false} error={list.error} />
      <div className="table-scroll">
        <table className="data-table conversations-table" data-testid="conversation-table" aria-busy={list.state === 'loading'} data-state={list.state}>
          <caption className="visually-hidden">Conversations, newest first</caption>
          <TableHead columns={['Started', 'First message', 'Outcome', 'Handoff trigger', { label: 'Messages', numeric: true }, { label: 'Ratings', numeric: true }]} />
          <tbody>
            {!data && list.state === 'loading' ? <EmptyRow columns={6}>Loading…</EmptyRow> : null}
            {data && data.conversations.length === 0 ? <EmptyRow columns={6}>No conversation matches.</EmptyRow> : null}
            {data?.conversations.map((row) => <Row key={row.sessionId} row={row} />)}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <p className="muted" role="status" data-testid="conversation-count">
          {data ? (total === 0 ? 'No conversations' : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`) : ''}
        </p>
        <div className="pager-buttons">
          <button type="button" disabled={filter.offset === 0 || list.state === 'loading'} onClick={() => onFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE_SIZE) })} data-testid="page-previous">
            Previous page
          </button>
          <button type="button" disabled={last >= total || list.state === 'loading'} onClick={() => onFilter({ ...filter, offset: filter.offset + PAGE_SIZE })} data-testid="page-next">
            Next page
          </button>
        </div>
      </div>
    </Card>
  );
}
