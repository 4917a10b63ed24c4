import { defineConfig } from 'vitest/config';

// The management, admin, gateway, money and usage analytics suites run twice: on embedded SQLite and on PostgreSQL.
const BOTH_STORES = [
  'test/e2e/management.test.ts',
  'test/e2e/usage-analytics.test.ts',
  'test/e2e/usage-retention-export.test.ts',
  'test/e2e/gateway.test.ts',
  'test/e2e/spend-cap.test.ts',
  'test/e2e/fallback.test.ts',
  'test/e2e/money-token-classes.test.ts',
  'test/e2e/budget-periods.test.ts',
  'test/e2e/cap-shortens.test.ts',
  'test/e2e/admin.test.ts',
  'test/e2e/key-pools.test.ts',
  'src/store/migrations/009-provider-key-pools.test.ts',
  'src/store/migrations/010-usage-details.test.ts',
  'test/e2e/usage-details.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file starts its own servers on ephemeral loopback ports; files run in parallel forks.
    pool: 'forks',
    // Collects every server's logs and searches them for pasted canary keys after the last test.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'postgres', include: BOTH_STORES, env: { ZAI_TEST_STORE: 'postgres' } },
      },
    ],
  },
});
