import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, configVariableNames, fastifyTrustProxy, loadConfig } from './config.js';

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
      customerTokenMaxLifetimeSeconds: 86_400,
      trustProxy: false,
      host: '127.0.0.1',
      ai: { provider: { kind: 'local' } },
    });
  });

  it('listens on loopback in demo mode unless HOST says otherwise, on every interface otherwise', () => {
    const real = { DEMO_ENABLED: 'false', HOST_JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig(real).host).toBe('0.0.0.0');
    expect(loadConfig({ ...real, HOST: '10.1.2.3' }).host).toBe('10.1.2.3');
  });

  it('bounds the lifetime of customer tokens, a day by default', () => {
    expect(loadConfig({ CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: '3600' }).customerTokenMaxLifetimeSeconds).toBe(3600);
    expect(problemsOf({ CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: '0' })).toEqual([expect.stringMatching(/^CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: /)]);
    expect(problemsOf({ CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: String(365 * 86_400) })).toEqual([expect.stringMatching(/^CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: /)]);
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

  describe('AI_PROVIDER_CHAIN', () => {
    const openai = { OPENAI_API_KEY: 'sk-x', OPENAI_MODEL: 'gpt-4.1-mini' };
    const azure = { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'chat' };

    it('is AI_PROVIDER alone when unset, with a breaker of 5 failures and 30 s by default', () => {
      const { ai } = loadConfig({ AI_PROVIDER: 'openai', ...openai, AI_PROVIDER_CHAIN: ' ' });
      expect(ai.chain).toEqual([ai.provider]);
      expect(ai.provider).toMatchObject({ kind: 'openai' });
      expect(ai.breaker).toEqual({ failures: 5, cooldownMs: 30_000 });
      expect(loadConfig({ AI_BREAKER_FAILURES: '2', AI_BREAKER_COOLDOWN_MS: '60000' }).ai.breaker).toEqual({ failures: 2, cooldownMs: 60_000 });
      expect(problemsOf({ AI_BREAKER_FAILURES: '0', AI_BREAKER_COOLDOWN_MS: '10' }).map((problem) => problem.split(':')[0])).toEqual(['AI_BREAKER_FAILURES', 'AI_BREAKER_COOLDOWN_MS']);
    });

    it('lists the providers in order, each with its own variables; the first is the provider', () => {
      const { ai } = loadConfig({ AI_PROVIDER_CHAIN: 'openai, azure,local', ...openai, ...azure });
      expect(ai.chain.map((provider) => provider.kind)).toEqual(['openai', 'azure', 'local']);
      expect(ai.chain[1]).toEqual({ kind: 'azure', endpoint: 'https://x.openai.azure.com', apiKey: 'k', deployment: 'chat', apiVersion: '2024-10-21' });
      expect(ai.provider).toBe(ai.chain[0]);
      expect(loadConfig({ AI_PROVIDER: 'azure', AI_PROVIDER_CHAIN: 'azure,openai', ...openai, ...azure }).ai.provider.kind).toBe('azure');
    });

    it('requires what each provider of the chain needs, saying it is the chain that needs it', () => {
      expect(problemsOf({ AI_PROVIDER_CHAIN: 'openai,azure', ...openai })).toEqual([
        'AZURE_OPENAI_ENDPOINT: required when AI_PROVIDER_CHAIN includes azure',
        'AZURE_OPENAI_API_KEY: required when AI_PROVIDER_CHAIN includes azure',
        'AZURE_OPENAI_DEPLOYMENT: required when AI_PROVIDER_CHAIN includes azure',
      ]);
      expect(problemsOf({ AI_PROVIDER_CHAIN: 'azure,openai', ...azure })).toEqual(['OPENAI_API_KEY: required when AI_PROVIDER_CHAIN includes openai']);
      // A key the embeddings need too is reported once.
      expect(problemsOf({ AI_PROVIDER_CHAIN: 'azure,openai', ...azure, EMBEDDING_PROVIDER: 'openai' })).toHaveLength(1);
    });

    it('refuses a chain that cannot work, naming the variable', () => {
      const refused = {
        'openai,gemini': /^AI_PROVIDER_CHAIN: unknown provider "gemini"; known: local, openai, azure, openai-compatible/,
        'openai,azure,openai': /^AI_PROVIDER_CHAIN: names openai twice/,
        'openai,openai-compatible': /^AI_PROVIDER_CHAIN: openai and openai-compatible share OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL/,
        'local,openai': /^AI_PROVIDER_CHAIN: local must come last/,
      };
      for (const [chain, problem] of Object.entries(refused)) {
        expect(problemsOf({ AI_PROVIDER_CHAIN: chain, ...openai, ...azure, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }), chain).toEqual([expect.stringMatching(problem)]);
      }
      expect(problemsOf({ AI_PROVIDER: 'openai', AI_PROVIDER_CHAIN: 'azure,openai', ...openai, ...azure })).toEqual([
        "AI_PROVIDER_CHAIN: starts with azure but AI_PROVIDER=openai; leave AI_PROVIDER unset or make it the chain's first provider",
      ]);
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

  describe('in production', () => {
    const production = {
      NODE_ENV: 'production',
      HOST_JWT_SECRET: 'x'.repeat(32),
      HOST_ADAPTER: 'http',
      HOST_API_BASE_URL: 'https://api.example/x',
      HOST_API_HMAC_SECRET: 'h'.repeat(32),
      ALLOWED_ORIGINS: 'https://www.skyway.example',
    };

    it('refuses demo mode, also when DEMO_ENABLED is only defaulted, saying what to set', () => {
      const defaulted = problemsOf(production);
      expect(defaulted).toEqual([
        'DEMO_ENABLED: must be false when NODE_ENV=production (it defaults to true) (demo mode seeds a fictional company and signs demo tokens); set DEMO_ENABLED=false',
      ]);
      for (const on of ['true', '1', 'yes']) {
        expect(problemsOf({ ...production, DEMO_ENABLED: on }), on).toEqual([
          'DEMO_ENABLED: must be false when NODE_ENV=production (demo mode seeds a fictional company and signs demo tokens); set DEMO_ENABLED=false',
        ]);
      }
      const config = loadConfig({ ...production, DEMO_ENABLED: 'false' });
      expect(config).toMatchObject({ nodeEnv: 'production', demoEnabled: false, host: '0.0.0.0', hostAdapter: { kind: 'http' } });
    });

    it('refuses the demo host adapter and a missing host secret, every problem at once', () => {
      const problems = problemsOf({ NODE_ENV: 'production' });
      expect(problems.map((problem) => problem.split(':')[0])).toEqual(['DEMO_ENABLED', 'HOST_ADAPTER', 'ALLOWED_ORIGINS', 'HOST_JWT_SECRET']);
      expect(problems[1]).toBe(
        'HOST_ADAPTER: must be http when NODE_ENV=production (it defaults to demo) (the demo adapter answers from the fictional demo tables); set HOST_ADAPTER=http and HOST_API_BASE_URL',
      );
      expect(problems[3]).toMatch(/^HOST_JWT_SECRET: required when NODE_ENV=production/);
      expect(problems.every((problem) => !problem.includes('\n'))).toBe(true);
      expect(problemsOf({ ...production, DEMO_ENABLED: 'false', HOST_ADAPTER: 'demo' })).toEqual([expect.stringMatching(/^HOST_ADAPTER: must be http when NODE_ENV=production \(the demo/)]);
    });

    it('leaves development and test alone', () => {
      expect(loadConfig({ NODE_ENV: 'development' }).demoEnabled).toBe(true);
      expect(loadConfig({ NODE_ENV: 'test' }).demoEnabled).toBe(true);
    });

    it('requires ALLOWED_ORIGINS as a list: missing and * are refused, naming the variable', () => {
      const { ALLOWED_ORIGINS: _listed, ...unlisted } = production;
      const off = { ...unlisted, DEMO_ENABLED: 'false' };
      for (const missing of [undefined, '', ' , ']) {
        const env = missing === undefined ? off : { ...off, ALLOWED_ORIGINS: missing };
        expect(problemsOf(env), String(missing)).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS: required when NODE_ENV=production: .*e\.g\. ALLOWED_ORIGINS=https:\/\//)]);
      }
      expect(problemsOf({ ...off, ALLOWED_ORIGINS: '*' })).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS: must not be \* when NODE_ENV=production/)]);
      expect(problemsOf({ ...off, ALLOWED_ORIGINS: ' * ' })).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS: must not be \*/)]);
      expect(loadConfig({ ...off, ALLOWED_ORIGINS: 'https://www.skyway.example,https://m.skyway.example' }).allowedOrigins).toEqual({
        kind: 'list',
        origins: ['https://www.skyway.example', 'https://m.skyway.example'],
      });
    });
  });

  describe('ALLOWED_ORIGINS', () => {
    it('is permissive by default outside production, and * says so explicitly', () => {
      expect(loadConfig({}).allowedOrigins).toEqual({ kind: 'any' });
      expect(loadConfig({ NODE_ENV: 'test', DEMO_ENABLED: 'false', HOST_JWT_SECRET: 'x'.repeat(32) }).allowedOrigins).toEqual({ kind: 'any' });
      expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toEqual({ kind: 'any' });
    });

    it('takes origins as browsers send them, normalised, each checked', () => {
      expect(loadConfig({ ALLOWED_ORIGINS: ' https://WWW.Skyway.example/ , http://localhost:5173,https://www.skyway.example:443' }).allowedOrigins).toEqual({
        kind: 'list',
        origins: ['https://www.skyway.example', 'http://localhost:5173'],
      });
      for (const bad of ['www.skyway.example', 'https://www.skyway.example/chat', 'https://*.skyway.example', 'ftp://files.example', 'https://a.example?x=1', 'https://user@a.example', 'null']) {
        expect(problemsOf({ ALLOWED_ORIGINS: bad }), bad).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS: each entry must be an origin: .*; not an origin: /)]);
      }
      expect(problemsOf({ ALLOWED_ORIGINS: '*,https://www.skyway.example' })).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS: use \* alone/)]);
    });
  });

  describe('TRUST_PROXY', () => {
    it('trusts no proxy by default', () => {
      for (const off of [undefined, '', 'false', 'no', '0']) {
        expect(loadConfig(off === undefined ? {} : { TRUST_PROXY: off }).trustProxy, String(off)).toBe(false);
      }
      expect(fastifyTrustProxy(false)).toBe(false);
    });

    it('takes a hop count: the nearest hops are proxies, the next address is the client', () => {
      expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toEqual({ hops: 1 });
      expect(loadConfig({ TRUST_PROXY: ' 2 ' }).trustProxy).toEqual({ hops: 2 });
      const trust = fastifyTrustProxy({ hops: 2 });
      if (typeof trust !== 'function') throw new Error('a hop count is a trust function');
      expect([0, 1, 2, 3].map((hop) => trust('203.0.113.7', hop))).toEqual([true, true, false, false]);
      expect(problemsOf({ TRUST_PROXY: '11' })).toEqual([expect.stringMatching(/^TRUST_PROXY: must be false, a hop count from 1 to 10/)]);
    });

    it('takes addresses and CIDRs, checked one by one', () => {
      expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toEqual({ addresses: ['10.0.0.0/8', '127.0.0.1'] });
      expect(loadConfig({ TRUST_PROXY: ' 192.168.0.0/255.255.0.0 , ::1, fd00::/8,loopback' }).trustProxy).toEqual({
        addresses: ['192.168.0.0/255.255.0.0', '::1', 'fd00::/8', 'loopback'],
      });
      expect(fastifyTrustProxy({ addresses: ['10.0.0.0/8'] })).toEqual(['10.0.0.0/8']);
      expect(loadConfig({ TRUST_PROXY: '1.2.3.4,' }).trustProxy).toEqual({ addresses: ['1.2.3.4'] });
      for (const bad of ['10.0.0.300', '10.0.0.0/33', 'proxy.internal', '::1/129', ',']) {
        expect(problemsOf({ TRUST_PROXY: bad }), bad).toEqual([
          expect.stringMatching(/^TRUST_PROXY: must be false, a hop count \(e\.g\. 1\) or a comma-separated list of addresses\/CIDRs/),
        ]);
      }
      expect(problemsOf({ TRUST_PROXY: '10.0.0.1,proxy.internal' })[0]).toContain('not an address or CIDR: proxy.internal');
    });

    it('refuses true, which would believe the left-most (client-written) entry', () => {
      for (const all of ['true', 'TRUE', 'yes']) {
        const problems = problemsOf({ TRUST_PROXY: all });
        expect(problems, all).toHaveLength(1);
        expect(problems[0]).toMatch(/^TRUST_PROXY: true is refused: .*give the number of proxies in front of the service \(e\.g\. 1\) or their addresses/);
      }
    });
  });

  describe('GUARDRAIL_POLICY', () => {
    it('defaults every part, and takes a partial policy over the defaults', () => {
      expect(loadConfig({}).guardrails.policy).toMatchObject({ input: { self_harm: { action: 'hotline', thenHuman: true }, abuse: { action: 'warn' } }, limits: { maxTurnsPerConversation: 50 } });
      const policy = loadConfig({ GUARDRAIL_POLICY: '{"input":{"abuse":{"action":"end"}},"limits":{"dailyTokensPerCustomer":0}}' }).guardrails.policy;
      expect(policy.input.abuse.action).toBe('end');
      expect(policy.input.pii_exposure.action).toBe('safe_reply');
      expect(policy.limits).toEqual({ maxTurnsPerConversation: 50, dailyTokensPerCustomer: 0, dailyTokensPerGuestIp: 50_000 });
    });

    it('names the variable and the setting that is wrong: not JSON, an action a category cannot take, an unknown key', () => {
      expect(problemsOf({ GUARDRAIL_POLICY: '{input:' })).toEqual([expect.stringMatching(/^GUARDRAIL_POLICY: must be JSON/)]);
      expect(problemsOf({ GUARDRAIL_POLICY: '{"input":{"self_harm":{"action":"neutralise"}}}' })).toEqual([expect.stringMatching(/^GUARDRAIL_POLICY: input\.self_harm\.action: /)]);
      expect(problemsOf({ GUARDRAIL_POLICY: '{"limits":{"maxTurns":5}}' })).toEqual([expect.stringMatching(/^GUARDRAIL_POLICY: limits: .*maxTurns/)]);
    });

    it('takes model prices over the built-in list, refusing a negative or misspelt one', () => {
      expect(loadConfig({}).ai.prices['gpt-4.1-mini']).toEqual({ inputPerMillion: 0.4, outputPerMillion: 1.6 });
      const prices = loadConfig({ MODEL_PRICES: '{"my-deployment":{"inputPerMillion":1,"outputPerMillion":3}}' }).ai.prices;
      expect(prices['my-deployment']).toEqual({ inputPerMillion: 1, outputPerMillion: 3 });
      expect(prices['gpt-4o']).toBeDefined();
      expect(problemsOf({ MODEL_PRICES: '{"m":{"inputPerMillion":-1,"outputPerMillion":1}}' })).toEqual([expect.stringMatching(/^MODEL_PRICES: m\.inputPerMillion: /)]);
      expect(problemsOf({ MODEL_PRICES: '{"m":{"input":1}}' })).toContainEqual(expect.stringMatching(/^MODEL_PRICES: m: Unrecognized key: "input"/));
    });

    it('takes the phone regions as ISO codes, refusing unknown ones', () => {
      expect(loadConfig({ PII_PHONE_REGIONS: 'gb, it' }).guardrails.phoneRegions).toEqual(['GB', 'IT']);
      expect(problemsOf({ PII_PHONE_REGIONS: 'GB,XX' }).map((problem) => problem.split(':')[0])).toEqual(['PII_PHONE_REGIONS.1']);
    });
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
