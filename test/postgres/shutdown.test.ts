/**
 * Graceful shutdown on PostgreSQL: on SIGTERM the server stops accepting, finishes the
 * requests in flight, closes its pool and exits 0, leaving no connection behind in the database.
 */
import http from 'node:http';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { spawnServer, TEST_TOKEN } from '../helpers/server.js';
import { adminQuery, databaseQuery, freshAccount, sleep } from './support.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const policy = (pattern: string) => ({
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern,
  pattern_type: 'EMAIL',
  verify_sender: true,
});

/** POSTs on a connection of its own; the status, or the connection error. */
function postOnNewConnection(url: string, body: unknown): Promise<number | Error> {
  return new Promise((done) => {
    const outgoing = http.request(
      url,
      { method: 'POST', agent: false, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' } },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => done(incoming.statusCode ?? 0));
        incoming.on('error', done);
      },
    );
    outgoing.on('error', done);
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('no answer')));
    outgoing.end(JSON.stringify(body));
  });
}

/** Backends connected to `datname`, and how many of them are inside a transaction. */
async function backends(datname: string): Promise<{ total: number; inTransaction: number }> {
  const [row] = await adminQuery<{ total: string; in_transaction: string }>(
    `select count(*)::text as total, count(xact_start)::text as in_transaction
       from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
    [datname],
  );
  return { total: Number(row.total), inTransaction: Number(row.in_transaction) };
}

describe('graceful shutdown on PostgreSQL', () => {
  it('SIGTERM with requests in flight: they complete, new ones are refused, exit 0, no connections left', { timeout: 90_000 }, async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const server = await spawnServer({ DATABASE_URL: database.url, MAILWARDEN_RATE_LIMIT: '0' });
    cleanups.push(() => server.stop('SIGKILL'));
    const account = freshAccount();
    const collection = settingsPath('allow_policies', account);

    const first = await request(server.origin, 'POST', collection, { body: policy('first@example.com') });
    expect(first.status, first.text).toBe(201);
    expect((await backends(database.name)).total, 'the server holds pooled connections').toBeGreaterThan(0);

    // Four large batches, held in flight: every batch updates the account's count row as its last
    // statement, and this transaction keeps that row locked until after SIGTERM.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('begin');
    await holder.query('select count from resource_counts where account_id = $1 for update', [account]);
    const batchCount = 4;
    const size = 400;
    let settled = 0;
    const inFlight: Promise<HttpResponse>[] = Array.from({ length: batchCount }, (_, k) =>
      request(server.origin, 'POST', `${collection}/batch`, {
        body: { deletes: [], patches: [], puts: [], posts: Array.from({ length: size }, (_, j) => policy(`b${k}-${j}@example.com`)) },
      }).finally(() => settled++),
    );

    // Wait (bounded, generously: the full suite loads the machine) until all of them are inside database transactions.
    const deadline = Date.now() + 30_000;
    while ((await backends(database.name)).inTransaction < batchCount && Date.now() < deadline) await sleep(20);
    expect((await backends(database.name)).inTransaction, 'every batch reached the database').toBeGreaterThanOrEqual(batchCount);
    expect(settled, 'the batches are still running when SIGTERM arrives').toBeLessThan(batchCount);

    const exited = server.stop('SIGTERM');
    await sleep(150);
    // The server no longer accepts work: a new request on a new connection is refused or told 503.
    const late = await postOnNewConnection(server.origin + collection, policy('late@example.com'));
    expect(settled, 'batches were still running when the late request was sent').toBeLessThan(batchCount);
    if (typeof late === 'number') expect(late, 'late request').toBe(503);
    await holder.query('commit');
    await holder.end();

    const responses = await Promise.all(inFlight);
    for (const [k, response] of responses.entries()) {
      expect(response.status, `batch ${k} in flight at SIGTERM: ${response.text.slice(0, 300)}`).toBe(200);
      expect(response.body.result.posts).toHaveLength(size);
    }

    const code = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
    expect(code, 'the process exits 0').toBe(0);

    // The pool is closed: no connection from it remains (backends end a moment after their client).
    let remaining = await backends(database.name);
    for (let i = 0; i < 50 && remaining.total > 0; i++) {
      await sleep(100);
      remaining = await backends(database.name);
    }
    expect(remaining.total, 'connections left in pg_stat_activity').toBe(0);

    // Everything answered was written; the refused request was not.
    const [{ count }] = await databaseQuery<{ count: string }>(database.url, 'select count(*)::text as count from allow_policies');
    expect(Number(count)).toBe(1 + batchCount * size);
    const [{ late: lateRows }] = await databaseQuery<{ late: string }>(
      database.url,
      `select count(*)::text as late from allow_policies where pattern = 'late@example.com'`,
    );
    expect(Number(lateRows), 'the request sent after SIGTERM was not served').toBe(0);
  });
});
