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

describe('a knowledge base whose storage fails', () => {
  it('still answers, and says in the log that the prompt went without passages', async () => {
    const logLines: string[] = [];
    const server = await startTestServer({ logLines });
    try {
      // Every knowledge-base query now fails in the database.
      await server.db.query('ALTER TABLE kb_chunks RENAME TO kb_chunks_unavailable');
      const reply = await ask(server, 'How long does a refund take, roughly?');
      expect(reply.text.length).toBeGreaterThan(0);
      const warnings = logLines.map((line) => logLineSchema.parse(JSON.parse(line))).filter((line) => line.level === 40);
      expect(warnings.some((line) => line.msg === 'knowledge-base search for the prompt failed; answering without passages')).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('usage logging that fails', () => {
  it('does not turn a good answer into the apology: the reply goes out and is stored as answered', async () => {
    const logLines: string[] = [];
    const server = await startTestServer({ logLines });
    try {
      await server.db.query('ALTER TABLE support_ai_interactions RENAME TO support_ai_interactions_unavailable');
      const reply = await ask(server, 'How much does it cost to cancel a flight?');
      expect(reply.citations.map((citation) => citation.articleId)).toContain(FAQ_ARTICLE);
      const { rows } = await server.db.query<{ outcome: string }>('SELECT outcome FROM support_chat_messages WHERE id = $1', [reply.id]);
      expect(rows[0]?.outcome).toBe('answered');
      const warnings = logLines.map((line) => logLineSchema.parse(JSON.parse(line))).filter((line) => line.level === 40);
      expect(warnings.some((line) => line.msg === 'a model call could not be recorded in support_ai_interactions; the reply goes on')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
