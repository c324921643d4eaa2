import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `--data`: the folder holding the dataset folders; by default the shared dev copy next to the repository. */
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '../shared/data');

export interface EvalArgs {
  dataDir: string;
  jsonPath: string;
  /** Only these parts of the harness (default: all). */
  only: Set<'retrieval' | 'intent'>;
  /** Which part of the datasets `dataDir` holds ("dev" unless told): the report says whether the system was tuned on it. */
  part: string;
  /** The commit the measured code is at, when the tree is not a git checkout (an exported copy); else read from git. */
  commit: string | undefined;
}

export function parseEvalArgs(argv: string[], cwd: string = process.cwd()): EvalArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
      part: { type: 'string' },
      commit: { type: 'string' },
    },
    strict: true,
  });
  const only = new Set<'retrieval' | 'intent'>();
  for (const part of (values.only ?? 'retrieval,intent').split(',')) {
    if (part === 'retrieval' || part === 'intent') only.add(part);
    else throw new Error(`--only takes "retrieval", "intent" or both, comma-separated; got "${part}"`);
  }
  return {
    dataDir: values.data ? resolve(cwd, values.data) : DEFAULT_DATA_DIR,
    jsonPath: values.json ? resolve(cwd, values.json) : resolve(REPO_ROOT, 'eval/out/results.json'),
    only,
    part: values.part ?? 'dev',
    commit: values.commit,
  };
}
