import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { PresenceStatus } from '@support/protocol';
import type { Agent, ApiClient, CannedResponse } from '../api.js';
import { AgentSocket, type SocketState } from '../socket.js';
import { useQueue } from '../use-queue.js';
import { followLink, pathOf, useRoute, useSelectedConversation } from '../use-route.js';
import { AdminOnly } from './admin/AdminOnly.js';
import { ConversationView } from './ConversationView.js';
import { PresenceSwitch } from './PresenceSwitch.js';
import { QueueList } from './QueueList.js';

// Analytics (and chart.js) in a chunk of its own: loaded when an admin opens it, never by the desk.
const AdminPage = lazy(() => import('./admin/AdminPage.js').then((module) => ({ default: module.AdminPage })));

const CONNECTION_TEXT: Record<SocketState, string> = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline — reconnecting',
};

/** The signed-in screen: top bar, the live queue on the left, the open conversation on the right. */
export function Desk(props: { api: ApiClient; agent: Agent; getToken: () => string | null; onUnauthorized: () => void; onSignOut: () => void }) {
  const { api, agent, getToken, onUnauthorized, onSignOut } = props;
  const socket = useMemo(() => new AgentSocket({ getToken, onUnauthorized }), [getToken, onUnauthorized]);
  const [socketState, setSocketState] = useState<SocketState>(socket.state);
  const [presence, setPresence] = useState<PresenceStatus>('online');
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const queue = useQueue(api, socket);
  const [selected, select] = useSelectedConversation();
  const route = useRoute();
  const isAdmin = agent.role === 'admin';

  useEffect(() => {
    const offState = socket.onState(setSocketState);
    const offEvent = socket.subscribe((event) => {
      if (event.type === 'presence') setPresence(event.status);
    });
    socket.start();
    return () => {
      offState();
      offEvent();
      socket.stop();
    };
  }, [socket]);

  useEffect(() => {
    api.cannedResponses().then(setCanned, () => setCanned([]));
  }, [api]);

  function changePresence(status: PresenceStatus) {
    setPresence(status); // the server confirms with a presence event
    socket.send({ type: 'presence', status });
  }

  const selectedEntry = queue.entries.find((entry) => entry.sessionId === selected) ?? null;

  return (
    <div className="desk">
      <a className="skip-link" href={route.view === 'admin' ? '#admin-main' : '#conversation-region'}>
        {route.view === 'admin' ? 'Skip to content' : 'Skip to conversation'}
      </a>
      <header className="topbar">
        <div className="topbar-start">
          <p className="brand">
            Skyway Support <span className="brand-sub">Agent console</span>
          </p>
          {isAdmin ? (
            <nav className="topnav" aria-label="Console">
              <a href={pathOf({ view: 'desk', sessionId: null })} onClick={followLink} aria-current={route.view === 'desk' ? 'page' : undefined} data-testid="nav-queue">
                Queue
              </a>
              <a href={pathOf({ view: 'admin', section: 'overview', sessionId: null })} onClick={followLink} aria-current={route.view === 'admin' ? 'page' : undefined} data-testid="nav-analytics">
                Analytics
              </a>
            </nav>
          ) : null}
        </div>
        <div className="topbar-tools">
          <span className="connection" data-state={socketState} data-testid="connection-status" role="status">
            <span className="dot" aria-hidden="true" />
            {CONNECTION_TEXT[socketState]}
          </span>
          <PresenceSwitch status={presence} disabled={socketState !== 'online'} onChange={changePresence} />
          <span className="me" data-testid="agent-name">
            {agent.name}
            {agent.role === 'admin' ? <span className="tag">Admin</span> : null}
          </span>
          <button type="button" className="ghost" onClick={onSignOut} data-testid="sign-out">
            Sign out
          </button>
        </div>
      </header>
      {route.view === 'admin' ? (
        isAdmin ? (
          <Suspense
            fallback={
              <main className="admin" id="admin-main" tabIndex={-1} aria-label="Analytics">
                <p className="muted" role="status">
                  Loading Analytics…
                </p>
              </main>
            }
          >
            <AdminPage api={api} agent={agent} section={route.section} sessionId={route.sessionId} />
          </Suspense>
        ) : (
          <AdminOnly />
        )
      ) : (
        <div className="workspace">
          <QueueList entries={queue.entries} loaded={queue.loaded} error={queue.error} selected={selected} me={agent} serverNow={() => api.serverNow()} onSelect={select} />
          <main className="conversation-region" id="conversation-region" tabIndex={-1} aria-label="Conversation">
            {selected ? (
              <ConversationView
                key={selected}
                sessionId={selected}
                api={api}
                socket={socket}
                me={agent}
                entry={selectedEntry}
                canned={canned}
                onQueueChanged={queue.refetch}
              />
            ) : (
              <div className="empty-state">
                <h2>No conversation open</h2>
                <p>Pick a conversation from the queue. New handoffs appear there as they happen.</p>
              </div>
            )}
          </main>
        </div>
      )}
    </div>
  );
}
