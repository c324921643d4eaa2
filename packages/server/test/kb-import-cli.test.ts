import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/kb-import/', import.meta.url));

/** Runs `npm run kb:import -- <args>` as the root script does, against PGlite in `dataDir`. */
function runCli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'packages/server/src/cli/kb-import.ts', ...args],
      // DATABASE_URL empty: PGlite under DATA_DIR, whatever the machine's environment says.
      { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', INIT_CWD: repoRoot } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run kb:import', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'kb-cli-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('exits 1 with file:line on bad input, before opening the database', async () => {
    const bad = join(scratch, 'bad.csv');
    await writeFile(bad, 'question,answer\nq1,a1\nq2,\n');
    const dataDir = join(scratch, 'data-bad');
    const result = await runCli([bad], dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('kb:import: bad.csv:3: missing answer\n');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('imports a folder, then finds nothing to do the second time', { timeout: 90_000 }, async () => {
    const dataDir = join(scratch, 'data');
    const first = await runCli([fixture, '--source', 'fixture'], dataDir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^source "fixture": 11 articles from 6 files \(skipped 1 other: notes\.txt\): 11 added, 0 updated, 0 unchanged, 0 pruned, \d+ chunks indexed in [\d.]+ s\n$/);
    const second = await runCli([fixture, '--source', 'fixture', '--prune', '--dry-run'], dataDir);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^dry run, nothing written: source "fixture": .*: 0 added, 0 updated, 11 unchanged, 0 pruned, 0 chunks indexed/);
  });
});
