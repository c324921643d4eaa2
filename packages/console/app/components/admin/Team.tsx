import { useEffect, useState } from 'react';
import type { Agent } from '../../api.js';
import type { AdminApi, AgentAccount, AgentPatch, CreatedAgent } from '../../admin-api.js';
import { useLoaded } from '../../use-loaded.js';
import { AddAgentForm, NewPasswordPanel, parseChatCap } from './AddAgent.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Card, EmptyRow, failureText, FormMessages, PanelStatus, TableHead } from './parts.js';

const ROLE_LABELS: Record<AgentAccount['role'], string> = { agent: 'Agent', admin: 'Admin' };

function AgentRow(props: { account: AgentAccount; isMe: boolean; busy: boolean; onSave: (patch: AgentPatch) => void; onDisable: () => void; onEnable: () => void }) {
  const { account, isMe, busy, onSave, onDisable, onEnable } = props;
  const [role, setRole] = useState(account.role);
  const [cap, setCap] = useState(account.maxChats === null ? '' : String(account.maxChats));
  // A saved change (or someone else's, on reload) comes back as the account: shown as it is now.
  useEffect(() => {
    setRole(account.role);
    setCap(account.maxChats === null ? '' : String(account.maxChats));
  }, [account]);
  const capValue = parseChatCap(cap);
  const dirty = role !== account.role || capValue !== account.maxChats;
  const selfHint = isMe ? `self-hint-${account.id}` : undefined;

  return (
    <tr data-testid="agent-row" data-agent-id={account.id} data-email={account.email} data-disabled={account.disabled}>
      <th scope="row">
        {account.name}
        {isMe ? <span className="row-sub">You</span> : null}
      </th>
      <td className="email-cell">{account.email}</td>
      <td>
        <select
          value={role}
          aria-label={`Role of ${account.name}`}
          aria-describedby={selfHint}
          disabled={isMe || busy}
          onChange={(event) => setRole(event.target.value as AgentAccount['role'])}
          data-testid="agent-role"
        >
          {Object.entries(ROLE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          className="cap-input"
          type="number"
          inputMode="numeric"
          min={1}
          max={50}
          step={1}
          placeholder="Default"
          value={cap}
          aria-label={`Chat cap of ${account.name} (empty for the default)`}
          aria-invalid={capValue === undefined || undefined}
          disabled={busy}
          onChange={(event) => setCap(event.target.value)}
          data-testid="agent-cap"
        />
      </td>
      <td>
        <span className="badge account-status" data-disabled={account.disabled} data-testid="agent-status">
          {account.disabled ? 'Disabled' : 'Active'}
        </span>
      </td>
      <td className="num">
        <div className="row-actions">
          <button
            type="button"
            disabled={!dirty || busy || capValue === undefined}
            onClick={() => onSave({ ...(role !== account.role ? { role } : {}), ...(capValue !== account.maxChats && capValue !== undefined ? { maxChats: capValue } : {}) })}
            aria-label={`Save changes to ${account.name}`}
            data-testid="agent-save"
          >
            Save
          </button>
          {account.disabled ? (
            <button type="button" disabled={busy} onClick={onEnable} aria-label={`Enable ${account.name}`} data-testid="agent-enable">
              Enable
            </button>
          ) : (
            <button type="button" className="danger-outline" disabled={isMe || busy} aria-describedby={selfHint} onClick={onDisable} aria-label={`Disable ${account.name}`} data-testid="agent-disable">
              Disable
            </button>
          )}
          {isMe ? (
            <span id={selfHint} className="visually-hidden">
              You cannot disable your own account or take away your own admin role; ask another admin.
            </span>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

/** The team's agent accounts: roles, chat caps, disabling (asked first) and adding one (its generated password shown once). */
export function Team(props: { admin: AdminApi; me: Agent }) {
  const { admin, me } = props;
  const [reloads, setReloads] = useState(0);
  const loaded = useLoaded(() => admin.agents(), `agents|${reloads}`);
  const [accounts, setAccounts] = useState<AgentAccount[] | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<AgentAccount | null>(null);
  const [created, setCreated] = useState<CreatedAgent | null>(null);

  useEffect(() => {
    if (loaded.data) setAccounts(loaded.data);
  }, [loaded.data]);

  async function update(account: AgentAccount, patch: AgentPatch, done: string) {
    setBusyId(account.id);
    setError(null);
    setNotice(null);
    try {
      const next = await admin.updateAgent(account.id, patch);
      setAccounts((list) => list?.map((entry) => (entry.id === next.id ? next : entry)) ?? null);
      setNotice(done);
    } catch (failure) {
      setError(`${account.name}: ${failureText(failure)}`);
    } finally {
      setBusyId(null);
    }
  }

  function added(result: CreatedAgent) {
    setCreated(result);
    setError(null);
    setNotice(null);
    setAccounts((list) => (list ? [...list, result.agent] : list));
    setReloads((count) => count + 1);
  }

  const list = accounts ?? [];
  return (
    <div className="team-layout" data-testid="admin-team">
      <Card id="team" title="Agent accounts" description="Who can sign in to the console. Disabling an account signs it out at once." testId="team-card">
        <PanelStatus loading={false} error={loaded.error} onRetry={() => setReloads((count) => count + 1)} />
        <FormMessages error={error} notice={notice} testId="team" />
        <div className="table-scroll">
          <table className="data-table team-table" data-testid="team-table" data-state={accounts ? 'ready' : loaded.state} aria-busy={loaded.state === 'loading'}>
            <caption className="visually-hidden">Agent accounts</caption>
            <TableHead columns={['Name', 'E-mail', 'Role', 'Chat cap', 'Status', { label: 'Actions', numeric: true }]} />
            <tbody>
              {!accounts && loaded.state === 'loading' ? <EmptyRow columns={6}>Loading…</EmptyRow> : null}
              {accounts && list.length === 0 ? <EmptyRow columns={6}>No agent accounts yet.</EmptyRow> : null}
              {list.map((account) => (
                <AgentRow
                  key={account.id}
                  account={account}
                  isMe={account.id === me.id}
                  busy={busyId === account.id}
                  onSave={(patch) => void update(account, patch, `Saved ${account.name}.`)}
                  onDisable={() => setConfirming(account)}
                  onEnable={() => void update(account, { disabled: false }, `${account.name} can sign in again.`)}
                />
              ))}
            </tbody>
          </table>
        </div>
        <p className="hint table-foot">The chat cap is how many live chats an agent holds at once; empty uses the service’s default.</p>
      </Card>
      <Card id="add-agent" title="Add agent" description="A new account can sign in at once." testId="add-agent">
        {created?.password ? <NewPasswordPanel created={created} onDone={() => setCreated(null)} /> : null}
        <AddAgentForm admin={admin} onCreated={added} />
      </Card>
      <ConfirmDialog
        open={confirming !== null}
        title={`Disable ${confirming?.name ?? 'this agent'}?`}
        confirmLabel="Disable account"
        testId="disable-dialog"
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          const account = confirming;
          setConfirming(null);
          if (account) void update(account, { disabled: true }, `${account.name} is disabled and signed out.`);
        }}
      >
        <p>They are signed out at once and cannot sign in until an admin enables the account again.</p>
      </ConfirmDialog>
    </div>
  );
}
