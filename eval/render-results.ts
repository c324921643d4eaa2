import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './cli-args.js';
import { evalResultsSchema, renderReadmeSummary, renderResultsMarkdown, replaceResultsBlock } from './results-markdown.js';

/**
 * Markdown tables from the JSON of `npm run eval` (several files: one
 * section each, e.g. a dev run and a held-out run).
 *
 *   npm run eval:report                                   # eval/out/results.json → stdout
 *   npm run eval:report -- --readme eval/README.md        # rewrites the marked results block of that file
 *   npm run eval:report -- --summary                      # the rows of the top-level README's table
 *   npm run eval:report -- eval/out/dev.json eval/out/held-out.json
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { readme: { type: 'string' }, summary: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const paths = positionals.length > 0 ? positionals.map((path) => resolve(path)) : [resolve(REPO_ROOT, 'eval/out/results.json')];
  const runs = await Promise.all(
    paths.map(async (path) => {
      const parsed = evalResultsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (!parsed.success) throw new Error(`${path} is not the JSON of npm run eval: ${parsed.error.message}`);
      return parsed.data;
    }),
  );
  const render = values.summary ? renderReadmeSummary : renderResultsMarkdown;
  // The folder as the README's commands name it (`../shared/data`), not this machine's absolute path.
  const markdown = runs.map((run) => render(run, { dataDir: relative(REPO_ROOT, run.data_dir) || '.' })).join('\n');
  if (values.readme === undefined) {
    process.stdout.write(markdown);
    return;
  }
  const readmePath = resolve(values.readme);
  await writeFile(readmePath, replaceResultsBlock(await readFile(readmePath, 'utf8'), markdown));
  process.stderr.write(`rewrote the results block of ${readmePath}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:report failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
