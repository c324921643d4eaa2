import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSummary } from '../src/analytics/support-analytics.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { answerTheScript, INJECTION, runScriptedDay, UNKNOWN_QUESTION, type ScriptedSessions } from './support/scripted-support-day.js';
import { startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-analytics-0123456789abcdef';
const ADMIN_KEY = 'admin-key-for-the-analytics-test-0123456789';

/**
 * The scripted day (test/support/scripted-support-day.ts, with the button
 * handoff) through the real service, then the dashboard's API: the funnel,
 * rates and sums must be exactly what the script implies by the README's
 * definitions.
 */
describe.each(testDrivers)('analytics of a scripted set of conversations on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  let started: Date;
  let sessions: ScriptedSessions;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    answerTheScript(fake);
    server = await startTestServer({
      driver,
      modelFromConfig: true,
      env: { AI_PROVIDER: 'openai', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-4.1-mini', AI_MAX_RETRIES: '0', ADMIN_API_KEY: ADMIN_KEY },
    });
    started = new Date(Date.now() - 1000);
    sessions = await runScriptedDay(server, { buttonHandoff: true });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  const summaryOf = async (query = `?since=${encodeURIComponent(started.toISOString())}&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`) => {
    const response = await fetch(`${server.url}/admin/analytics/summary${query}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as AnalyticsSummary;
  };

  it('returns exactly the funnel and the rates the script implies', async () => {
    const summary = await summaryOf();
    expect(summary.funnel).toEqual({ conversations: 5, aiAnswered: 2, escalated: 2, resolvedByAgent: 1, contained: 1, abandoned: 2 });
    expect(summary.rates).toEqual({ containment: 3 / 5, resolution: 1 / 5, automation: 3 / 6 });
    expect(summary.customerMessages).toBe(6);
    expect(summary.aiAnsweredMessages).toBe(3);
    expect(summary.dontKnowAnswers).toBe(1);
    expect(summary.escalationReasons).toEqual([
      { source: 'customer_button', count: 1 },
      { source: 'explicit_request', count: 1 },
    ]);
    expect(summary.csat).toEqual({
      ai: { up: 1, down: 1, score: 0.5 },
      human: { up: 1, down: 0, score: 1 },
      // End of chat: 5 and 1 stars where the AI alone answered, 2 where a person had.
      endOfChat: { ai: { ratings: 2, average: 3, satisfied: 0.5 }, human: { ratings: 1, average: 2, satisfied: 0 } },
    });
    expect(summary.guardrails).toEqual([{ stage: 'input', category: 'injection', action: 'safe_reply', count: 1 }]);
    expect(summary.citedArticles).toEqual([{ articleId: 'flight-cancellation-fees-by-fare', title: expect.any(String), count: 1 }]);
  });

  it('sums tokens and the estimated cost from the price table, by day too', async () => {
    const summary = await summaryOf();
    // Four replies (100+80+50+80 prompt, 20+10+10+10 completion) and two hand-over notes (30/5 each).
    expect(summary.tokens).toEqual({ calls: 6, promptTokens: 370, completionTokens: 60, estimatedCalls: 0, costUsd: expect.closeTo((370 * 0.4 + 60 * 1.6) / 1e6, 12), unpricedCalls: 0 });
    const days = summary.daily;
    expect(days.reduce((sum, day) => sum + day.conversations, 0)).toBe(5);
    expect(days.reduce((sum, day) => sum + day.escalated, 0)).toBe(2);
    expect(days.reduce((sum, day) => sum + day.promptTokens, 0)).toBe(370);
    expect(days.reduce((sum, day) => sum + day.calls, 0)).toBe(6);
    // Four replies timed (the notes are not replies); each has a first token.
    expect(summary.latency.calls).toBe(4);
    expect(summary.latency.firstTokenMs.p50).not.toBeNull();
    expect(summary.latency.totalMs.p50).toBeGreaterThanOrEqual(summary.latency.firstTokenMs.p50 ?? 0);
  });

  it('counts by period: nothing before the script started; a bad or too long period is refused', async () => {
    const before = await summaryOf(`?since=${encodeURIComponent(new Date(started.getTime() - 30 * 24 * 3600_000).toISOString())}&until=${encodeURIComponent(started.toISOString())}`);
    expect(before.funnel.conversations).toBe(0);
    expect(before.rates).toEqual({ containment: null, resolution: null, automation: null });
    const refused = async (query: string) => (await fetch(`${server.url}/admin/analytics/summary${query}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status;
    expect(await refused('?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z')).toBe(400);
    expect(await refused('?since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z')).toBe(400);
    expect(await refused('?since=last-week')).toBe(400);
  });

  const adminGet = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const period = () => `since=${encodeURIComponent(started.toISOString())}&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
  const listed = async (filter: string) => {
    const { body } = await adminGet(`/admin/conversations?${period()}${filter}`);
    return { total: body.total, ids: (body.conversations as Array<{ sessionId: string }>).map((row) => row.sessionId).sort() };
  };

  it('browses the conversations by outcome, rating and trigger, newest first, each previewed redacted', async () => {
    expect(await listed('')).toEqual({ total: 5, ids: [sessions.c1, sessions.c2, sessions.c3, sessions.c4, sessions.c6 ?? ''].sort() });
    expect(await listed('&outcome=contained')).toEqual({ total: 1, ids: [sessions.c1] });
    expect(await listed('&outcome=escalated')).toEqual({ total: 2, ids: [sessions.c2, sessions.c6 ?? ''].sort() });
    expect(await listed('&outcome=abandoned')).toEqual({ total: 2, ids: [sessions.c3, sessions.c4].sort() });
    expect(await listed('&rating=down')).toEqual({ total: 1, ids: [sessions.c3] });
    expect(await listed('&rating=up')).toEqual({ total: 2, ids: [sessions.c1, sessions.c2].sort() });
    expect(await listed('&trigger=customer_button')).toEqual({ total: 1, ids: [sessions.c6 ?? ''] });
    // Paged: two at a time, and the total stays the same past the end.
    expect((await listed('&limit=2')).ids).toHaveLength(2);
    expect(await listed('&limit=2&offset=10')).toEqual({ total: 5, ids: [] });
    const { body } = await adminGet(`/admin/conversations?${period()}&outcome=abandoned`);
    const rows = body.conversations as Array<{ sessionId: string; preview: string; startedAt: string }>;
    expect(rows.map((row) => row.startedAt)).toEqual([...rows.map((row) => row.startedAt)].sort().reverse());
    const injection = rows.find((row) => row.sessionId === sessions.c4);
    expect(injection?.preview).toContain('[CARD]');
    expect(injection?.preview).not.toContain('4111');
    expect((await adminGet(`/admin/conversations?${period()}&outcome=lost`)).status).toBe(400);
  });

  it('shows one conversation whole, redacted, with its tickets and guardrail decisions', async () => {
    const escalated = await adminGet(`/admin/conversations/${sessions.c2}`);
    expect(escalated.status).toBe(200);
    const messages = escalated.body.messages as Array<{ role: string; text: string }>;
    expect(messages.map((message) => message.role)).toEqual(expect.arrayContaining(['user', 'system', 'agent']));
    expect(messages.find((message) => message.role === 'agent')?.text).toBe("Hi, I'm Maya. How can I help?");
    expect(escalated.body.tickets).toEqual([expect.objectContaining({ source: 'explicit_request', resolution: 'resolved', status: 'solved' })]);

    const guarded = await adminGet(`/admin/conversations/${sessions.c4}`);
    const texts = JSON.stringify(guarded.body);
    expect(texts).toContain('[CARD]');
    expect(texts).toContain('[EMAIL]');
    expect(texts).not.toContain('4111 1111');
    expect(texts).not.toContain('pat@example.org');
    expect(guarded.body.guardrails).toEqual([expect.objectContaining({ stage: 'input', category: 'injection', action: 'safe_reply' })]);
    // The transcript itself keeps the customer's words: only the admin's view is redacted.
    expect((await server.db.query<{ text: string }>(`SELECT text FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [sessions.c4])).rows[0]?.text).toBe(INJECTION);
    expect((await adminGet('/admin/conversations/ses_nope')).status).toBe(404);
  });

  it('lists the questions the assistant could not answer, grouped into topics', async () => {
    const { body } = await adminGet(`/admin/analytics/unanswered?${period()}`);
    expect(body.questions).toBe(1);
    expect(body.topics).toEqual([{ label: expect.stringContaining('insurance'), count: 1, questions: [expect.objectContaining({ sessionId: sessions.c3, text: UNKNOWN_QUESTION })] }]);
  });
});
