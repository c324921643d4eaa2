import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, parseEvalArgs, REPO_ROOT } from './cli-args.js';

describe('eval arguments', () => {
  it('defaults to the shared dev data next to the repository and eval/out/results.json', () => {
    expect(parseEvalArgs([])).toEqual({
      dataDir: resolve(REPO_ROOT, '../shared/data'),
      jsonPath: resolve(REPO_ROOT, 'eval/out/results.json'),
      only: new Set(['retrieval', 'intent']),
      part: 'dev',
      commit: undefined,
    });
    expect(DEFAULT_DATA_DIR).toBe(resolve(REPO_ROOT, '..', 'shared', 'data'));
  });

  it('resolves --data and --json against the working directory', () => {
    expect(parseEvalArgs(['--data', 'held-out', '--json', 'out.json', '--only', 'intent', '--part', 'held-out', '--commit', 'abc1234'], '/tmp/x')).toEqual({
      dataDir: '/tmp/x/held-out',
      jsonPath: '/tmp/x/out.json',
      only: new Set(['intent']),
      part: 'held-out',
      commit: 'abc1234',
    });
  });

  it('refuses unknown options and parts', () => {
    expect(() => parseEvalArgs(['--dta', 'x'])).toThrow();
    expect(() => parseEvalArgs(['--only', 'speed'])).toThrow(/--only/);
  });
});
