/**
 * Read-only enforcement on every mutating route: a read-only credential reads everything on its
 * account, and every POST/PATCH/DELETE (including batch and bulk) is a 403 / 9109 naming
 * 'Cloud Email Security: Write', on both base paths, with nothing changed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  allRoutes,
  bearer,
  createToken,
  expectForbidden,
  globalKey,
  send,
  seedEveryResource,
  snapshot,
  WRITE_PERMISSION,
  type Ids,
} from './support.js';

const ROUTES = allRoutes();
const WRITES = ROUTES.filter((r) => r.permission === 'write');
const READS = ROUTES.filter((r) => r.permission === 'read');

let server: TestServer;
const ACCOUNT = newAccount();
let ids: Ids;
let before: Record<string, unknown>;
const credentials = [
  'read-only token bound to the account',
  'read-only token for all accounts',
  'read-only global key (X-Auth-Email + X-Auth-Key)',
].map((name) => ({ name, headers: {} }));

beforeAll(async () => {
  server = await startServer();
  const bound = await createToken(server, { name: 'reader', accounts: [ACCOUNT], readOnly: true });
  const everywhere = await createToken(server, { name: 'global reader', accounts: null, readOnly: true });
  const legacy = await createToken(server, { name: 'legacy reader', readOnly: true, email: 'reader@example.com' });
  credentials[0].headers = bearer(bound.secret);
  credentials[1].headers = bearer(everywhere.secret);
  credentials[2].headers = globalKey('reader@example.com', legacy.secret);
  ids = await seedEveryResource(server.origin, ACCOUNT);
  before = await snapshot(server.origin, ACCOUNT);
});
afterAll(() => server?.close());

it('the table has a write route for every mutating operation (24 per base path) and a read for the other 15', () => {
  expect(WRITES).toHaveLength(48);
  expect(READS).toHaveLength(30);
});

describe.each(credentials.map((c) => [c.name, c] as const))('%s', (_name, credential) => {
  // Reads include POST .../evaluate, which changes nothing (README: it counts as a read).
  it.each(READS.map((r) => [r.name, r] as const))('reads: %s answers 200', async (_route, route) => {
    const response = await send(server.origin, route, ACCOUNT, ids, credential.headers);
    expect(response.status, response.text).toBe(200);
    // An export is the settings document itself, not an envelope.
    if (route.template.endsWith('/export')) expect(response.body.account_id).toBe(ACCOUNT);
    else expect(response.body.success).toBe(true);
  });

  it.each(WRITES.map((r) => [r.name, r] as const))(
    'writes: %s is 403 / 9109 naming the Write permission (existing or missing id alike)',
    async (_route, route) => {
      const existing = await send(server.origin, route, ACCOUNT, ids, credential.headers);
      expectForbidden(existing, WRITE_PERMISSION, route.name);
      const missing = await send(server.origin, route, ACCOUNT, undefined, credential.headers);
      expect(missing.text).toBe(existing.text);
    },
  );
});

it('changed nothing: every record and the audit log are as before', async () => {
  expect(await snapshot(server.origin, ACCOUNT)).toEqual(before);
});
