import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repo = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repo), 'utf8');

describe('the repository documents itself', () => {
  it('carries the wire contract in docs/protocol.md, word for word where the shared copy is at hand', () => {
    const own = read('docs/protocol.md');
    expect(own).toContain('## Customer side');
    const shared = new URL('../shared/PROTOCOL.md', repo);
    if (existsSync(shared)) expect(own).toContain(readFileSync(shared, 'utf8').trim());
  });

  it('links only to files inside the repository', () => {
    for (const path of ['README.md', 'docs/protocol.md', 'packages/server/README.md']) {
      expect(read(path), path).not.toMatch(/\]\(\.\.\/shared\//);
    }
  });

  it('lists every close code the socket uses', async () => {
    const codes = await import('../src/ws/chat-connection.js');
    const own = read('docs/protocol.md');
    for (const code of [codes.CLOSE_UNAUTHORIZED, codes.CLOSE_TOKEN_EXPIRED, codes.CLOSE_TOKEN_REPLACED, codes.CLOSE_TOO_MANY_REQUESTS, codes.CLOSE_SLOW_READER, codes.CLOSE_TRY_AGAIN_LATER, codes.CLOSE_SERVICE_RESTART]) {
      expect(own).toContain(`\`${code}\``);
    }
  });
});
