import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-args.js';
import { codeVersion } from './code-version.js';

describe('the code version a run records', () => {
  const git = (answers: Record<string, string>) => (args: string[]) => {
    const answer = answers[args.join(' ')];
    if (answer === undefined) throw new Error(`not a git repository (${args.join(' ')})`);
    return answer;
  };

  it('is the short HEAD commit, and whether the tree differed from it', () => {
    expect(codeVersion(REPO_ROOT, undefined, git({ 'rev-parse --short HEAD': 'b8a4f3a', 'status --porcelain': '' }))).toEqual({ commit: 'b8a4f3a', uncommitted_changes: false });
    expect(codeVersion(REPO_ROOT, undefined, git({ 'rev-parse --short HEAD': 'b8a4f3a', 'status --porcelain': ' M eval/run-eval.ts' }))).toEqual({
      commit: 'b8a4f3a',
      uncommitted_changes: true,
    });
  });

  it('takes a commit passed in (an exported tree) without claiming to know its changes, and is null outside git', () => {
    expect(codeVersion(REPO_ROOT, 'abc1234', git({}))).toEqual({ commit: 'abc1234', uncommitted_changes: null });
    expect(codeVersion(REPO_ROOT, undefined, git({}))).toEqual({ commit: null, uncommitted_changes: null });
  });

  it('reads this checkout', () => {
    expect(codeVersion(REPO_ROOT).commit).toMatch(/^[0-9a-f]{7,}$/);
  });
});
