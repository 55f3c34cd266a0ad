import { defineConfig } from 'vitest/config';

// One run for every workspace. The `source` export condition makes cross-package imports
// resolve to TypeScript sources, so a change in firmware-contracts is seen by the gateway's
// tests without a rebuild. Tests that spawn a gateway process use the built `dist` (pretest builds it).
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // bench/*.test.ts assert a benchmark's targets on the built dist the benchmark runs.
    include: ['*/src/**/*.test.ts', '*/bench/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker per core less one: a single worker on this 2-core machine, though
    // most files wait on sockets, child gateways and timers, not on the CPU.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
