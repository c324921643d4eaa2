import { execFileSync } from 'node:child_process';

/** Which code a run measured: the commit, and whether the working tree differed from it. */
export interface CodeVersion {
  /** `git rev-parse --short HEAD`, or what `--commit` said; null outside a git checkout. */
  commit: string | null;
  /** Uncommitted changes to tracked or new files; null when not known (no git, or the commit was passed in). */
  uncommitted_changes: boolean | null;
}

type Git = (args: string[]) => string;

const runGit =
  (cwd: string): Git =>
  (args) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

export function codeVersion(repoRoot: string, givenCommit?: string, git: Git = runGit(repoRoot)): CodeVersion {
  if (givenCommit !== undefined) return { commit: givenCommit, uncommitted_changes: null };
  try {
    // eval/out/ is git-ignored, so the results file of this very run does not count as a change.
    return { commit: git(['rev-parse', '--short', 'HEAD']), uncommitted_changes: git(['status', '--porcelain']) !== '' };
  } catch {
    return { commit: null, uncommitted_changes: null };
  }
}
