import { randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:tty';
import { parseArgs } from 'node:util';
import { agentRoleSchema } from '@support/protocol';
import { z } from 'zod';
import { AgentAccounts, MIN_PASSWORD_LENGTH, type AgentAccount } from '../agents/agent-accounts.js';
import { ConfigError, type AppConfig } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { loadCliConfig, openCliDatabase } from './cli-database.js';

/**
 * npm run agent:create -- --email maya@example.com --name "Maya Chen" [--role agent|admin] [--max-chats N]
 *
 * Creates an agent account in the database the server uses (DATABASE_URL,
 * else PGlite in DATA_DIR; stop an embedded server first, PGlite allows one
 * process). The password comes on stdin, or is generated and printed once;
 * it is never an argument, which shell history and `ps` would keep.
 * Exits 2 on bad input (before the database is opened), 1 when the e-mail is taken.
 */

const USAGE = `usage: npm run agent:create -- --email <e-mail> --name <name> [--role agent|admin] [--max-chats N] [--password-stdin]

  --email <e-mail>  the address the agent signs in with (unique, whatever the case)
  --name <name>     the name colleagues and customers see, 1-100 characters
  --role <role>     agent (the default) or admin
  --max-chats N     live chats at once, 1-50 (default: the server's AGENT_MAX_CHATS)
  --password-stdin  read the password from stdin, one line (the default when stdin is not a terminal)

  Without a password on stdin, a random one is generated and printed once.
  e.g.  printf '%s\\n' "$PASSWORD" | npm run agent:create -- --email maya@example.com --name "Maya Chen"
`;

/** The login endpoint's limit (agentLoginRequest): a longer password could never be used. */
const MAX_PASSWORD_LENGTH = 1024;
/** 24 random bytes: 32 base64url characters, 192 bits. */
const GENERATED_PASSWORD_BYTES = 24;
/** Nothing on stdin for this long: say what is awaited, in case stdin is an open pipe nobody writes to. */
const STDIN_HINT_AFTER_MS = 3000;

/** A failure the message alone explains: no stack, this exit code (2 bad input, 1 otherwise). */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const invalidMaxChats = 'must be a whole number from 1 to 50';
const argsSchema = z.object({
  email: z
    .string({ error: 'is required' })
    .trim()
    .pipe(z.email({ error: 'is not a valid e-mail address' })),
  name: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
  role: z.enum(agentRoleSchema.options, { error: `must be ${agentRoleSchema.options.join(' or ')}` }).default('agent'),
  'max-chats': z
    .string()
    .regex(/^\d{1,3}$/, invalidMaxChats)
    .transform(Number)
    .pipe(z.number().int().min(1, invalidMaxChats).max(50, invalidMaxChats))
    .optional(),
});
type Args = z.infer<typeof argsSchema>;

function parseArguments(argv: string[]): { args: Args; passwordStdin: boolean } | 'help' {
  // Refused before anything else, and without echoing the value.
  if (argv.some((arg) => arg === '--password' || arg.startsWith('--password='))) {
    throw new CliFailure(
      '--password is refused: a password in the arguments stays in shell history and shows in ps. ' +
        `Pipe it on stdin instead (printf '%s\\n' "$PASSWORD" | npm run agent:create -- ...), or leave it out to have one generated.`,
      2,
    );
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        'max-chats': { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_'))) throw error;
    // A stray word is not echoed: it may be a password typed in the wrong place.
    const message =
      error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
        ? 'unexpected argument (a value with spaces needs quotes, e.g. --name "Maya Chen")'
        : error.message;
    throw new CliFailure(`${message}\n${USAGE}`, 2);
  }
  if (values.help) return 'help';
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const option = String(issue.path[0]);
      const given = values[option as keyof typeof values];
      return `--${option}: ${issue.message}${typeof given === 'string' ? ` (got "${given}")` : ''}`;
    });
    throw new CliFailure(`${problems.join('\n')}\n(npm run agent:create -- --help for usage)`, 2);
  }
  return { args: parsed.data, passwordStdin: values['password-stdin'] ?? false };
}

