import type { AdminApi, Period } from '../../admin-api.js';
import { useLoaded } from '../../use-loaded.js';
import { FunnelSection } from './FunnelSection.js';
import { KnowledgeGaps } from './KnowledgeGaps.js';
import { PanelStatus } from './parts.js';
import { CsatCard, EscalationReasonsCard, GuardrailsCard } from './QualitySection.js';
import { CitedArticlesCard, LatencyCard, TokensCard } from './UsageSection.js';

/** The period's numbers: funnel and rates, satisfaction, escalations, guardrails, usage and cost, knowledge gaps. */
export function Overview(props: { admin: AdminApi; period: Period; periodKey: string }) {
  const { admin, period, periodKey } = props;
  const summary = useLoaded(() => admin.summary(period), periodKey);
  const unanswered = useLoaded(() => admin.unanswered(period), periodKey);
  const data = summary.data;

  return (
    <div className="overview" data-testid="admin-overview" data-state={summary.state}>
      <PanelStatus loading={summary.state === 'loading' && !data} error={summary.error} />
      {data ? (
        <div className="dashboard-grid">
          <FunnelSection summary={data} />
          <CsatCard csat={data.csat} />
          <EscalationReasonsCard reasons={data.escalationReasons} escalated={data.funnel.escalated} />
          <GuardrailsCard guardrails={data.guardrails} />
          <TokensCard summary={data} period={period} />
          <LatencyCard latency={data.latency} tools={data.tools} />
          <CitedArticlesCard articles={data.citedArticles} />
          <KnowledgeGaps unanswered={unanswered} />
        </div>
      ) : null}
    </div>
  );
}
