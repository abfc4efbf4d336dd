/**
 * On PostgreSQL, a write through one replica invalidates the compiled settings of every other
 * replica (LISTEN/NOTIFY), so an evaluation on replica B sees a change made on replica A.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { spawnServer, type ChildServer } from '../helpers/server.js';
import { dispositionOn, eventually, freshAccount } from './support.js';

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

it('a block created, patched and deleted on one replica changes the verdict on the other', async () => {
  const account = freshAccount();
  // Warm the reader's cache first, so only an invalidation can make it see the change.
  expect(await dispositionOn(reader.origin, account)).toBe('NONE');
  const created = await request(writer.origin, 'POST', settingsPath('block_senders', account), {
    body: { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' },
  });
  expect(created.status).toBe(201);
  expect(await eventually(reader.origin, account, 'MALICIOUS')).toBeLessThan(5000);

  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${created.body.result.id}`, account), {
    body: { pattern: 'elsewhere.example' },
  });
  await eventually(reader.origin, account, 'NONE');

  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${created.body.result.id}`, account), {
    body: { pattern: 'evil.example' },
  });
  await eventually(reader.origin, account, 'MALICIOUS');
  await request(writer.origin, 'DELETE', settingsPath(`block_senders/${created.body.result.id}`, account));
  await eventually(reader.origin, account, 'NONE');
});
