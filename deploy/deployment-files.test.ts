/**
 * What would break a deployment, read off the files themselves: the Dockerfile (what the image holds
 * and runs), deploy/healthcheck.mjs, deploy/compose.yaml with deploy/haproxy.cfg and deploy/.env.example,
 * and the manifests in deploy/kubernetes/. The settings are judged by the service's own loader
 * (packages/server/src/config.ts) in production mode, so a variable that production comes to require
 * fails here until the examples name it. Offline and fast; where `haproxy`, `docker compose` or a
 * Docker daemon exist, they validate the files too, and otherwise those tests are skipped, saying why.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, promisify } from 'node:util';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariableNames, loadConfig } from '../packages/server/src/config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const run = promisify(execFile);

type Env = Record<string, string>;
type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The variable a ConfigError line is about ("HOST_JWT_SECRET: required when …" → HOST_JWT_SECRET). */
function problemVariables(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0]?.trim() ?? problem);
    throw error;
  }
  return [];
}

/** A value of the right shape for a setting an example leaves empty (every secret: 64 hex digits). */
function fillFor(name: string): string {
  if (name === 'ALLOWED_ORIGINS') return 'https://www.skyway.example';
  if (name === 'DATABASE_URL') return 'postgres://support:0123456789abcdef@db.internal:5432/support';
  if (name === 'REDIS_URL') return 'redis://:0123456789abcdef@redis.internal:6379/0';
  if (name.endsWith('_URL')) return 'https://api.skyway.example/support-adapter';
  return 'f3'.repeat(32);
}
const filled = (env: Env): Env => Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === '' ? fillFor(name) : value]));
const emptyNames = (env: Env) => Object.keys(env).filter((name) => env[name] === '');
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|_KEY$/;

/** The service's websocket ping interval: every idle timeout between client and service must be well above it. */
function heartbeatMs(): number {
  const intervals = ['packages/server/src/ws/chat-connection.ts', 'packages/server/src/ws/agent-connection.ts'].map((file) => {
    const match = /const HEARTBEAT_MS = ([\d_]+)/.exec(read(file));
    if (!match?.[1]) throw new Error(`${file}: no HEARTBEAT_MS found; update deploy/deployment-files.test.ts to where the ping interval lives`);
    return Number(match[1].replaceAll('_', ''));
  });
  return Math.max(...intervals);
}

/** "35s", "1m30s", "1h", "500ms" (compose and HAProxy; a bare HAProxy number is milliseconds) → ms. */
function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (units[unit ?? 'ms'] ?? 1), 0);
}

