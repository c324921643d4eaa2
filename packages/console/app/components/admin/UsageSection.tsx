import { useMemo } from 'react';
import type { AnalyticsSummary, Percentiles, Period } from '../../admin-api.js';
import { calendarDate, formatCount, formatMs, formatUsd } from '../../format.js';
import { CHART_COLORS, ChartCanvas, type MixedData, type MixedOptions } from './ChartCanvas.js';
import { Card, EmptyRow, Stat, TableHead } from './parts.js';

type Day = AnalyticsSummary['daily'][number];

const DAY_MS = 24 * 3600 * 1000;

/** Every UTC day of the period (the API's days are UTC), with zeros where nothing happened. */
export function daysOfPeriod(period: Period, daily: Day[]): Day[] {
  const known = new Map(daily.map((day) => [day.day, day]));
  const days: Day[] = [];
  const first = Date.parse(`${period.since.slice(0, 10)}T00:00:00Z`);
  const last = Date.parse(`${period.until.slice(0, 10)}T00:00:00Z`);
  for (let at = first; at <= last && days.length < 400; at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10);
    days.push(known.get(day) ?? { day, conversations: 0, escalated: 0, calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
  }
  // A day the API knows outside the computed range (clock skew) is still shown.
  for (const day of daily) if (!days.some((shown) => shown.day === day.day)) days.push(day);
  return days.sort((a, b) => a.day.localeCompare(b.day));
}

const shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabel = (day: string) => shortDay.format(new Date(`${day}T00:00:00Z`));

/** The cost axis: the title says US$; fractions of a cent need their digits, not the currency sign. */
const costTick = (value: number) => (value === 0 ? '0' : value < 0.01 ? value.toPrecision(2) : value.toFixed(2));

const TOKEN_OPTIONS: MixedOptions = {
  interaction: { mode: 'index', intersect: false },
  plugins: {
    legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
    tooltip: {
      callbacks: {
        label: (item) => (item.dataset.yAxisID === 'cost' ? `${item.dataset.label}: ${formatUsd(Number(item.raw))}` : `${item.dataset.label}: ${formatCount(Number(item.raw))}`),
      },
    },
  },
  scales: {
    x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } },
    y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Tokens' }, ticks: { precision: 0 } },
    cost: { position: 'right', beginAtZero: true, grid: { display: false }, title: { display: true, text: 'Cost (US$)' }, ticks: { maxTicksLimit: 6, callback: (value) => costTick(Number(value)) } },
  },
};

function TokensChart(props: { days: Day[] }) {
  const { days } = props;
  const data = useMemo<MixedData>(
    () => ({
      labels: days.map((day) => dayLabel(day.day)),
      datasets: [
        { type: 'bar', label: 'Prompt tokens', data: days.map((day) => day.promptTokens), backgroundColor: CHART_COLORS.accent, stack: 'tokens', maxBarThickness: 26 },
        { type: 'bar', label: 'Completion tokens', data: days.map((day) => day.completionTokens), backgroundColor: CHART_COLORS.accentLight, stack: 'tokens', maxBarThickness: 26 },
        {
          type: 'line',
          label: 'Estimated cost',
          data: days.map((day) => day.costUsd),
          yAxisID: 'cost',
          borderColor: CHART_COLORS.ok,
          backgroundColor: CHART_COLORS.ok,
          // A point only where something was spent: thirty dots on the zero line say nothing.
          pointRadius: days.map((day) => (day.costUsd > 0 ? 3 : 0)),
          borderWidth: 2,
          tension: 0.2,
        },
      ],
    }),
    [days],
  );
  const busiest = days.reduce<Day | null>((best, day) => (best === null || day.promptTokens + day.completionTokens > best.promptTokens + best.completionTokens ? day : best), null);
  const label = `Bar chart of prompt and completion tokens per day with the estimated cost as a line, ${days.length} days${
    busiest && busiest.promptTokens + busiest.completionTokens > 0 ? `; the busiest day was ${calendarDate(busiest.day)}` : ''
  }. The figures are in the table below.`;
  return <ChartCanvas type="bar" data={data} options={TOKEN_OPTIONS} label={label} testId="tokens-chart" className="chart--tokens" />;
}