/**
 * The password given on stdin, or undefined for "generate one": stdin is a
 * terminal and --password-stdin was not given, or stdin is empty (e.g.
 * /dev/null) and it was not required.
 */
async function readPassword(required: boolean): Promise<string | undefined> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    if (!required) return undefined;
    const first = await promptHidden(stdin as ReadStream, 'password (not shown): ');
    const second = await promptHidden(stdin as ReadStream, 'the same again: ');
    if (first !== second) throw new CliFailure('the two passwords differ', 2);
    return first;
  }
  const raw = await readAllOfStdin();
  if (raw === '') {
    if (required) throw new CliFailure('--password-stdin: stdin was empty', 2);
    return undefined;
  }
  const password = raw.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(password)) throw new CliFailure('the password on stdin must be one line', 2);
  return password;
}

async function readAllOfStdin(): Promise<string> {
  const hint = setTimeout(() => process.stderr.write('agent:create: waiting for the password on stdin (one line, then end of input)\n'), STDIN_HINT_AFTER_MS);
  hint.unref();
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      clearTimeout(hint);
      chunks.push(chunk);
      bytes += chunk.length;
      // UTF-8 takes at most 4 bytes a character; the newline and a \r besides.
      if (bytes > MAX_PASSWORD_LENGTH * 4 + 2) throw new CliFailure(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`, 2);
    }
  } finally {
    clearTimeout(hint);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed at the terminal without echo; Ctrl-C cancels. */
function promptHidden(stdin: ReadStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let typed: string[] = [];
    const finish = (error?: CliFailure) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed.join(''));
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliFailure('cancelled', 130));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed.push(char);
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliFailure(`the password must be at least ${MIN_PASSWORD_LENGTH} characters (MIN_PASSWORD_LENGTH)`, 2);
  if (password.length > MAX_PASSWORD_LENGTH) throw new CliFailure(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`, 2);
}

const EXISTS = 'an agent with that e-mail already exists';

function describeAccount(account: AgentAccount, config: AppConfig): string {
  const maxChats = account.maxChats === null ? `${config.agents.maxChats} (the server's AGENT_MAX_CHATS)` : String(account.maxChats);
  return [
    `created agent ${account.id}`,
    `  e-mail:    ${account.email}`,
    `  name:      ${account.name}`,
    `  role:      ${account.role}`,
    `  max chats: ${maxChats}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { args, passwordStdin } = parsed;
  const config = loadCliConfig();
  // Bad input is reported before the database is opened (which, for a new PGlite folder, takes seconds).
  const given = await readPassword(passwordStdin);
  if (given !== undefined) checkPassword(given);
  const password = given ?? randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');

  const db = await openCliDatabase(config);
  try {
    const accounts = new AgentAccounts(db);
    if (await accounts.findByEmail(args.email)) throw new CliFailure(EXISTS, 1);
    let account: AgentAccount;
    try {
      account = await accounts.create({ email: args.email, name: args.name, role: args.role, password, maxChats: args['max-chats'] });
    } catch (error) {
      // Made by someone else between the look-up and the insert.
      if (error instanceof AppError && error.code === 'conflict') throw new CliFailure(EXISTS, 1);
      throw error;
    }
    process.stdout.write(`${describeAccount(account, config)}\n`);
    if (given === undefined) {
      process.stdout.write(`  password:  ${password}\n`);
      process.stdout.write('The password is shown only once (only its hash is stored): pass it on to the agent now.\n');
    }
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliFailure) {
      process.stderr.write(`agent:create: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    // Bad input and bad settings are the user's to fix: the message alone says what.
    if (error instanceof AppError) {
      process.stderr.write(`agent:create: ${error.message}\n`);
      process.exit(error.status === 400 ? 2 : 1);
    }
    if (error instanceof ConfigError) process.stderr.write(`agent:create: ${error.message}\n`);
    else process.stderr.write(`agent:create failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
