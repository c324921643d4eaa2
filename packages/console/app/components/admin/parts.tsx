import type { ReactNode } from 'react';
import { ApiError, type Agent } from '../../api.js';
import { actorInSentence, messageTime } from '../../format.js';

/** A titled panel of the dashboard: a section with its own heading (h2). */
export function Card(props: { id: string; title: string; description?: ReactNode; className?: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  const { id, title, description, className, actions, children, testId } = props;
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={`${id}-heading`} data-testid={testId}>
      <div className="card-head">
        <div>
          <h2 id={`${id}-heading`}>{title}</h2>
          {description ? <p className="card-description">{description}</p> : null}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}

/**
 * One figure: its label, its value as text (the testid is on the value, whose data-value holds
 * the raw number the API sent), and a line of context.
 */
export function Stat(props: { label: string; display: string; value: number | null; testId: string; hint?: ReactNode; tone?: 'default' | 'good' | 'bad' }) {
  const { label, display, value, testId, hint, tone } = props;
  return (
    <div className="stat" data-tone={tone ?? 'default'}>
      <dt className="stat-label">{label}</dt>
      <dd className="stat-value" data-testid={testId} data-value={value === null ? '' : String(value)}>
        {display}
      </dd>
      {hint ? <dd className="stat-hint">{hint}</dd> : null}
    </div>
  );
}

/** Loading, failed, or empty: the line a panel shows instead of (or above) its figures. */
export function PanelStatus(props: { loading: boolean; error: string | null; onRetry?: () => void }) {
  if (props.error) {
    return (
      <div className="error panel-error" role="alert">
        {props.error}
        {props.onRetry ? (
          <button type="button" className="link-button" onClick={props.onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  if (props.loading) {
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }
  return null;
}

/** A table's single row saying there is nothing to list. */
export function EmptyRow(props: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={props.columns} className="table-empty">
        {props.children}
      </td>
    </tr>
  );
}

/** A table's column headings; numeric columns are right-aligned like their figures. */
export function TableHead(props: { columns: Array<string | { label: string; numeric: true }> }) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className="num">
              {column.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** What a failed save says: the API's own message (its validation text), or a plain fallback. */
export function failureText(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : 'Saving failed. Please try again.';
}

/**
 * Whether the API's validation message ("escalation.businessHours: …; title: …") is about
 * `field` (a dotted path, as the API words it): for aria-invalid on that field.
 */
export function isAbout(message: string | null, field: string): boolean {
  if (!message) return false;
  return message.split('; ').some((problem) => problem.startsWith(`${field}:`) || problem.startsWith(`${field}.`));
}

/** A form's outcome: the error (an alert) or the notice (a status line), each with its test id. */
export function FormMessages(props: { error: string | null; notice: string | null; testId: string }) {
  const { error, notice, testId } = props;
  return (
    <>
      {error ? (
        <p className="error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status" data-testid={`${testId}-notice`}>
          {notice}
        </p>
      ) : null}
    </>
  );
}

/**
 * A form's foot: the outcome of its last save (FormMessages, `${testId}-error` / `-notice`) and its
 * buttons (SaveActions, `${testId}-save`); discarding the edits also clears that outcome.
 */
export function FormFoot(props: { outcome: { busy: boolean; error: string | null; notice: string | null; clear: () => void }; dirty: boolean; label: string; testId: string; onDiscard?: () => void }) {
  const { outcome, dirty, label, testId, onDiscard } = props;
  return (
    <>
      <FormMessages error={outcome.error} notice={outcome.notice} testId={testId} />
      <SaveActions
        busy={outcome.busy}
        dirty={dirty}
        label={label}
        testId={`${testId}-save`}
        {...(onDiscard
          ? {
              onDiscard: () => {
                onDiscard();
                outcome.clear();
              },
            }
          : {})}
      />
    </>
  );
}

/** A form's Save button (active once something changed) and, while there are changes, Discard. */
export function SaveActions(props: { busy: boolean; dirty: boolean; label: string; testId: string; onDiscard?: () => void }) {
  const { busy, dirty, label, testId, onDiscard } = props;
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={busy || !dirty} data-testid={testId}>
        {busy ? 'Saving…' : label}
      </button>
      {dirty && onDiscard ? (
        <button type="button" className="ghost" disabled={busy} onClick={onDiscard}>
          Discard changes
        </button>
      ) : null}
    </div>
  );
}

/** "Version 3 · saved by Sam Rivera (you) · 5 May, 14:03", or that the configured defaults are in force. */
export function VersionLine(props: { version: { version: number; updatedBy: string; updatedAt: string }; me: Agent; testId: string }) {
  const { version, me, testId } = props;
  return (
    <p className="version-line" data-testid={testId} data-version={version.version}>
      {version.version === 0 ? (
        'The service’s configured defaults: never changed here.'
      ) : (
        <>
          Version {version.version} · saved by {actorInSentence(version.updatedBy, me)} · <time dateTime={version.updatedAt}>{messageTime(version.updatedAt)}</time>
        </>
      )}
    </p>
  );
}
