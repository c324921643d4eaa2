import { followLink, pathOf } from '../../use-route.js';

/** What a plain agent sees at /console/admin: no data is asked for. */
export function AdminOnly() {
  return (
    <main className="admin" id="admin-main" tabIndex={-1} aria-labelledby="admin-only-heading">
      <div className="empty-state admin-only" data-testid="admin-only">
        <h1 id="admin-only-heading">Analytics is for admins only</h1>
        <p>Your account has the agent role. Ask an admin on your team if you need these figures.</p>
        <p>
          <a href={pathOf({ view: 'desk', sessionId: null })} onClick={followLink}>
            Back to the queue
          </a>
        </p>
      </div>
    </main>
  );
}
