import { describe, expect, it } from 'vitest';
import { CachingRetriever } from './caching-retriever.js';
import type { KbHit, KbSearchQuery, KnowledgeRetriever } from './retriever.js';

function countingRetriever() {
  const calls: KbSearchQuery[] = [];
  const retriever: KnowledgeRetriever = {
    async search(query) {
      calls.push(query);
      return Array.from({ length: query.limit ?? 5 }, (_, index): KbHit => ({
        articleId: `a${index}`,
        chunkId: `a${index}#0`,
        title: query.text,
        url: 'https://help.example',
        category: null,
        heading: null,
        passage: 'text',
        score: 1 - index / 10,
      }));
    },
  };
  return { calls, retriever };
}

describe('CachingRetriever', () => {
  it('serves the same question once per TTL, whatever the limit up to the fetch size', async () => {
    let now = 0;
    const { calls, retriever } = countingRetriever();
    const cache = new CachingRetriever(retriever, { ttlMs: 1000, now: () => now });
    expect(await cache.search({ text: 'Refund?', limit: 3 })).toHaveLength(3);
    expect(await cache.search({ text: ' refund? ', limit: 4 })).toHaveLength(4);
    expect(calls).toHaveLength(1);
    now = 1500;
    await cache.search({ text: 'refund?', limit: 3 });
    expect(calls).toHaveLength(2);
    await cache.search({ text: 'refund?', category: 'refunds' });
    expect(calls).toHaveLength(3);
  });

  it('keeps questions apart whose conversation differs', async () => {
    const { calls, retriever } = countingRetriever();
    const cache = new CachingRetriever(retriever);
    await cache.search({ text: 'what time is check-in there?', context: ['I booked the Grant Hotel'] });
    await cache.search({ text: 'what time is check-in there?', context: ['I booked the Harbor Court Hotel'] });
    await cache.search({ text: 'what time is check-in there?', context: ['I booked the Grant Hotel'] });
    expect(calls.map((call) => call.context)).toEqual([['I booked the Grant Hotel'], ['I booked the Harbor Court Hotel']]);
  });

  it('keys on the conversation too: the same follow-up means another thing in another conversation', async () => {
    const { calls, retriever } = countingRetriever();
    const cache = new CachingRetriever(retriever);
    await cache.search({ text: 'What is the check-in time there?', context: ['Tell me about the Harbour Hotel'] });
    await cache.search({ text: 'what is the check-in time there?', context: ['Tell me about the Harbour Hotel'] });
    expect(calls).toHaveLength(1);
    await cache.search({ text: 'What is the check-in time there?', context: ['Tell me about the Lakeside Inn'] });
    await cache.search({ text: 'What is the check-in time there?' });
    expect(calls.map((call) => call.context)).toEqual([['Tell me about the Harbour Hotel'], ['Tell me about the Lakeside Inn'], undefined]);
    // An empty conversation is no conversation.
    await cache.search({ text: 'What is the check-in time there?', context: [] });
    expect(calls).toHaveLength(3);
  });

  it('forgets the least recently used entries beyond its size and never caches failures', async () => {
    const { calls, retriever } = countingRetriever();
    const cache = new CachingRetriever(retriever, { maxEntries: 2 });
    await cache.search({ text: 'one' });
    await cache.search({ text: 'two' });
    await cache.search({ text: 'one' });
    await cache.search({ text: 'three' });
    await cache.search({ text: 'one' });
    await cache.search({ text: 'two' });
    expect(calls.map((call) => call.text)).toEqual(['one', 'two', 'three', 'two']);

    let fail = true;
    const flaky = new CachingRetriever({ search: async () => { if (fail) throw new Error('db down'); return []; } });
    await expect(flaky.search({ text: 'x' })).rejects.toThrow('db down');
    fail = false;
    await expect(flaky.search({ text: 'x' })).resolves.toEqual([]);
  });
});