function DailyTable(props: { days: Day[] }) {
  const active = props.days.filter((day) => day.calls > 0 || day.conversations > 0);
  return (
    <details className="disclosure">
      <summary>Figures per day</summary>
      <table className="data-table" data-testid="daily-table">
        <TableHead columns={['Day (UTC)', { label: 'Conversations', numeric: true }, { label: 'Escalated', numeric: true }, { label: 'Model calls', numeric: true }, { label: 'Prompt tokens', numeric: true }, { label: 'Completion tokens', numeric: true }, { label: 'Cost', numeric: true }]} />
        <tbody>
          {active.length === 0 ? <EmptyRow columns={7}>Nothing happened in this period.</EmptyRow> : null}
          {active.map((day) => (
            <tr key={day.day}>
              <th scope="row">{calendarDate(`${day.day}T12:00:00Z`)}</th>
              <td className="num">{formatCount(day.conversations)}</td>
              <td className="num">{formatCount(day.escalated)}</td>
              <td className="num">{formatCount(day.calls)}</td>
              <td className="num">{formatCount(day.promptTokens)}</td>
              <td className="num">{formatCount(day.completionTokens)}</td>
              <td className="num">{formatUsd(day.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Model calls, tokens and the estimated cost over the period, by day and in total. */
export function TokensCard(props: { summary: AnalyticsSummary; period: Period }) {
  const { tokens, daily } = props.summary;
  const days = useMemo(() => daysOfPeriod(props.period, daily), [props.period, daily]);
  const total = tokens.promptTokens + tokens.completionTokens;
  return (
    <Card id="tokens" title="Tokens and cost" description="Every model call: replies and hand-over notes. Cost is estimated from list prices." className="card--wide" testId="tokens">
      <div className="usage-layout">
        <TokensChart days={days} />
        <dl className="stats stats--usage">
          <Stat label="Total tokens" display={formatCount(total)} value={total} testId="tokens-total" />
          <Stat label="Prompt tokens" display={formatCount(tokens.promptTokens)} value={tokens.promptTokens} testId="tokens-prompt" />
          <Stat label="Completion tokens" display={formatCount(tokens.completionTokens)} value={tokens.completionTokens} testId="tokens-completion" />
          <Stat label="Estimated cost" display={formatUsd(tokens.costUsd)} value={tokens.costUsd} testId="tokens-cost" hint={tokens.unpricedCalls > 0 ? 'without the unpriced calls' : undefined} />
          <Stat label="Model calls" display={formatCount(tokens.calls)} value={tokens.calls} testId="tokens-calls" hint={tokens.estimatedCalls > 0 ? `${formatCount(tokens.estimatedCalls)} with estimated token counts` : undefined} />
          <Stat
            label="Unpriced calls"
            display={formatCount(tokens.unpricedCalls)}
            value={tokens.unpricedCalls}
            testId="tokens-unpriced"
            tone={tokens.unpricedCalls > 0 ? 'bad' : 'default'}
            hint="no price known for the model"
          />
        </dl>
      </div>
      <DailyTable days={days} />
    </Card>
  );
}

function PercentileCells(props: { values: Percentiles; testId: string }) {
  return (
    <>
      <td className="num" data-testid={`${props.testId}-p50`}>
        {formatMs(props.values.p50)}
      </td>
      <td className="num" data-testid={`${props.testId}-p90`}>
        {formatMs(props.values.p90)}
      </td>
      <td className="num" data-testid={`${props.testId}-p99`}>
        {formatMs(props.values.p99)}
      </td>
    </>
  );
}

export function LatencyCard(props: { latency: AnalyticsSummary['latency']; tools: AnalyticsSummary['tools'] }) {
  const { latency, tools } = props;
  return (
    <Card id="latency" title="Reply latency" description={`${formatCount(latency.calls)} timed replies.`} testId="latency">
      <table className="data-table" data-testid="latency-table">
        <TableHead columns={['Measure', { label: 'p50', numeric: true }, { label: 'p90', numeric: true }, { label: 'p99', numeric: true }]} />
        <tbody>
          <tr>
            <th scope="row">First token</th>
            <PercentileCells values={latency.firstTokenMs} testId="latency-first-token" />
          </tr>
          <tr>
            <th scope="row">Whole reply</th>
            <PercentileCells values={latency.totalMs} testId="latency-total" />
          </tr>
        </tbody>
      </table>
      {tools.length > 0 ? (
        <>
          <h3 className="card-subhead">Tools</h3>
          <table className="data-table" data-testid="tools-table">
            <TableHead columns={['Tool', { label: 'Calls', numeric: true }, { label: 'Failures', numeric: true }, { label: 'p50', numeric: true }, { label: 'p90', numeric: true }]} />
            <tbody>
              {tools.map((tool) => (
                <tr key={tool.tool}>
                  <th scope="row" className="mono">
                    {tool.tool}
                  </th>
                  <td className="num">{formatCount(tool.calls)}</td>
                  <td className="num">{formatCount(tool.failures)}</td>
                  <td className="num">{formatMs(tool.p50Ms)}</td>
                  <td className="num">{formatMs(tool.p90Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}

export function CitedArticlesCard(props: { articles: AnalyticsSummary['citedArticles'] }) {
  const articles = props.articles.slice(0, 10);
  return (
    <Card id="cited" title="Top cited articles" description="Help-centre articles the assistant's answers cited." testId="cited-articles">
      {articles.length === 0 ? (
        <p className="muted">No answer cited an article in this period.</p>
      ) : (
        <ol className="ranked">
          {articles.map((article) => (
            <li key={article.articleId} data-testid="cited-article" data-article-id={article.articleId}>
              <span className="ranked-title">{article.title ?? <span className="mono">{article.articleId}</span>}</span>
              <span className="ranked-count">
                {formatCount(article.count)} {article.count === 1 ? 'citation' : 'citations'}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
