import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, configVariableNames, loadConfig } from './config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives a working embedded demo with no variables at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      dataDir: './data',
      databaseUrl: undefined,
      demoEnabled: true,
      allowGuests: true,
      sessionTokenTtlSeconds: 900,
      ai: { provider: { kind: 'local' } },
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', OPENAI_API_KEY: ' ' }).databaseUrl).toBeUndefined();
  });

  it('reports every bad variable at once, one line each, naming it', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_TOKEN_TTL_SECONDS: '-5', AI_PROVIDER: 'skynet' });
    expect(problems).toHaveLength(4);
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['AI_PROVIDER', 'DATABASE_URL', 'PORT', 'SESSION_TOKEN_TTL_SECONDS']);
    expect(problems.every((problem) => !problem.includes('\n'))).toBe(true);
  });

  it('never echoes secret values in its messages', () => {
    const problems = problemsOf({ HOST_JWT_SECRET: 'short-secret-value' });
    expect(problems).toEqual([expect.stringMatching(/^HOST_JWT_SECRET: /)]);
    expect(problems.join(' ')).not.toContain('short-secret-value');
  });

  it('requires what each provider needs', () => {
    expect(problemsOf({ AI_PROVIDER: 'openai' })).toEqual([expect.stringMatching(/^OPENAI_API_KEY: required/)]);
    expect(problemsOf({ AI_PROVIDER: 'azure' }).map((problem) => problem.split(':')[0])).toEqual([
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_API_KEY',
      'AZURE_OPENAI_DEPLOYMENT',
    ]);
    expect(problemsOf({ AI_PROVIDER: 'openai-compatible' })).toEqual([expect.stringMatching(/^OPENAI_BASE_URL: required/)]);
    expect(loadConfig({ AI_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'llama3' }).ai.provider).toEqual({
      kind: 'openai-compatible',
      apiKey: 'not-needed',
      model: 'llama3',
      baseURL: 'http://127.0.0.1:11434/v1',
    });
  });

  it('takes an admin API key of at least 24 characters, off when unset', () => {
    expect(loadConfig({}).adminApiKey).toBeUndefined();
    expect(loadConfig({ ADMIN_API_KEY: 'k'.repeat(24) }).adminApiKey).toBe('k'.repeat(24));
    expect(problemsOf({ ADMIN_API_KEY: 'too-short-admin-key' })).toEqual([expect.stringMatching(/^ADMIN_API_KEY: /)]);
    expect(problemsOf({ ADMIN_API_KEY: 'too-short-admin-key' }).join(' ')).not.toContain('too-short-admin-key');
  });

  it('embeds offline by default, and hosted embeddings reuse the chat provider\'s keys', () => {
    expect(loadConfig({}).embeddings).toEqual({ provider: { kind: 'local' }, dimensions: 384 });
    expect(loadConfig({ EMBEDDING_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-x', EMBEDDING_DIMENSIONS: '512' }).embeddings).toEqual({
      provider: { kind: 'openai', apiKey: 'sk-x', model: 'text-embedding-3-small', baseURL: undefined },
      dimensions: 512,
    });
    expect(problemsOf({ EMBEDDING_PROVIDER: 'openai' })).toEqual([expect.stringMatching(/^OPENAI_API_KEY: required when EMBEDDING_PROVIDER=openai/)]);
    // A key both need is reported once.
    expect(problemsOf({ AI_PROVIDER: 'openai', EMBEDDING_PROVIDER: 'openai' })).toHaveLength(1);
    // Azure needs its own embeddings deployment: the chat one cannot embed.
    const azure = { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'chat' };
    expect(problemsOf({ ...azure, AI_PROVIDER: 'azure', EMBEDDING_PROVIDER: 'azure' })).toEqual([expect.stringMatching(/^AZURE_OPENAI_EMBEDDING_DEPLOYMENT: required/)]);
    expect(loadConfig({ ...azure, EMBEDDING_PROVIDER: 'azure', AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'embed' }).embeddings.provider).toMatchObject({ kind: 'azure', deployment: 'embed' });
    expect(problemsOf({ EMBEDDING_DIMENSIONS: '4096' }).map((problem) => problem.split(':')[0])).toEqual(['EMBEDDING_DIMENSIONS']);
  });

  it('requires a host secret once the demo token endpoint is off', () => {
    expect(problemsOf({ DEMO_ENABLED: 'false' })).toEqual([expect.stringMatching(/^HOST_JWT_SECRET: required/)]);
    expect(loadConfig({ DEMO_ENABLED: 'false', HOST_JWT_SECRET: 'x'.repeat(32) }).demoEnabled).toBe(false);
  });

  it('configures the host API adapter, preferring HMAC signing', () => {
    expect(problemsOf({ HOST_ADAPTER: 'http' }).map((problem) => problem.split(':')[0])).toEqual(['HOST_API_BASE_URL', 'HOST_API_HMAC_SECRET']);
    const config = loadConfig({ HOST_ADAPTER: 'http', HOST_API_BASE_URL: 'https://api.example/x', HOST_API_HMAC_SECRET: 'h'.repeat(32), HOST_API_TOKEN: 'tok' });
    expect(config.hostAdapter).toEqual({ kind: 'http', baseUrl: 'https://api.example/x', auth: { kind: 'hmac', secret: 'h'.repeat(32) }, timeoutMs: 3000, retries: 2 });
  });

  it('is documented: .env.example lists exactly the variables it reads', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = example.split('\n').flatMap((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1] ?? []);
    expect([...listed].sort()).toEqual([...configVariableNames].sort());
  });
});
