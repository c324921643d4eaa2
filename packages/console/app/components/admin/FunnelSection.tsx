import { useMemo } from 'react';
import type { AnalyticsSummary } from '../../admin-api.js';
import { formatCount, formatRate } from '../../format.js';
import { CHART_COLORS, ChartCanvas, type MixedData, type MixedOptions } from './ChartCanvas.js';
import { Card, Stat } from './parts.js';

const FUNNEL_OPTIONS: MixedOptions = {
  indexAxis: 'y',
  plugins: { legend: { display: false } },
  scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
};

function share(part: number, whole: number): string {
  return whole === 0 ? 'of no conversations' : `${formatRate(part / whole)} of conversations`;
}

/** Conversations → AI-answered → escalated → resolved by an agent, as figures and as bars; then the rates. */
export function FunnelSection(props: { summary: AnalyticsSummary }) {
  const { funnel, rates, dontKnowAnswers, customerMessages, aiAnsweredMessages } = props.summary;
  const steps = [
    { label: 'Conversations', value: funnel.conversations, testId: 'funnel-conversations', hint: 'with at least one customer message' },
    { label: 'AI answered', value: funnel.aiAnswered, testId: 'funnel-ai-answered', hint: share(funnel.aiAnswered, funnel.conversations) },
    { label: 'Escalated to a person', value: funnel.escalated, testId: 'funnel-escalated', hint: share(funnel.escalated, funnel.conversations) },
    { label: 'Resolved by an agent', value: funnel.resolvedByAgent, testId: 'funnel-resolved-by-agent', hint: share(funnel.resolvedByAgent, funnel.conversations) },
  ];
  const chartData = useMemo<MixedData>(
    () => ({
      labels: ['Conversations', 'AI answered', 'Escalated', 'Resolved by an agent'],
      datasets: [
        {
          label: 'Conversations',
          data: [funnel.conversations, funnel.aiAnswered, funnel.escalated, funnel.resolvedByAgent],
          backgroundColor: [CHART_COLORS.accent, CHART_COLORS.accentLight, CHART_COLORS.warn, CHART_COLORS.ok],
          borderRadius: 4,
          maxBarThickness: 28,
        },
      ],
    }),
    [funnel.conversations, funnel.aiAnswered, funnel.escalated, funnel.resolvedByAgent],
  );
  const chartLabel = `Funnel bar chart: ${steps.map((step) => `${step.label} ${step.value}`).join(', ')}.`;

  return (
    <>
      <Card id="funnel" title="Conversation funnel" description="Conversations that started in the period, and how far each went." className="card--wide" testId="funnel">
        <div className="funnel-layout">
          <dl className="stats stats--2x2">
            {steps.map((step) => (
              <Stat key={step.testId} label={step.label} display={formatCount(step.value)} value={step.value} testId={step.testId} hint={step.hint} />
            ))}
          </dl>
          <ChartCanvas type="bar" data={chartData} options={FUNNEL_OPTIONS} label={chartLabel} testId="funnel-chart" className="chart--funnel" />
        </div>
      </Card>
      <Card id="outcomes" title="Outcomes and rates" className="card--wide" testId="outcomes">
        <dl className="stats stats--6">
          <Stat label="Containment rate" display={formatRate(rates.containment)} value={rates.containment} testId="rate-containment" hint="not handed to a person" />
          <Stat label="Resolution rate" display={formatRate(rates.resolution)} value={rates.resolution} testId="rate-resolution" hint="contained: the AI's last reply answered" />
          <Stat
            label="Automation rate"
            display={formatRate(rates.automation)}
            value={rates.automation}
            testId="rate-automation"
            hint={`${formatCount(aiAnsweredMessages)} of ${formatCount(customerMessages)} customer messages answered by the AI`}
          />
          <Stat label="Contained" display={formatCount(funnel.contained)} value={funnel.contained} testId="funnel-contained" hint="answered by the AI, no person needed" />
          <Stat label="Abandoned" display={formatCount(funnel.abandoned)} value={funnel.abandoned} testId="funnel-abandoned" hint="neither contained nor escalated" />
          <Stat
            label="“I don’t know” answers"
            display={formatCount(dontKnowAnswers)}
            value={dontKnowAnswers}
            testId="dont-know-answers"
            tone={dontKnowAnswers > 0 ? 'bad' : 'default'}
            hint="see Knowledge gaps below"
          />
        </dl>
      </Card>
    </>
  );
}
