import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { askAsNewGuest } from './chat-client.js';
import { startTestServer, type RunningTestServer } from './test-server.js';

/**
 * A part of a reply that fails (the knowledge base's storage, usage logging)
 * costs that part, not the reply: the customer is answered, and the log says
 * what went missing.
 */
const FAQ_ARTICLE = 'flight-cancellation-fees-by-fare';
const logLineSchema = z.looseObject({ level: z.number(), msg: z.string().optional() });
const ask = (server: RunningTestServer, text: string) => askAsNewGuest(server.url, text);

/** A server whose `table` is gone from the database; `work` asks; the warnings logged meanwhile are returned. */
async function withTableGone(table: string, work: (server: RunningTestServer) => Promise<void>): Promise<string[]> {
  const logLines: string[] = [];
  const server = await startTestServer({ logLines });
  try {
    await server.db.query(`ALTER TABLE ${table} RENAME TO ${table}_unavailable`);
    await work(server);
    return logLines.map((line) => logLineSchema.parse(JSON.parse(line))).flatMap((line) => (line.level === 40 && line.msg ? [line.msg] : []));
  } finally {
    await server.close();
  }
}

describe('a knowledge base whose storage fails', () => {
  it('still answers, and says in the log that the prompt went without passages', async () => {
    // Every knowledge-base query now fails in the database.
    const warnings = await withTableGone('kb_chunks', async (server) => {
      const reply = await ask(server, 'How long does a refund take, roughly?');
      expect(reply.text.length).toBeGreaterThan(0);
    });
    expect(warnings).toContain('knowledge-base search for the prompt failed; answering without passages');
  });
});

describe('usage logging that fails', () => {
  it('does not turn a good answer into the apology: the reply goes out and is stored as answered', async () => {
    const warnings = await withTableGone('support_ai_interactions', async (server) => {
      const reply = await ask(server, 'How much does it cost to cancel a flight?');
      expect(reply.citations.map((citation) => citation.articleId)).toContain(FAQ_ARTICLE);
      const { rows } = await server.db.query<{ outcome: string }>('SELECT outcome FROM support_chat_messages WHERE id = $1', [reply.id]);
      expect(rows[0]?.outcome).toBe('answered');
    });
    expect(warnings).toContain('a model call could not be recorded in support_ai_interactions; the reply goes on');
  });
});
