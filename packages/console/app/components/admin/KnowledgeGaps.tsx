import type { Loaded } from '../../use-loaded.js';
import type { Unanswered } from '../../admin-api.js';
import { formatCount, messageTime } from '../../format.js';
import { followLink, pathOf } from '../../use-route.js';
import { Card, PanelStatus } from './parts.js';

/** The questions the assistant answered with "I don't know", grouped into topics: what the help centre lacks. */
export function KnowledgeGaps(props: { unanswered: Loaded<Unanswered> }) {
  const { unanswered } = props;
  const data = unanswered.data;
  return (
    <Card
      id="gaps"
      title="Knowledge gaps"
      description={data ? `${formatCount(data.questions)} ${data.questions === 1 ? 'question' : 'questions'} the assistant could not answer, by topic.` : 'Questions the assistant could not answer, by topic.'}
      testId="knowledge-gaps"
    >
      <PanelStatus loading={unanswered.state === 'loading' && !data} error={unanswered.error} />
      {data && data.topics.length === 0 ? <p className="muted">The assistant had an answer to every question in this period.</p> : null}
      {data && data.topics.length > 0 ? (
        <ul className="gap-list">
          {data.topics.map((topic) => (
            <li key={topic.label} data-testid="gap-topic" data-label={topic.label}>
              <details className="gap">
                <summary>
                  <span className="gap-label">{topic.label}</span>
                  <span className="badge gap-count" data-testid="gap-count">
                    {formatCount(topic.count)} {topic.count === 1 ? 'question' : 'questions'}
                  </span>
                </summary>
                <ul className="gap-questions" aria-label={`Questions about ${topic.label}`}>
                  {topic.questions.map((question) => (
                    <li key={question.messageId} data-testid="gap-question">
                      <q>{question.text}</q>
                      <span className="gap-meta">
                        <time dateTime={question.askedAt}>{messageTime(question.askedAt)}</time> ·{' '}
                        <a href={pathOf({ view: 'admin', section: 'conversations', sessionId: question.sessionId })} onClick={followLink}>
                          Open the conversation
                        </a>
                      </span>
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
