import { defineConfig } from 'vitest/config';
import { POSTGRES_ADMIN_URL, postgresReachable } from './test/helpers/postgres.js';

/**
 * The suite runs twice: once over SQLite and once over PostgreSQL (a fresh database per test server).
 * Without a reachable PostgreSQL the second half is skipped with a notice, except under CI, where
 * that is an error.
 */
const postgres = await postgresReachable();
if (!postgres) {
  const notice = `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL.replace(/:[^:@/]*@/, ':***@')}`;
  if (process.env.CI) throw new Error(`${notice}; CI must run the PostgreSQL half of the suite.`);
  console.warn(`\n*** ${notice}: the PostgreSQL half of the suite is SKIPPED. ***\n`);
}
// Pure modules and SQLite-file durability run once; PostgreSQL-only tests run on that half.
const storeIndependent = ['test/validation/**', 'test/engine/**', 'test/architecture/**'];
// The dashboard's browser tests drive the UI over SQLite only: the API below it runs on both halves.
const sqliteOnly = ['test/durability/**', 'test/db/sqlite-driver.test.ts', 'test/dashboard/browser.test.ts'];
const postgresOnly = ['test/postgres/**'];

export default defineConfig({
  test: {
    // Each file boots its own servers over its own databases; forks keep native modules isolated.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: postgresOnly,
          env: { MAILWARDEN_TEST_DIALECT: 'sqlite' },
        },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['test/**/*.test.ts'],
                exclude: [...storeIndependent, ...sqliteOnly],
                env: { MAILWARDEN_TEST_DIALECT: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
