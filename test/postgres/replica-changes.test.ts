/**
 * On PostgreSQL, two replicas in this process over one database: a write on one replica
 * reaches the other as a notification carrying the changes, which it applies to its compiled settings
 * in place (no reload, no compile); changes too large for a notification make it drop its compiled
 * settings and compile again on next use.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { dispositionOn, eventually, freshAccount } from './support.js';

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

it('applies the writes of another replica in place, from the changes its notifications carry', async () => {
  const account = freshAccount();
  expect(await dispositionOn(reader.origin, account)).toBe('NONE');
  const before = reader.app.compiledSettings.stats();

  const created = await request(writer.origin, 'POST', settingsPath('block_senders', account), {
    body: { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' },
  });
  expect(created.status).toBe(201);
  await eventually(reader.origin, account, 'MALICIOUS');
  const id = created.body.result.id;
  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${id}`, account), { body: { pattern: 'elsewhere.example' } });
  await eventually(reader.origin, account, 'NONE');
  await request(writer.origin, 'PATCH', settingsPath(`block_senders/${id}`, account), {
    body: { pattern: '.*@evil\\.example', is_regex: true },
  });
  await eventually(reader.origin, account, 'MALICIOUS');
  await request(writer.origin, 'DELETE', settingsPath(`block_senders/${id}`, account));
  await eventually(reader.origin, account, 'NONE');

  const after = reader.app.compiledSettings.stats();
  expect(after.compiles - before.compiles).toBe(0);
  expect(after.writesDropped - before.writesDropped).toBe(0);
  expect(after.changesApplied - before.changesApplied).toBe(4);
});

it('drops and recompiles when the changes do not fit in a notification', async () => {
  const account = freshAccount();
  expect(await dispositionOn(reader.origin, account)).toBe('NONE');
  const before = reader.app.compiledSettings.stats();
  // About 200 bytes of change per record: 60 of them are far past PostgreSQL's 8000-byte payload.
  const bodies = Array.from({ length: 60 }, (_, i) => ({ is_regex: false, pattern: `sender${i}@bulk.example`, pattern_type: 'EMAIL' }));
  bodies.push({ is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' });
  const created = await request(writer.origin, 'POST', settingsPath('block_senders/batch', account), {
    body: { deletes: [], patches: [], puts: [], posts: bodies },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  await eventually(reader.origin, account, 'MALICIOUS');
  const after = reader.app.compiledSettings.stats();
  expect(after.compiles - before.compiles).toBe(1);
  expect(after.changesApplied - before.changesApplied).toBe(0);
});
