/**
 * Issue 5 on PostgreSQL, two replicas in this process over one database: a write on one replica
 * reaches the other as a notification carrying the changes, which it applies to its compiled settings
 * in place (no reload, no compile); changes too large for a notification make it drop its compiled
 * settings and compile again on next use.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freshAccount } from './support.js';

let database: TestDatabase;
let writer: TestServer;
let reader: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  writer = await startServer({ databaseUrl: database.url });
  reader = await startServer({ databaseUrl: database.url });
});

afterAll(async () => {
  await writer?.close();
  await reader?.close();
  await database?.drop();
});

const message = { from: 'boss@evil.example', recipients: ['ceo@corp.example'] };

async function dispositionOn(server: TestServer, account: string): Promise<string> {
  const response = await request(server.origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
    body: { messages: [message] },
  });
  expect(response.status).toBe(200);
  return response.body.result[0].disposition;
}

/** Polls the replica until it reports `expected` (notifications arrive asynchronously), at most 5 s. */
async function eventually(server: TestServer, account: string, expected: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 5000) {
    if ((await dispositionOn(server, account)) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`replica never reported ${expected}`);
}

it('applies the writes of another replica in place, from the changes its notifications carry', async () => {
  const account = freshAccount();
  expect(await dispositionOn(reader, account)).toBe('NONE');
  const before = reader.app.compiledSettings.stats();

  const created = await request(writer.origin, 'POST', settingsPath('block_senders', account), {
    body: { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' },
  });
  expect(created.status).toBe(201);
  await eventually(reader, account, 'MALICIOUS');
  const id = created.body.result.id;
  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${id}`, account), { body: { pattern: 'elsewhere.example' } });
  await eventually(reader, account, 'NONE');
  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${id}`, account), { body: { pattern: '.*@evil\\.example', is_regex: true } });
  await eventually(reader, account, 'MALICIOUS');
  await request(writer.origin, 'DELETE', settingsPath(`block_senders/${id}`, account));
  await eventually(reader, account, 'NONE');

  const after = reader.app.compiledSettings.stats();
  expect(after.compiles - before.compiles).toBe(0);
  expect(after.writesDropped - before.writesDropped).toBe(0);
  expect(after.changesApplied - before.changesApplied).toBe(4);
});

it('drops and recompiles when the changes do not fit in a notification', async () => {
  const account = freshAccount();
  expect(await dispositionOn(reader, account)).toBe('NONE');
  const before = reader.app.compiledSettings.stats();
  // About 200 bytes of change per record: 60 of them are far past PostgreSQL's 8000-byte payload.
  const bodies = Array.from({ length: 60 }, (_, i) => ({ is_regex: false, pattern: `sender${i}@bulk.example`, pattern_type: 'EMAIL' }));
  bodies.push({ is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' });
  const created = await request(writer.origin, 'POST', settingsPath('block_senders/batch', account), { body: { deletes: [], patches: [], puts: [], posts: bodies } });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  await eventually(reader, account, 'MALICIOUS');
  const after = reader.app.compiledSettings.stats();
  expect(after.compiles - before.compiles).toBe(1);
  expect(after.changesApplied - before.changesApplied).toBe(0);
});
