import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAccounts, MIN_PASSWORD_LENGTH } from '../src/agents/agent-accounts.js';
import { openDatabase } from '../src/storage/open-database.js';
import { createTestDatabase } from './test-server.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run agent:create -- <args>` as the root script does. `stdin`
 * undefined: stdin is /dev/null (not a terminal, and empty), so a password is generated.
 */
function runCli(args: string[], env: { DATA_DIR: string; DATABASE_URL?: string }, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/agent-create.ts', ...args], {
      cwd: repoRoot,
      // DATABASE_URL empty unless given: PGlite under DATA_DIR, whatever the machine's environment says.
      env: { ...process.env, DATABASE_URL: '', ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;
/** A stack trace's frames, which a user's mistake must never print. */
const STACK_FRAME = /^\s+at /m;

describe('npm run agent:create', () => {
  let scratch: string;
  /** Where the bad-input cases point: it must still not exist afterwards (the database was never opened). */
  let untouched: string;
  let dataDir: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-cli-'));
    untouched = join(scratch, 'untouched');
    dataDir = join(scratch, 'data');
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  describe('bad input: exit 2, a message naming the problem, the database never opened', () => {
    it('a bad e-mail', async () => {
      const result = await runCli(['--email', 'maya-at-example.com', '--name', 'Maya Chen'], { DATA_DIR: untouched });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--email: is not a valid e-mail address (got "maya-at-example.com")');
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout).toBe('');
      expect(existsSync(untouched)).toBe(false);
    });

    it('--password on the command line', async () => {
      const result = await runCli(['--email', 'maya@example.com', '--name', 'Maya Chen', '--password', 'hunter2-hunter2'], { DATA_DIR: untouched });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--password is refused: .*shell history.*stdin/);
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stdout).toBe('');
      expect(existsSync(untouched)).toBe(false);
    });

    it('a password on stdin shorter than MIN_PASSWORD_LENGTH', async () => {
      const short = 'x'.repeat(MIN_PASSWORD_LENGTH - 1);
      const result = await runCli(['--email', 'maya@example.com', '--name', 'Maya Chen'], { DATA_DIR: untouched }, `${short}\n`);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`at least ${MIN_PASSWORD_LENGTH} characters`);
      expect(result.stderr).not.toContain(short);
      expect(result.stdout).toBe('');
      expect(existsSync(untouched)).toBe(false);
    });
  });

  describe('against PGlite in a fresh DATA_DIR', () => {
    let generated: string | undefined;
    const piped = 'correct horse battery staple';

    it('generates a password when none is piped in, and prints it once', async () => {
      const result = await runCli(['--email', 'maya@example.com', '--name', 'Maya Chen'], { DATA_DIR: dataDir });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^created agent agt_[0-9a-f]{32}\n/);
      expect(result.stdout).toContain('e-mail:    maya@example.com\n');
      expect(result.stdout).toContain('name:      Maya Chen\n');
      expect(result.stdout).toContain('role:      agent\n');
      expect(result.stdout).toMatch(/shown only once/);
      generated = /^ {2}password: {2}([A-Za-z0-9_-]+)$/m.exec(result.stdout)?.[1];
      expect(generated?.length).toBeGreaterThanOrEqual(20);
      expect(occurrences(result.stdout, generated ?? '')).toBe(1);
    });

    it('takes the password from stdin and never prints it', async () => {
      const result = await runCli(['--email', 'ali@example.com', '--name', 'Ali Khan', '--role', 'admin', '--max-chats', '5'], { DATA_DIR: dataDir }, `${piped}\n`);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('role:      admin\n');
      expect(result.stdout).toContain('max chats: 5\n');
      expect(result.stdout).not.toContain('password');
      expect(result.stdout).not.toContain(piped);
      expect(result.stderr).not.toContain(piped);
    });

    it('refuses an e-mail that exists already (whatever its case) with exit 1 and no stack trace', async () => {
      const result = await runCli(['--email', 'MAYA@Example.com', '--name', 'Another Maya'], { DATA_DIR: dataDir }, `${piped}\n`);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('agent:create: an agent with that e-mail already exists\n');
      expect(result.stdout).toBe('');
    });

    it('wrote accounts whose passwords verify, in the database the server opens', async () => {
      const db = await openDatabase({ databaseUrl: undefined, dataDir });
      try {
        const accounts = new AgentAccounts(db);
        const maya = await accounts.verifyPassword('maya@example.com', generated ?? '');
        expect(maya).toMatchObject({ email: 'maya@example.com', name: 'Maya Chen', role: 'agent', maxChats: null });
        const ali = await accounts.verifyPassword('ali@example.com', `${piped}`);
        expect(ali).toMatchObject({ name: 'Ali Khan', role: 'admin', maxChats: 5 });
        // The newline that ended the line is not part of the password.
        expect(await accounts.verifyPassword('ali@example.com', `${piped}\n`)).toBeNull();
        expect((await accounts.list()).map((account) => account.name)).toEqual(['Ali Khan', 'Maya Chen']);
      } finally {
        await db.close();
      }
    });
  });

  describe.skipIf(!process.env.TEST_DATABASE_URL)('against PostgreSQL (DATABASE_URL), in a fresh schema', () => {
    it('creates the account there', async () => {
      const database = await createTestDatabase('postgres');
      try {
        const password = 'postgres-side password';
        const result = await runCli(['--email', 'pg@example.com', '--name', 'Pat Gres'], { DATA_DIR: untouched, DATABASE_URL: database.url ?? '' }, `${password}\n`);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(await new AgentAccounts(database.db).verifyPassword('pg@example.com', password)).toMatchObject({ name: 'Pat Gres', role: 'agent' });
        expect(existsSync(untouched)).toBe(false);
      } finally {
        await database.drop();
      }
    });
  });
});
