import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBitext, loadClinc, loadFaqKb, loadFaqQueries, loadHint3 } from './datasets.js';

const jsonl = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

describe('dataset loaders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eval-data-'));
    const files: Record<string, unknown[]> = {
      'bitext-customer-support/utterances.jsonl': [{ id: 'bitext-0', text: 'cancel order 1', label: 'cancel_order', category: 'ORDER', tags: 'B', response: '…' }],
      'clinc150-oos/utterances.jsonl': [{ id: 'clinc-oos_train-0', text: 'what is love', label: 'oos', domain: null, orig_split: 'oos_train' }],
      'hint3/utterances.jsonl': [{ id: 'hint3-curekart-test-0', text: 'hlo', label: 'NO_NODES_DETECTED', bot: 'curekart', orig_split: 'test' }],
      'dstc-sf-travel-faq/kb.jsonl': [{ id: 'hotel/0/0', domain: 'hotel', entity_id: '0', entity_name: 'A Hotel', question: 'Pets?', answer: 'No.' }],
      'dstc-sf-travel-faq/queries.jsonl': [
        { id: 'q-0', text: 'do they allow dogs', context: [{ speaker: 'U', text: 'a hotel please' }], knowledge_seeking: true, kb_ids: ['hotel/0/0'], source: 'sf_spoken' },
        { id: 'q-1', text: 'book it', context: [], knowledge_seeking: false, source: 'sf_spoken' },
      ],
    };
    for (const [path, rows] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), jsonl(rows));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every dataset of a folder laid out like ../shared/data, keeping the fields the harness uses', async () => {
    expect(await loadBitext(dir)).toEqual([{ id: 'bitext-0', text: 'cancel order 1', label: 'cancel_order', tags: 'B' }]);
    expect(await loadClinc(dir)).toEqual([{ id: 'clinc-oos_train-0', text: 'what is love', label: 'oos', domain: null }]);
    expect(await loadHint3(dir)).toEqual([{ id: 'hint3-curekart-test-0', text: 'hlo', label: 'NO_NODES_DETECTED', bot: 'curekart' }]);
    expect((await loadFaqKb(dir))[0]).toMatchObject({ id: 'hotel/0/0', entity_name: 'A Hotel' });
    expect((await loadFaqQueries(dir)).map((query) => [query.id, query.knowledge_seeking, query.kb_ids])).toEqual([
      ['q-0', true, ['hotel/0/0']],
      ['q-1', false, undefined],
    ]);
  });

  it('fails on a malformed row with its file and line', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'eval-broken-'));
    await mkdir(join(broken, 'dstc-sf-travel-faq'), { recursive: true });
    await writeFile(join(broken, 'dstc-sf-travel-faq/queries.jsonl'), jsonl([{ id: 'q', text: 't', context: [], knowledge_seeking: true }]));
    await expect(loadFaqQueries(broken)).rejects.toThrow(/queries\.jsonl:1: .*kb_ids/s);
    await rm(broken, { recursive: true, force: true });
  });

  it('names the missing file when a dataset is absent', async () => {
    await expect(loadBitext(join(dir, 'nowhere'))).rejects.toThrow(/utterances\.jsonl/);
  });
});
