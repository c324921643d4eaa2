import type { AnalyticsSummary, Csat, EndOfChatCsat } from '../../admin-api.js';
import { formatCount, formatRate, triggerLabel, wordsOf } from '../../format.js';
import { Card, EmptyRow, TableHead } from './parts.js';

function CsatFigure(props: { label: string; csat: Csat; testId: string }) {
  const { label, csat, testId } = props;
  const rated = csat.up + csat.down;
  return (
    <div className="stat csat">
      <dt className="stat-label">{label}</dt>
      <dd className="stat-value" data-testid={testId} data-value={csat.score === null ? '' : String(csat.score)}>
        {formatRate(csat.score)}
      </dd>
      <dd className="stat-hint" data-testid={`${testId}-votes`} data-up={csat.up} data-down={csat.down}>
        <span className="vote vote--up">{formatCount(csat.up)} up</span> · <span className="vote vote--down">{formatCount(csat.down)} down</span>
        {rated === 0 ? ' (no ratings yet)' : null}
      </dd>
    </div>
  );
}

function EndOfChatFigure(props: { label: string; rating: EndOfChatCsat; testId: string }) {
  const { label, rating, testId } = props;
  return (
    <div className="stat csat">
      <dt className="stat-label">{label}</dt>
      <dd className="stat-value" data-testid={testId} data-value={rating.satisfied === null ? '' : String(rating.satisfied)}>
        {formatRate(rating.satisfied)}
      </dd>
      <dd className="stat-hint" data-testid={`${testId}-ratings`} data-ratings={rating.ratings}>
        {rating.ratings === 0 ? 'no ratings yet' : `${formatCount(rating.ratings)} rated · average ${rating.average === null ? '—' : rating.average.toFixed(1)} of 5`}
      </dd>
    </div>
  );
}

/**
 * Customer satisfaction for the assistant and for the agents: thumbs up as a share of thumbs on their
 * messages, and the end-of-chat stars (4 or 5 as a share of ratings), split by whether a person had helped.
 */
export function CsatCard(props: { csat: AnalyticsSummary['csat'] }) {
  return (
    <Card id="csat" title="Customer satisfaction" description="Thumbs up as a share of all thumbs; end-of-chat ratings of 4 or 5 stars as a share of all." testId="csat">
      <dl className="stats stats--2">
        <CsatFigure label="AI assistant (thumbs)" csat={props.csat.ai} testId="csat-ai" />
        <CsatFigure label="Human agents (thumbs)" csat={props.csat.human} testId="csat-human" />
        <EndOfChatFigure label="AI alone (end of chat)" rating={props.csat.endOfChat.ai} testId="csat-end-ai" />
        <EndOfChatFigure label="With a person (end of chat)" rating={props.csat.endOfChat.human} testId="csat-end-human" />
      </dl>
    </Card>
  );
}

export function EscalationReasonsCard(props: { reasons: AnalyticsSummary['escalationReasons']; escalated: number }) {
  const { reasons, escalated } = props;
  return (
    <Card id="reasons" title="Escalation reasons" description="What handed each conversation to a person." testId="escalation-reasons">
      <table className="data-table">
        <TableHead columns={['Reason', { label: 'Conversations', numeric: true }, { label: 'Share', numeric: true }]} />
        <tbody>
          {reasons.length === 0 ? <EmptyRow columns={3}>Nothing was escalated in this period.</EmptyRow> : null}
          {reasons.map((reason) => (
            <tr key={reason.source} data-testid="escalation-reason" data-source={reason.source}>
              <th scope="row">{triggerLabel(reason.source)}</th>
              <td className="num" data-testid="escalation-reason-count">
                {formatCount(reason.count)}
              </td>
              <td className="num">{formatRate(escalated === 0 ? null : reason.count / escalated)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

export function GuardrailsCard(props: { guardrails: AnalyticsSummary['guardrails'] }) {
  const { guardrails } = props;
  return (
    <Card id="guardrails" title="Guardrail decisions" description="Messages a guardrail acted on." testId="guardrail-decisions">
      <table className="data-table">
        <TableHead columns={['Stage', 'Category', 'Action', { label: 'Count', numeric: true }]} />
        <tbody>
          {guardrails.length === 0 ? <EmptyRow columns={4}>No guardrail acted in this period.</EmptyRow> : null}
          {guardrails.map((row) => (
            <tr key={`${row.stage}-${row.category}-${row.action}`} data-testid="guardrail-row" data-category={row.category}>
              <td>{wordsOf(row.stage)}</td>
              <td>{wordsOf(row.category)}</td>
              <td>{wordsOf(row.action)}</td>
              <td className="num" data-testid="guardrail-count">
                {formatCount(row.count)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
