import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/widget/src/**/*.test.{ts,tsx}', 'packages/console/app/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'packages/*/e2e/**/*.test.ts', 'eval/**/*.test.ts', 'deploy/**/*.test.ts'],
    // Bounds, not timings: many tests start a whole server (PGlite, seed, knowledge base) inside the
    // test, which takes seconds on a quiet machine and several times that beside a CPU-heavy process.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-hungry WASM; two cores do not gain from more forks.
    maxWorkers: 2,
  },
});
