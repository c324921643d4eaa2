import { useMemo } from 'react';
import type { Agent } from '../../api.js';
import type { AdminApi, SettingsVersion } from '../../admin-api.js';
import { actorLabel, messageTime } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { Card, EmptyRow, PanelStatus, TableHead } from './parts.js';

const SHOWN = 8;

const FIELD_LABELS: Record<string, string> = {
  companyName: 'Company name',
  persona: 'Persona',
  instructions: 'Instructions',
  aiEnabled: 'AI on/off',
  escalation: 'Handoff rules',
  model: 'Model',
};

/** JSON with object keys sorted, so that two equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  );
}

/** The top-level fields of `value` that differ from `previous`, in the document's order. */
export function changedFields(value: Record<string, unknown>, previous: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(value), ...Object.keys(previous)])];
  return keys.filter((key) => canonical(value[key]) !== canonical(previous[key]));
}

function Changes(props: { version: SettingsVersion; previous: SettingsVersion | undefined }) {
  const { version, previous } = props;
  if (!previous) return <span className="muted">{version.version === 1 ? 'First change from the defaults' : 'Older versions not shown'}</span>;
  const changed = changedFields(version.value, previous.value);
  if (changed.length === 0) return <span className="muted">Nothing (saved as it was)</span>;
  return <>{changed.map((key) => FIELD_LABELS[key] ?? key).join(', ')}</>;
}

/** The latest versions of the settings: which, who (by name), when, and what changed from the one before. */
export function SettingsHistoryCard(props: { admin: AdminApi; me: Agent; current: SettingsVersion }) {
  const { admin, me, current } = props;
  // One more than shown: the last row shown has its predecessor to compare with.
  const history = useLoaded(() => admin.settingsHistory(SHOWN + 1), `history|${current.version}`);
  const agents = useLoaded(() => admin.agents(), 'agents');
  const names = useMemo(() => (agents.data ? new Map(agents.data.map((agent) => [agent.id, agent.name])) : undefined), [agents.data]);
  const versions = history.data ?? [];

  return (
    <Card id="history" title="History" description="Each save is a new version; the newest is in force." testId="settings-history">
      <PanelStatus loading={false} error={history.error} />
      <div className="table-scroll">
        <table className="data-table" data-testid="history-table" data-state={history.state} aria-busy={history.state === 'loading'}>
          <caption className="visually-hidden">Settings versions, newest first</caption>
          <TableHead columns={[{ label: 'Version', numeric: true }, 'Saved by', 'When', 'Changed']} />
          <tbody>
            {!history.data && history.state === 'loading' ? <EmptyRow columns={4}>Loading…</EmptyRow> : null}
            {history.data && versions.length === 0 ? <EmptyRow columns={4}>Never changed here: the configured defaults are in force.</EmptyRow> : null}
            {versions.slice(0, SHOWN).map((version, index) => (
              <tr key={version.version} data-testid="history-row" data-version={version.version}>
                <td className="num">{version.version}</td>
                <td data-testid="history-who">{actorLabel(version.updatedBy, me, names)}</td>
                <td className="nowrap">
                  <time dateTime={version.updatedAt}>{messageTime(version.updatedAt)}</time>
                </td>
                <td data-testid="history-changed">
                  <Changes version={version} previous={versions[index + 1]} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
