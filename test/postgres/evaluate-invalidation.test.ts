/**
 * Issue 5 on PostgreSQL: a write through one replica invalidates the compiled settings of every other
 * replica (LISTEN/NOTIFY), so an evaluation on replica B sees a change made on replica A.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { spawnServer, type ChildServer } from '../helpers/server.js';
import { freshAccount } from './support.js';

let database: TestDatabase;
let writer: ChildServer;
let reader: ChildServer;

beforeAll(async () => {
  database = await createTestDatabase();
  writer = await spawnServer({ DATABASE_URL: database.url, MAILWARDEN_RATE_LIMIT: '0' });
  reader = await spawnServer({ DATABASE_URL: database.url, MAILWARDEN_RATE_LIMIT: '0' });
});

afterAll(async () => {
  await Promise.all([writer?.stop(), reader?.stop()]);
  await database?.drop();
});

const message = { from: 'boss@evil.example', recipients: ['ceo@corp.example'] };

async function dispositionOn(server: ChildServer, account: string): Promise<string> {
  const response = await request(server.origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
    body: { messages: [message] },
  });
  expect(response.status).toBe(200);
  return response.body.result[0].disposition;
}

/** Polls replica `server` until it reports `expected` (notifications arrive asynchronously), at most 5 s. */
async function eventually(server: ChildServer, account: string, expected: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5000) {
    if ((await dispositionOn(server, account)) === expected) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`replica never reported ${expected}`);
}

it('a block created, patched and deleted on one replica changes the verdict on the other', async () => {
  const account = freshAccount();
  // Warm the reader's cache first, so only an invalidation can make it see the change.
  expect(await dispositionOn(reader, account)).toBe('NONE');
  const created = await request(writer.origin, 'POST', settingsPath('block_senders', account), {
    body: { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' },
  });
  expect(created.status).toBe(201);
  expect(await eventually(reader, account, 'MALICIOUS')).toBeLessThan(5000);

  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${created.body.result.id}`, account), {
    body: { pattern: 'elsewhere.example' },
  });
  await eventually(reader, account, 'NONE');

  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${created.body.result.id}`, account), {
    body: { pattern: 'evil.example' },
  });
  await eventually(reader, account, 'MALICIOUS');
  await request(writer.origin, 'DELETE', settingsPath(`block_senders/${created.body.result.id}`, account));
  await eventually(reader, account, 'NONE');
});