// ---------------------------------------------------------------------------------------------------
// The Dockerfile, as a small model: each stage's files as (image path → where they come from).

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  workdir: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Env; stages: Stage[] } {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const args: Env = {};
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const keyword = match[1].toUpperCase();
    const rest = match[2].trim();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=');
      if (name) args[name] = value;
    } else if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ name: from?.[2] ?? String(stages.length), workdir: '/', instructions: [{ keyword, args: rest }] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${keyword} before FROM`);
      if (keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, rest);
      stage.instructions.push({ keyword, args: rest });
    }
  }
  return { args, stages };
}

/** `image` (absolute, in the image) holds `source`: a path of the build context, or what a RUN made. */
interface Provided {
  image: string;
  source: string;
}
const GENERATED = 'generated:';

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

function parseCopy(args: string, workdir: string): Copy {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const dest = paths.pop();
  if (!dest || paths.length === 0) throw new Error(`COPY ${args}: no source or destination`);
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  const absolute = posix.resolve(workdir, dest) + (dest.endsWith('/') || dest === '.' || dest === './' ? '/' : '');
  return { from, sources: paths, dest: absolute };
}

function destinationOf(source: string, copy: Copy, isDirectory: boolean): string {
  // A directory's contents go to the destination; a file goes into it when it ends with / (or names a folder).
  if (isDirectory) return copy.dest.replace(/\/$/, '');
  if (copy.dest.endsWith('/') || copy.sources.length > 1) return posix.join(copy.dest, posix.basename(source));
  return copy.dest;
}

/** What each stage holds: its COPY lines and what its RUN lines make (npm ci: node_modules; npm run build: the two dists). */
function stageContents(stages: Stage[]): Map<string, Provided[]> {
  const contents = new Map<string, Provided[]>();
  for (const stage of stages) {
    const provided: Provided[] = [];
    let workdir = '/';
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
      if (instruction.keyword === 'RUN') {
        if (/\bnpm ci\b/.test(instruction.args)) provided.push({ image: posix.join(workdir, 'node_modules'), source: `${GENERATED}npm ci` });
        if (/\bnpm run build\b/.test(instruction.args)) {
          for (const dist of ['packages/console/dist', 'packages/widget/dist']) provided.push({ image: posix.join(workdir, dist), source: `${GENERATED}npm run build` });
        }
      }
      if (instruction.keyword !== 'COPY') continue;
      const copy = parseCopy(instruction.args, workdir);
      if (copy.from === undefined) {
        for (const source of copy.sources) {
          const isDirectory = existsSync(join(ROOT, source)) && statSync(join(ROOT, source)).isDirectory();
          provided.push({ image: destinationOf(source, copy, isDirectory), source: source.replace(/\/$/, '') });
        }
        continue;
      }
      const earlier = contents.get(copy.from);
      if (!earlier) throw new Error(`COPY --from=${copy.from}: no such earlier stage`);
      for (const source of copy.sources) {
        const base = posix.resolve('/', source).replace(/\/$/, '');
        const target = copy.dest.replace(/\/$/, '');
        for (const entry of earlier) {
          if (entry.image === base || entry.image.startsWith(`${base}/`)) provided.push({ image: posix.join(target, entry.image.slice(base.length)), source: entry.source });
          else if (base.startsWith(`${entry.image}/`)) provided.push({ image: target, source: entry.source.startsWith(GENERATED) ? entry.source : posix.join(entry.source, base.slice(entry.image.length)) });
        }
      }
    }
    contents.set(stage.name, provided);
  }
  return contents;
}

/** Where `imagePath` comes from in this stage, as a context path (or a generated marker), or null. */
function origin(provided: Provided[], imagePath: string): string | null {
  // The deepest path wins, and of equal ones the later (a RUN's output over what an earlier COPY put there).
  const matches = provided.map((entry, index) => ({ entry, index })).filter(({ entry }) => imagePath === entry.image || imagePath.startsWith(`${entry.image}/`));
  const best = matches.sort((a, b) => b.entry.image.length - a.entry.image.length || b.index - a.index)[0]?.entry;
  if (!best) return null;
  return best.source.startsWith(GENERATED) ? best.source : posix.join(best.source, imagePath.slice(best.image.length));
}

/** .dockerignore's rules (Go filepath.Match per segment, `**` for any depth, later `!` rules re-include). */
function dockerignore(): (path: string) => boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = posix.normalize((negate ? line.slice(1) : line).replace(/^\//, '')).replace(/\/$/, '');
      const source = pattern
        .split('/')
        .map((segment) => (segment === '**' ? '(?:.*)' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')))
        .join('/')
        .replaceAll('(?:.*)/', '(?:.*/)?');
      return { negate, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path: string) => {
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(path)) ignored = !rule.negate;
    return ignored;
  };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1) as Stage;
const contents = stageContents(dockerfile.stages);
const runtimeFiles = contents.get(runtime.name) ?? [];
const instructionsOf = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const serviceDefaultPort = loadConfig({}).port;

/** Every .ts file of a folder, tests left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}
const RUNTIME_SOURCE_DIRS = ['packages/server/src', 'packages/protocol/src'];

describe('Dockerfile', () => {
  it('runs the service as an unprivileged user in production mode, on the port the service defaults to', () => {
    const user = instructionsOf(runtime, 'USER').at(-1);
    expect(user, 'the runtime stage sets USER').toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    const env: Env = {};
    for (const line of instructionsOf(runtime, 'ENV')) for (const [, name, value] of line.matchAll(/(\w+)=(\S+)/g)) if (name && value !== undefined) env[name] = value;
    expect(env.NODE_ENV).toBe('production');
    expect(instructionsOf(runtime, 'EXPOSE')).toEqual([String(env.PORT ?? serviceDefaultPort)]);
    expect(Number(env.PORT ?? serviceDefaultPort), 'EXPOSE and PORT agree with config.ts').toBe(serviceDefaultPort);
    expect(instructionsOf(runtime, 'STOPSIGNAL').at(-1) ?? 'SIGTERM').toBe('SIGTERM');
  });

  it("starts main.ts through tsx, which the production install has, as PID 1 (exec form) so SIGTERM reaches the service", () => {
    const cmd = instructionsOf(runtime, 'CMD').at(-1) ?? '';
    expect(cmd.startsWith('['), 'CMD in exec form').toBe(true);
    const argv = JSON.parse(cmd) as string[];
    expect(argv.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    const entry = argv[3] ?? '';
    expect(origin(runtimeFiles, posix.resolve(runtime.workdir, entry))).toBe(entry);
    expect(existsSync(join(ROOT, entry)), `${entry} exists`).toBe(true);
    expect(read(entry)).toMatch(/process\.on\('SIGTERM'/);
    if (read(entry).includes('See .env.example')) expect(origin(runtimeFiles, posix.join(runtime.workdir, '.env.example')), 'the file a refused start points to').toBe('.env.example');
    // tsx must be a production dependency of a workspace the deps stage installs with --omit=dev.
    const server = JSON.parse(read('packages/server/package.json')) as { name: string; dependencies: Env };
    expect(Object.keys(server.dependencies), 'tsx is a dependency (not a devDependency) of @support/server').toContain('tsx');
    const installs = dockerfile.stages.flatMap((stage) => instructionsOf(stage, 'RUN')).filter((line) => /npm ci\b.*--omit=dev/.test(line));
    expect(installs.length, 'a stage installs with npm ci --omit=dev').toBeGreaterThan(0);
    for (const line of installs) if (line.includes('--workspace')) expect(line).toContain(`--workspace ${server.name}`);
    expect(origin(runtimeFiles, posix.join(runtime.workdir, 'node_modules'))).toBe(`${GENERATED}npm ci`);
  });

  it('puts every file the server reads next to its code where the code looks for it (import.meta.url paths)', () => {
    const wanted = new Set<string>();
    for (const file of RUNTIME_SOURCE_DIRS.flatMap(sourceFiles)) {
      for (const match of read(file).matchAll(/new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g)) {
        wanted.add(relative(ROOT, resolve(ROOT, dirname(file), match[1] ?? '.')));
      }
    }
    expect([...wanted]).toEqual(expect.arrayContaining(['packages/console/dist', 'packages/widget/dist', 'packages/server/src/storage/migrations']));
    for (const path of wanted) {
      const from = origin(runtimeFiles, posix.join(runtime.workdir, path));
      expect(from, `${path} is in the image at ${posix.join(runtime.workdir, path)}`).not.toBeNull();
      if (!from?.startsWith(GENERATED)) expect(existsSync(join(ROOT, from ?? '')), `${from} exists in the repository`).toBe(true);
    }
  });

  it('the server and protocol code import only their own production dependencies (the image has no devDependencies)', () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    const seen: string[] = [];
    for (const dir of RUNTIME_SOURCE_DIRS) {
      const manifest = JSON.parse(read(`${dirname(dir)}/package.json`)) as { dependencies?: Env };
      const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
      for (const file of sourceFiles(dir)) {
        const text = read(file);
        const specifiers = [
          ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g)].filter((match) => !match[1]).map((match) => match[2]),
          ...[...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((match) => match[1]),
          ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]),
        ];
        for (const specifier of specifiers) {
          if (!specifier || specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier);
          seen.push(name);
          // Workspace packages are linked by npm ci (from their package.json); the entry it exports must be in the image too.
          if (name.startsWith('@support/')) {
            const folder = `packages/${name.slice('@support/'.length)}`;
            const exported = (JSON.parse(read(`${folder}/package.json`)) as { exports?: unknown; main?: string }).exports;
            const dot = typeof exported === 'string' ? exported : asRecord(exported)['.'];
            const entry = typeof dot === 'string' ? dot : String(asRecord(dot).default ?? asRecord(dot).import ?? 'index.js');
            for (const needed of ['package.json', entry]) {
              const from = origin(runtimeFiles, posix.join(runtime.workdir, folder, needed));
              if (from === null || (!from.startsWith(GENERATED) && !existsSync(join(ROOT, from)))) problems.push(`${file}: ${name} needs ${posix.join(folder, needed)} in the image`);
            }
            continue;
          }
          if (!allowed.has(name)) problems.push(`${file}: ${name} is not in ${dirname(dir)}/package.json "dependencies"`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(seen, 'the scan finds the imports (fastify, zod, the protocol package)').toEqual(expect.arrayContaining(['fastify', 'zod', '@support/protocol']));
  });

  it('copies only files that exist and that .dockerignore lets into the context, which keeps secrets and local builds out', () => {
    const ignored = dockerignore();
    for (const stage of dockerfile.stages) {
      for (const args of instructionsOf(stage, 'COPY')) {
        const copy = parseCopy(args, stage.workdir);
        if (copy.from !== undefined) continue;
        for (const source of copy.sources) {
          expect(existsSync(join(ROOT, source)), `COPY ${source}: exists`).toBe(true);
          expect(ignored(source.replace(/\/$/, '')), `COPY ${source}: not excluded by .dockerignore`).toBe(false);
        }
      }
    }
    for (const path of ['packages/server/src/main.ts', 'packages/server/src/storage/migrations/0001_conversation_backbone.sql', 'packages/widget/src/embed.tsx', 'packages/console/index.html', 'deploy/healthcheck.mjs', 'package-lock.json', '.env.example']) {
      expect(ignored(path), `${path} reaches the build`).toBe(false);
    }
    for (const path of ['.env', 'deploy/.env', 'deploy/.env.example', '.env.local', 'packages/server/.env', 'node_modules/zod/package.json', 'packages/widget/node_modules/x', 'packages/widget/dist/widget.js', 'packages/console/dist/index.html', '.git/config', 'data/pglite/PG_VERSION']) {
      expect(ignored(path), `${path} stays out of the build context`).toBe(true);
    }
  });

  it('checks its health with deploy/healthcheck.mjs on /healthz, a file the image holds', () => {
    const healthcheck = instructionsOf(runtime, 'HEALTHCHECK').at(-1) ?? '';
    const argv = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(argv).toEqual(['node', 'deploy/healthcheck.mjs', '/healthz']);
    expect(origin(runtimeFiles, posix.resolve(runtime.workdir, 'deploy/healthcheck.mjs'))).toBe('deploy/healthcheck.mjs');
  });
});

describe('deploy/healthcheck.mjs', () => {
  async function probe(path: string, port: number): Promise<number> {
    try {
      await run(process.execPath, [join(DEPLOY, 'healthcheck.mjs'), path], { env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '0.0.0.0' }, timeout: 10_000 });
      return 0;
    } catch (error) {
      return typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1;
    }
  }

  it('exits 0 on a 2xx and 1 on an error status or when nothing listens', async () => {
    const server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? 200 : 503;
      response.end(request.url === '/healthz' ? '{"status":"ok"}' : '{"status":"not_ready"}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await probe('/healthz', port)).toBe(0);
      expect(await probe('/readyz', port)).toBe(1);
    } finally {
      await new Promise((done) => server.close(done));
    }
    expect(await probe('/healthz', port)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// compose.yaml, its settings file and the load balancer.

class InterpolationError extends Error {
  constructor(readonly variable: string) {
    super(`compose: ${variable} is required`);
  }
}

/** Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR and $$. */
function interpolate<T>(value: T, vars: Env): T {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare ?? '';
      const current = vars[name];
      const set = current !== undefined;
      const nonEmpty = set && current !== '';
      switch (op) {
        case ':-':
          return nonEmpty ? current : (arg ?? '');
        case '-':
          return set ? current : (arg ?? '');
        case ':?':
          if (!nonEmpty) throw new InterpolationError(name);
          return current;
        case '?':
          if (!set) throw new InterpolationError(name);
          return current;
        case ':+':
          return nonEmpty ? (arg ?? '') : '';
        case '+':
          return set ? (arg ?? '') : '';
        default:
          return current ?? '';
      }
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, vars)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, vars)])) as T;
  return value;
}

const composeText = read('deploy/compose.yaml');
const composeRaw = asRecord(load(composeText));
const envExample = parseEnv(read('deploy/.env.example')) as Env;
/** Variables compose itself refuses to go without (${VAR:?…}). */
const composeRequired = [...new Set([...composeText.matchAll(/\$\{([A-Za-z_]\w*):?\?/g)].map((match) => match[1] ?? ''))];
const composeVariables = new Set([...composeText.matchAll(/\$\{([A-Za-z_]\w*)/g)].map((match) => match[1] ?? ''));
const compose = interpolate(composeRaw, filled(envExample));
const services = asRecord(compose.services);
const service = (name: string) => asRecord(services[name]);
/** The service nodes: the services built from the repository's Dockerfile. */
const nodeNames = Object.keys(services).filter((name) => {
  const build = service(name).build;
  const context = typeof build === 'string' ? build : asRecord(build).context;
  return typeof context === 'string' && resolve(DEPLOY, context) === ROOT;
});
const environmentOf = (name: string): Env => {
  const environment = service(name).environment;
  if (Array.isArray(environment)) return Object.fromEntries(environment.map((item) => String(item).split(/=(.*)/s).slice(0, 2)));
  return Object.fromEntries(Object.entries(asRecord(environment)).map(([key, value]) => [key, String(value)]));
};
/** What a node's process sees: the settings file, then the node's `environment:` over it. */
const nodeEnv = (settings: Env, name = nodeNames[0] ?? ''): Env => ({ ...settings, ...interpolate(environmentOf(name), settings) });

function healthcheckOf(name: string): string[] {
  const test = asRecord(service(name).healthcheck).test;
  return Array.isArray(test) ? test.map(String) : typeof test === 'string' ? ['CMD-SHELL', test] : [];
}

function dependsOnHealthy(name: string, dependency: string): boolean {
  return asRecord(asRecord(service(name).depends_on)[dependency]).condition === 'service_healthy';
}

describe('deploy/compose.yaml', () => {
  it('runs two service nodes from the Dockerfile in production server mode, on its own PostgreSQL (pgvector) and Redis', () => {
    expect(nodeNames.length, 'at least two nodes built from the repository root').toBeGreaterThanOrEqual(2);
    for (const name of nodeNames) {
      const node = service(name);
      expect(asRecord(node.deploy).replicas ?? 1, `${name}: one container per named node (the load balancer names each)`).toBe(1);
      const env = nodeEnv(filled(envExample), name);
      expect(env.NODE_ENV).toBe('production');
      const database = new URL(env.DATABASE_URL ?? '');
      const redis = new URL(env.REDIS_URL ?? '');
      expect(database.protocol).toMatch(/^postgres(ql)?:$/);
      expect(redis.protocol).toBe('redis:');
      expect(Object.keys(services), 'DATABASE_URL names a service of this file').toContain(database.hostname);
      expect(Object.keys(services), 'REDIS_URL names a service of this file').toContain(redis.hostname);
      const postgresEnv = environmentOf(database.hostname);
      expect(String(service(database.hostname).image)).toMatch(/pgvector/);
      expect(decodeURIComponent(database.username)).toBe(postgresEnv.POSTGRES_USER);
      expect(decodeURIComponent(database.password)).toBe(postgresEnv.POSTGRES_PASSWORD);
      expect(database.pathname.slice(1)).toBe(postgresEnv.POSTGRES_DB);
      expect(database.port || '5432').toBe('5432');
      const redisCommand = asArray(service(redis.hostname).command).map(String);
      expect(decodeURIComponent(redis.password), 'REDIS_URL carries the password redis-server requires').toBe(redisCommand[redisCommand.indexOf('--requirepass') + 1]);
      expect(String(service(redis.hostname).image)).toMatch(/^redis:/);
      expect(dependsOnHealthy(name, database.hostname) && dependsOnHealthy(name, redis.hostname), `${name} waits for healthy PostgreSQL and Redis`).toBe(true);
      expect(Number(env.PORT ?? serviceDefaultPort)).toBe(serviceDefaultPort);
      expect(asArray(node.ports), `${name}: only the load balancer is published`).toEqual([]);
    }
  });

  it('gives every service a healthcheck; the nodes report ready on /readyz, and the load balancer starts on healthy nodes', () => {
    for (const name of Object.keys(services)) expect(healthcheckOf(name).length, `${name} has a healthcheck`).toBeGreaterThan(1);
    for (const name of nodeNames) expect(healthcheckOf(name)).toEqual(['CMD', 'node', 'deploy/healthcheck.mjs', '/readyz']);
    const lb = lbServiceName();
    for (const name of nodeNames) expect(dependsOnHealthy(lb, name), `${lb} waits for ${name} to be healthy`).toBe(true);
  });

  it("stops a node no sooner than the service's graceful drain (SHUTDOWN_GRACE_MS) allows", () => {
    const config = loadConfig(nodeEnv(filled(envExample)));
    for (const name of nodeNames) {
      const grace = service(name).stop_grace_period;
      expect(grace, `${name}: stop_grace_period (docker's default is 10 s)`).toBeDefined();
      expect(durationMs(String(grace))).toBeGreaterThanOrEqual(config.shutdownGraceMs + 5000);
    }
  });

  it('lets the nodes believe X-Forwarded-For from its own network only', () => {
    const subnets = asArray(asRecord(asRecord(asRecord(compose.networks).default).ipam).config).map((item) => asRecord(item).subnet);
    for (const name of nodeNames) {
      expect(asRecord(service(name)).networks, `${name} is on the default network`).toBeUndefined();
      const config = loadConfig(nodeEnv(filled(envExample), name));
      expect(config.trustProxy).toEqual({ addresses: subnets });
    }
  });
});

