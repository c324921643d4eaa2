// Prints the script-tag bundle's size, raw and gzipped (level 9), and writes dist/size.json.
// Fails the build when the bundle is over its budget (60 KB gzipped, everything included).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 60 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const file = 'widget.js';
const source = readFileSync(join(dist, file));
const bytes = source.length;
const gzipBytes = gzipSync(source, { level: 9 }).length;
writeFileSync(join(dist, 'size.json'), `${JSON.stringify({ file, bytes, gzipBytes }, null, 2)}\n`);
console.log(`${file}: ${bytes} bytes, ${gzipBytes} bytes gzipped (budget ${BUDGET_GZIP_BYTES} bytes gzipped)`);
if (gzipBytes > BUDGET_GZIP_BYTES) {
  console.error(`${file} is over its budget by ${gzipBytes - BUDGET_GZIP_BYTES} bytes gzipped`);
  process.exit(1);
}
