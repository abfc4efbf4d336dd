/**
 * Concurrency soak, on this run's store (SQLite: one server process; PostgreSQL: two replicas over one
 * database), loopback only: MAILWARDEN_SOAK_CLIENTS clients (default 12) make mixed creates, patches,
 * deletes, batches and bulk creates over three collections in two accounts for MAILWARDEN_SOAK_SECONDS
 * (default 15), with the request rate limit on (counted in the store's limit store). Then: every
 * acknowledged write reads back as acknowledged and every acknowledged delete is gone, `total_count`
 * equals what the pages return, the audit log has exactly one entry per change, and no answer was a 5xx
 * other than an honest 503.
 *
 *   MAILWARDEN_SOAK_SECONDS=300 npx vitest run test/reliability/soak.test.ts --project postgres
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshAccount, spawnOnPort } from '../postgres/support.js';
import { createTestDatabase, TEST_DIALECT } from '../helpers/postgres.js';
import { temporaryDirectory, type ChildServer } from '../helpers/server.js';
import { COLLECTIONS, expectLedger, expectOneAuditEntryPerChange, Ledger, listEveryPage, Writer } from '../helpers/workload.js';

const SECONDS = Number(process.env.MAILWARDEN_SOAK_SECONDS ?? 15);
const CLIENTS = Number(process.env.MAILWARDEN_SOAK_CLIENTS ?? 12);
const SEED = Number(process.env.MAILWARDEN_SOAK_SEED ?? Date.now() % 100_000);

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startStore(): Promise<ChildServer[]> {
  // A limit no client reaches, so every request still goes through the limiter's store.
  const env = { MAILWARDEN_RATE_LIMIT: '10000000', MAILWARDEN_DB_POOL_SIZE: '8', LOG_LEVEL: 'warn' };
  let servers: ChildServer[];
  if (TEST_DIALECT === 'postgres') {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    servers = await Promise.all([spawnOnPort({ ...env, DATABASE_URL: database.url }), spawnOnPort({ ...env, DATABASE_URL: database.url })]);
  } else {
    const directory = temporaryDirectory();
    cleanups.push(() => directory.remove());
    servers = [await spawnOnPort({ ...env, DATABASE_URL: `sqlite:${join(directory.path, 'soak.db')}` })];
  }
  for (const server of servers) cleanups.push(() => server.stop('SIGKILL'));
  return servers;
}

describe(`concurrency soak: ${CLIENTS} clients for ${SECONDS} s (seed ${SEED})`, () => {
  it(
    'keeps every acknowledged write, consistent pages and counts, one audit entry per change, and no 5xx but honest 503s',
    { timeout: SECONDS * 1000 + 120_000 },
    async () => {
      const servers = await startStore();
      const accounts = [freshAccount(), freshAccount()];
      const ledger = new Ledger();
      const options = { origins: servers.map((s) => s.origin), accounts, ledger, seed: SEED };
      const writers = Array.from({ length: CLIENTS }, (_, i) => new Writer(i, options));

      const until = Date.now() + SECONDS * 1000;
      let requests = 0;
      const unanswered: string[] = [];
      await Promise.all(
        writers.map(async (writer) => {
          while (Date.now() < until) {
            if (!(await writer.step())) unanswered.push(JSON.stringify(writer.inFlight));
            requests++;
          }
        }),
      );
      const statuses = Object.fromEntries(ledger.statuses);
      console.info(
        `soak on ${TEST_DIALECT}: ${requests} requests in ${SECONDS} s from ${CLIENTS} clients; statuses ${JSON.stringify(statuses)}; ${ledger.live.size} live records`,
      );

      expect(unanswered, 'every request answered').toEqual([]);
      expect(ledger.dishonest.slice(0, 10), 'no 5xx but honest 503 (and no 4xx to valid requests)').toEqual([]);
      expect(ledger.statuses.get(503) ?? 0, 'no 503 without a fault').toBe(0);
      // Reads through every replica see the same thing.
      for (const server of servers) await expectLedger(server.origin, ledger, accounts);
      // A filtered list (a writer's records, through the search index) adds up too.
      for (const collection of COLLECTIONS) {
        const rows = await listEveryPage(servers[0].origin, accounts[0], collection, '&search=w3-');
        expect(rows.map((r) => r.id).sort()).toEqual(
          ledger
            .rowsOf(accounts[0], collection)
            .filter((r) => `${r.comments} ${r.pattern}`.includes('w3-'))
            .map((r) => r.id)
            .sort(),
        );
      }
      await expectOneAuditEntryPerChange(servers[0].origin, ledger, accounts);
      for (const server of servers) expect(server.output()).not.toMatch(/"level":(50|60)/);
    },
  );
});