function lbServiceName(): string {
  const name = Object.keys(services).find((candidate) => asArray(service(candidate).volumes).some((volume) => String(volume).includes('haproxy.cfg')));
  if (!name) throw new Error('compose.yaml: no service mounts haproxy.cfg');
  return name;
}

/** haproxy.cfg as sections of lines, comments dropped. */
function haproxySections(): Array<{ kind: string; name: string; lines: string[] }> {
  const sections: Array<{ kind: string; name: string; lines: string[] }> = [];
  for (const raw of read('deploy/haproxy.cfg').split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const header = /^(global|defaults|frontend|backend|listen|resolvers)\b\s*(\S*)/.exec(raw);
    if (header?.[1] && !/^\s/.test(raw)) sections.push({ kind: header[1], name: header[2] ?? '', lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  return sections;
}

describe('deploy/haproxy.cfg', () => {
  const sections = haproxySections();
  const all = sections.flatMap((section) => section.lines);
  const frontend = sections.find((section) => section.kind === 'frontend');
  const backendName = frontend?.lines.find((line) => line.startsWith('default_backend'))?.split(/\s+/)[1];
  const backend = sections.find((section) => section.kind === 'backend' && section.name === backendName);

  it("forwards to every compose node on the service's port, health-checking /readyz", () => {
    expect(backend, 'the frontend has a default_backend that exists').toBeDefined();
    const servers = (backend?.lines ?? []).filter((line) => line.startsWith('server ')).map((line) => line.split(/\s+/));
    expect(servers.map((words) => words[2]).sort()).toEqual(nodeNames.map((name) => `${name}:${serviceDefaultPort}`).sort());
    const defaults = (backend?.lines ?? []).find((line) => line.startsWith('default-server')) ?? '';
    for (const words of servers) expect(words.includes('check') || /\bcheck\b/.test(defaults), `${words[1]} is health-checked`).toBe(true);
    expect(backend?.lines).toContain('option httpchk');
    expect(backend?.lines.some((line) => /^http-check send .*\buri \/readyz\b/.test(line))).toBe(true);
    expect(backend?.lines).toContain('http-check expect status 200');
  });

  it('relays websocket upgrades (HTTP mode) with an idle timeout well above the service ping, without stickiness', () => {
    expect(sections.find((section) => section.kind === 'defaults')?.lines).toContain('mode http');
    // HTTP mode forwards the Upgrade and Connection headers of a websocket handshake as they are: nothing may drop them.
    expect(all.filter((line) => /http-request (del|set|replace)-header (Upgrade|Connection)\b/i.test(line))).toEqual([]);
    const tunnel = all.find((line) => line.startsWith('timeout tunnel'))?.split(/\s+/)[2];
    expect(tunnel, 'timeout tunnel (the idle limit of an open websocket)').toBeDefined();
    expect(durationMs(tunnel ?? '0')).toBeGreaterThanOrEqual(2 * heartbeatMs());
    for (const name of ['client', 'server']) expect(durationMs(all.find((line) => line.startsWith(`timeout ${name} `))?.split(/\s+/)[2] ?? '0')).toBeGreaterThan(heartbeatMs());
    expect(all.filter((line) => /^(cookie|stick|stick-table|appsession|hash-type)\b/.test(line) || /^balance\s+(source|uri|url_param|hdr|rdp-cookie)/.test(line))).toEqual([]);
    expect(all.some((line) => line === 'option redispatch'), 'a failed connection to a stopping node is retried on another').toBe(true);
  });

  it('keeps query strings (session tokens) out of its log and gives the nodes the client address it saw', () => {
    expect(all).not.toContain('option httplog');
    const format = all.find((line) => line.startsWith('log-format')) ?? '';
    expect(format).not.toMatch(/%\{[^}]*\}r|%r\b|%HU|%HQ/);
    const frontendLines = frontend?.lines ?? [];
    expect(frontendLines.indexOf('http-request del-header X-Forwarded-For')).toBeGreaterThanOrEqual(0);
    expect(frontendLines.indexOf('http-request del-header X-Forwarded-For')).toBeLessThan(frontendLines.indexOf('option forwardfor'));
  });

  it("listens where compose publishes it and answers compose's healthcheck", () => {
    const bind = frontend?.lines.find((line) => line.startsWith('bind '))?.split(/\s+/)[1] ?? '';
    const port = bind.split(':').at(-1);
    const lb = lbServiceName();
    expect(asArray(service(lb).ports).map((mapping) => String(mapping).split(':').at(-1))).toEqual([port]);
    expect(asArray(service(lb).volumes)).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const monitor = frontend?.lines.find((line) => line.startsWith('monitor-uri'))?.split(/\s+/)[1];
    expect(healthcheckOf(lb).join(' ')).toContain(`http://127.0.0.1:${port}${monitor}`);
  });

  const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!haproxy)(`is accepted by haproxy -c${haproxy ? '' : ' (skipped: no haproxy binary here; apt-get install haproxy)'}`, () => {
    const check = spawnSync('haproxy', ['-c', '-f', join(DEPLOY, 'haproxy.cfg')], { encoding: 'utf8' });
    // Outside Docker the node names do not resolve: that is a warning (init-addr none), not an error.
    expect(check.status, check.stderr).toBe(0);
  });
});

describe('deploy/.env.example', () => {
  it('holds placeholders only: every secret is left empty, every name is a setting of the service or of compose.yaml', () => {
    const known = new Set([...configVariableNames, ...composeVariables]);
    expect(Object.keys(envExample).filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(envExample).filter((name) => SECRET_NAME.test(name) && envExample[name] !== '')).toEqual([]);
    // What compose.yaml sets for the nodes would be overridden: it must not look settable here.
    const overridden = new Set(nodeNames.flatMap((name) => Object.keys(environmentOf(name))));
    expect(Object.keys(envExample).filter((name) => overridden.has(name))).toEqual([]);
  });

  it('unfilled, the stack refuses to start, naming exactly the values left empty', () => {
    for (const name of composeRequired) expect(envExample[name], `${name} (compose requires it) is left empty`).toBe('');
    let refused: string | undefined;
    try {
      interpolate(composeRaw, envExample);
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      refused = error.variable;
    }
    expect(composeRequired).toContain(refused);
    // With compose's own values given, the service names the rest (NODE_ENV=production, from compose.yaml).
    const composeFilled = { ...envExample, ...Object.fromEntries(composeRequired.map((name) => [name, fillFor(name)])) };
    expect(new Set(problemVariables(nodeEnv(composeFilled)))).toEqual(new Set(emptyNames(envExample).filter((name) => !composeRequired.includes(name))));
  });

  it('filled in, a production node accepts it: server mode on the compose services, behind the load balancer', () => {
    const env = nodeEnv(filled(envExample));
    expect(problemVariables(env)).toEqual([]);
    const config = loadConfig(env);
    expect(config.nodeEnv).toBe('production');
    expect(config.demoEnabled).toBe(false);
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(serviceDefaultPort);
    expect(new URL(config.databaseUrl ?? '').hostname).toBe('postgres');
    expect(new URL(config.redisUrl ?? '').hostname).toBe('redis');
    expect(config.allowedOrigins.kind).toBe('list');
  });

  it('names every variable a production start requires (derived from config.ts: a bare production start lists them)', () => {
    const bare = nodeEnv(Object.fromEntries(composeRequired.map((name) => [name, fillFor(name)])));
    const required = problemVariables({ ...bare, AI_PROVIDER: envExample.AI_PROVIDER ?? 'local' });
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !(name in envExample))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// deploy/kubernetes/*.yaml

const K8S = join(DEPLOY, 'kubernetes');
const manifestFiles = readdirSync(K8S).filter((name) => name.endsWith('.yaml')).sort();
const manifests = manifestFiles.flatMap((file) => loadAll(readFileSync(join(K8S, file), 'utf8')).map((document) => ({ file, document: asRecord(document) })));
const ofKind = (kind: string) => manifests.filter((manifest) => manifest.document.kind === kind).map((manifest) => manifest.document);
const one = (kind: string): Json => {
  const found = ofKind(kind);
  if (found.length !== 1) throw new Error(`deploy/kubernetes: expected one ${kind}, found ${found.length}`);
  return found[0] as Json;
};
const nameOf = (document: Json) => String(asRecord(document.metadata).name);
const matches = (selector: unknown, labels: unknown) => {
  const wanted = Object.entries(asRecord(selector));
  return wanted.length > 0 && wanted.every(([key, value]) => asRecord(labels)[key] === value);
};

describe('deploy/kubernetes', () => {
  const deployment = one('Deployment');
  const spec = asRecord(deployment.spec);
  const pod = asRecord(asRecord(spec.template).spec);
  const podLabels = asRecord(asRecord(asRecord(spec.template).metadata).labels);
  const containers = asArray(pod.containers).map(asRecord);
  const container = containers[0] ?? {};
  const configMap = one('ConfigMap');
  const secret = one('Secret');
  const settings = (): Env => ({ ...(asRecord(configMap.data) as Env), ...(asRecord(secret.stringData) as Env) });

  it('are valid YAML documents with an apiVersion, a kind and a name, and kustomization.yaml applies all but the Secret example', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const { file, document } of manifests) {
      expect(typeof document.apiVersion, `${file}: apiVersion`).toBe('string');
      expect(typeof document.kind, `${file}: kind`).toBe('string');
      if (document.kind !== 'Kustomization') expect(nameOf(document), `${file}: metadata.name`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const resources = asArray(one('Kustomization').resources).map(String).sort();
    expect(resources).toEqual(manifestFiles.filter((file) => file !== 'kustomization.yaml' && file !== 'secret.example.yaml'));
    expect(manifests.find((manifest) => manifest.document.kind === 'Secret')?.file).toBe('secret.example.yaml');
  });

  it('run at least two pods that spread over nodes, as a non-root user, on the image port', () => {
    expect(Number(spec.replicas)).toBeGreaterThanOrEqual(2);
    expect(matches(asRecord(spec.selector).matchLabels, podLabels)).toBe(true);
    expect(containers).toHaveLength(1);
    const ports = asArray(container.ports).map(asRecord);
    expect(ports.find((port) => port.name === 'http')?.containerPort).toBe(serviceDefaultPort);
    expect(Number(settings().PORT ?? serviceDefaultPort)).toBe(serviceDefaultPort);
    expect(asRecord(pod.securityContext).runAsNonRoot).toBe(true);
    expect(asRecord(asRecord(spec.strategy).rollingUpdate).maxUnavailable).toBe(0);
    expect(asArray(pod.topologySpreadConstraints).some((constraint) => asRecord(constraint).topologyKey === 'kubernetes.io/hostname')).toBe(true);
  });

  it('probe readiness on /readyz and liveness (and start-up) on /healthz', () => {
    const probe = (name: string) => asRecord(asRecord(container[name]).httpGet);
    expect(probe('readinessProbe')).toMatchObject({ path: '/readyz', port: 'http' });
    expect(probe('livenessProbe')).toMatchObject({ path: '/healthz', port: 'http' });
    expect(probe('startupProbe')).toMatchObject({ path: '/healthz', port: 'http' });
  });

  it("give a stopping pod longer than the service's graceful drain, after its endpoints are gone", () => {
    const preStop = asArray(asRecord(asRecord(asRecord(container.lifecycle).preStop).exec).command).map(String);
    expect(preStop[0]).toBe('sleep');
    const config = loadConfig(filled(settings()));
    const neededSeconds = Number(preStop[1]) + config.shutdownGraceMs / 1000 + 5;
    expect(Number(pod.terminationGracePeriodSeconds)).toBeGreaterThanOrEqual(neededSeconds);
  });

  it('mount a writable /tmp (the tsx cache) when the root file system is read-only', () => {
    if (asRecord(container.securityContext).readOnlyRootFilesystem !== true) return;
    const mount = asArray(container.volumeMounts).map(asRecord).find((volume) => volume.mountPath === '/tmp');
    expect(mount, 'a volume at /tmp').toBeDefined();
    const volume = asArray(pod.volumes).map(asRecord).find((candidate) => candidate.name === mount?.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('route the Service to the pods without affinity, the Ingress to the Service with websocket timeouts, and keep one pod through disruptions', () => {
    const service = one('Service');
    const serviceSpec = asRecord(service.spec);
    expect(matches(serviceSpec.selector, podLabels)).toBe(true);
    expect(serviceSpec.sessionAffinity ?? 'None').toBe('None');
    const servicePort = asArray(serviceSpec.ports).map(asRecord)[0] ?? {};
    expect(servicePort.targetPort).toBe('http');
    const ingress = one('Ingress');
    const backends = asArray(asRecord(ingress.spec).rules).flatMap((rule) => asArray(asRecord(asRecord(rule).http).paths).map((path) => asRecord(asRecord(asRecord(path).backend).service)));
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect(backend.name).toBe(nameOf(service));
      expect(asRecord(backend.port).name ?? asRecord(backend.port).number).toBe(asRecord(backend.port).name ? servicePort.name : servicePort.port);
    }
    const annotations = asRecord(asRecord(ingress.metadata).annotations);
    for (const key of ['nginx.ingress.kubernetes.io/proxy-read-timeout', 'nginx.ingress.kubernetes.io/proxy-send-timeout']) {
      expect(Number(annotations[key]) * 1000, key).toBeGreaterThanOrEqual(2 * heartbeatMs());
    }
    expect(Object.keys(annotations).filter((key) => /affinity|sticky|session-cookie/.test(key))).toEqual([]);
    const pdb = asRecord(one('PodDisruptionBudget').spec);
    expect(matches(asRecord(pdb.selector).matchLabels, podLabels)).toBe(true);
    expect(Number(pdb.minAvailable)).toBeGreaterThanOrEqual(1);
    expect(Number(pdb.minAvailable), 'a drain can still evict a pod').toBeLessThan(Number(spec.replicas));
  });

  it('take every setting from the ConfigMap and the Secret; unfilled the pods refuse to start naming each empty value, filled they run in server mode', () => {
    const envFrom = asArray(container.envFrom).map(asRecord);
    expect(envFrom.map((source) => asRecord(source.configMapRef).name).filter(Boolean)).toEqual([nameOf(configMap)]);
    expect(envFrom.map((source) => asRecord(source.secretRef).name).filter(Boolean)).toEqual([nameOf(secret)]);
    const known = new Set(configVariableNames);
    expect(Object.keys(settings()).filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(asRecord(configMap.data)).filter((name) => SECRET_NAME.test(name) || name.endsWith('DATABASE_URL') || name === 'REDIS_URL')).toEqual([]);
    expect(Object.values(asRecord(secret.stringData)).filter((value) => value !== '')).toEqual([]);
    // Server mode is a must with more than one pod, though config.ts does not insist: the Secret leaves both URLs to fill.
    const env = settings();
    expect(new Set([...problemVariables(env), 'DATABASE_URL', 'REDIS_URL'])).toEqual(new Set(emptyNames(env)));
    const config = loadConfig(filled(env));
    expect(config.nodeEnv).toBe('production');
    expect(config.databaseUrl).toMatch(/^postgres/);
    expect(config.redisUrl).toMatch(/^redis/);
    expect(config.trustProxy).not.toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// With Docker's own tools, where this machine has them.

const dockerCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
const dockerDaemon = spawnSync('docker', ['info'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
const skipBuild = process.env.DEPLOY_TEST_SKIP_DOCKER_BUILD === '1';

describe('with docker', () => {
  it.skipIf(!dockerCompose)(`docker compose config accepts deploy/compose.yaml${dockerCompose ? '' : ' (skipped: no `docker compose` plugin here)'}`, async () => {
    const env = { ...process.env, ...Object.fromEntries(composeRequired.map((name) => [name, fillFor(name)])), SUPPORT_ENV_FILE: '.env.example' };
    await run('docker', ['compose', '-f', join(DEPLOY, 'compose.yaml'), 'config', '-q'], { env, timeout: 60_000 });
  });

  const buildSkip = !dockerDaemon ? ' (skipped: no Docker daemon here)' : skipBuild ? ' (skipped: DEPLOY_TEST_SKIP_DOCKER_BUILD=1)' : '';
  it.skipIf(buildSkip !== '')(`the image builds, and refuses a production start without its settings${buildSkip}`, async () => {
    const tag = 'skyway-support:deployment-test';
    await run('docker', ['build', '-t', tag, ROOT], { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
    const start = spawnSync('docker', ['run', '--rm', tag], { encoding: 'utf8', timeout: 120_000 });
    expect(start.status).toBe(1);
    expect(start.stderr).toMatch(/DEMO_ENABLED: must be false when NODE_ENV=production/);
    expect(start.stderr).toMatch(/HOST_JWT_SECRET: required/);
  }, 1_000_000);
});
