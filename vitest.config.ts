import { defineConfig } from 'vitest/config';

// Unit tests and integration tests (*.int.test.ts: need root, Kafka, ClickHouse or nmap) run
// in one suite; `npm test` is what CI runs. The global setup compiles the CLI once.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false, // integration tests share Kafka (one restarts it) and root-level network state
  },
});
