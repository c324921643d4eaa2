import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { deleteCustomerData, exportCustomerData } from '../privacy/customer-data.js';
import { applyRetention } from '../privacy/retention.js';
import { exportTrainingData, toJsonl } from '../privacy/training-export.js';
import { AssistantSettingsStore, DEFAULT_ESCALATION } from '../settings/assistant-settings.js';
import { loadCliConfig, openCliDatabase } from './cli-database.js';

/**
 * npm run privacy -- export <customerId> [--out file.json]
 * npm run privacy -- delete <customerId> --yes
 * npm run privacy -- retention
 * npm run privacy -- training-export [--since ISO] [--until ISO] [--out file.jsonl]
 *
 * A customer's privacy requests from the command line, on the database the
 * server uses (stop an embedded server first: PGlite allows one process).
 * Each is audited in support_privacy_audit (actor "cli"), as the admin API's
 * are. Exits 2 on bad input, before the database is opened.
 */
const USAGE = `usage: npm run privacy -- export <customerId> [--out <file.json>]
       npm run privacy -- delete <customerId> --yes
       npm run privacy -- retention
       npm run privacy -- training-export [--since <ISO time>] [--until <ISO time>] [--out <file.jsonl>]

  export     everything this service holds about the customer, as JSON (stdout, or --out)
  delete     every conversation, ticket, model call, tool call, e-mail and token count of the customer;
             only the audit line stays. Needs --yes.
  retention  one retention pass now (RETENTION_DAYS, RETENTION_MODE), as the hourly job does
  training-export
             conversations whose customer consented, redacted, as JSONL in OpenAI's fine-tuning chat
             format (default: the last 30 days)
`;

class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, yes: { type: 'boolean' }, since: { type: 'string' }, until: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new CliFailure(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
  if (parsed.values.help) return 'help' as const;
  const [command, customerId, ...rest] = parsed.positionals;
  if (rest.length > 0) throw new CliFailure(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`, 2);
  if (command === 'training-export') {
    if (customerId !== undefined) throw new CliFailure(`training-export takes no customer id\n${USAGE}`, 2);
    const time = (name: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const at = new Date(value);
      if (Number.isNaN(at.getTime())) throw new CliFailure(`--${name}: not a time: ${value} (e.g. 2026-11-01T00:00:00Z)`, 2);
      return at;
    };
    const until = time('until', parsed.values.until) ?? new Date();
    const since = time('since', parsed.values.since) ?? new Date(until.getTime() - 30 * 24 * 3600 * 1000);
    if (since >= until) throw new CliFailure('--since must be before --until', 2);
    return { command, since, until, out: parsed.values.out } as const;
  }
  if (command === 'retention') {
    if (customerId !== undefined) throw new CliFailure(`retention takes no customer id\n${USAGE}`, 2);
    return { command } as const;
  }
  if (command !== 'export' && command !== 'delete') throw new CliFailure(`say export, delete, retention or training-export\n${USAGE}`, 2);
  if (!customerId || customerId.length > 200) throw new CliFailure(`give the customer id (the host's id, at most 200 characters)\n${USAGE}`, 2);
  if (command === 'delete' && !parsed.values.yes) throw new CliFailure('delete removes the customer\'s conversations for good: add --yes to go on', 2);
  return { command, customerId, out: parsed.values.out } as const;
}

async function main(): Promise<number> {
  const request = parse(process.argv.slice(2));
  if (request === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadCliConfig();
  const db = await openCliDatabase(config);
  try {
    if (request.command === 'training-export') {
      const { companyName } = await new AssistantSettingsStore(db, { companyName: config.assistant.companyName, escalation: DEFAULT_ESCALATION }).current();
      const { examples, withoutConsent } = await exportTrainingData(db, { since: request.since, until: request.until, companyName, actor: 'cli' });
      if (request.out) writeFileSync(request.out, toJsonl(examples), { mode: 0o600 });
      else process.stdout.write(toJsonl(examples));
      process.stderr.write(`privacy: ${examples.length} conversations exported${request.out ? ` to ${request.out}` : ''}; ${withoutConsent} without consent left out\n`);
      return 0;
    }
    if (request.command === 'retention') {
      const run = await applyRetention(db, config.retention, new Date());
      process.stdout.write(`retention (${config.retention.days > 0 ? `${config.retention.days} days, ${config.retention.mode}` : 'off: RETENTION_DAYS=0'}): ${JSON.stringify(run)}\n`);
      return 0;
    }
    if (request.command === 'export') {
      const json = `${JSON.stringify(await exportCustomerData(db, request.customerId, { actor: 'cli' }), null, 2)}\n`;
      if (request.out) {
        writeFileSync(request.out, json, { mode: 0o600 });
        process.stderr.write(`privacy: exported ${request.customerId} to ${request.out}\n`);
      } else process.stdout.write(json);
      return 0;
    }
    const counts = await deleteCustomerData(db, request.customerId, { actor: 'cli' });
    process.stdout.write(`deleted ${request.customerId}: ${JSON.stringify(counts)}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliFailure || error instanceof ConfigError) {
      process.stderr.write(`privacy: ${error.message}\n`);
      process.exit(error instanceof CliFailure ? error.exitCode : 1);
    }
    process.stderr.write(`privacy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
