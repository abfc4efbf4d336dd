/**
 * Isolation across accounts for every operation: a credential bound to account A
 * gets 403 / 9109 naming the missing permission on account B, for every route under both base paths,
 * and that answer never tells whether anything exists in B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  allRoutes,
  bearer,
  createToken,
  expectForbidden,
  globalKey,
  READ_PERMISSION,
  send,
  seedEveryResource,
  snapshot,
  WRITE_PERMISSION,
  type Ids,
} from './support.js';

const ROUTES = allRoutes();

let server: TestServer;
/** The caller's own account, the victim account (with data) and an empty account. */
const A = newAccount();
const B = newAccount();
const EMPTY = newAccount();
let idsInA: Ids;
let idsInB: Ids;
let before: Record<string, unknown>;
/** The credentials bound to A that must be refused on B; their headers are filled in once the tokens exist. */
const credentials = [
  'bearer token bound to A',
  'bearer token bound to A and another account',
  'read-only bearer token bound to A',
  'global key (X-Auth-Email + X-Auth-Key) bound to A',
].map((name) => ({ name, headers: {} }));

beforeAll(async () => {
  server = await startServer();
  const scoped = await createToken(server, { name: 'account A writer', accounts: [A] });
  const twoAccounts = await createToken(server, { name: 'A and another', accounts: [A, newAccount()] });
  const readOnly = await createToken(server, { name: 'account A reader', accounts: [A], readOnly: true });
  const legacy = await createToken(server, { name: 'A global key', accounts: [A], email: 'owner-a@example.com' });
  credentials[0].headers = bearer(scoped.secret);
  credentials[1].headers = bearer(twoAccounts.secret);
  credentials[2].headers = bearer(readOnly.secret);
  credentials[3].headers = globalKey('owner-a@example.com', legacy.secret);
  idsInA = await seedEveryResource(server.origin, A);
  idsInB = await seedEveryResource(server.origin, B);
  before = await snapshot(server.origin, B);
});
afterAll(() => server?.close());

describe('the route table', () => {
  it('covers every operation the OpenAPI document lists (39 under /client/v4), and the /accounts alias of each', async () => {
    const response = await request(server.origin, 'GET', '/openapi.json', { anonymous: true });
    expect(response.status).toBe(200);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const covered = ROUTES.filter((r) => r.template.startsWith('/client/v4'))
      .map((r) => r.name)
      .sort();
    // A route missing here is a route nobody checks for isolation: add it to allRoutes() in support.ts.
    expect(covered, 'routes of the OpenAPI document not in the access-control table').toEqual(documented);
    expect(covered).toHaveLength(39);
    expect(ROUTES).toHaveLength(78);
  });
});

describe.each(ROUTES.map((route) => [route.name, route] as const))('%s', (_name, route) => {
  const permission = route.permission === 'read' ? READ_PERMISSION : WRITE_PERMISSION;

  it('serves a credential on its own account (the table and the scope are right)', async () => {
    const { headers } = credentials[0];
    // Reads of real records answer 200; writes use a missing id so they change nothing in A.
    const response = await send(server.origin, route, A, route.permission === 'read' ? idsInA : undefined, headers);
    expect(response.status, response.text).not.toBe(403);
    expect([200, 201, 404, 409], response.text).toContain(response.status);
    if (response.status === 404) expect(response.body.errors[0].code, response.text).toBe(1002);
    if (route.permission === 'read') expect(response.status).toBe(200);
  });

  it.each(credentials.map((c) => [c.name, c] as const))(
    'refuses a %s on account B with 403 / 9109, the same answer whether the record exists or not',
    async (_credential, { headers }) => {
      const existing = await send(server.origin, route, B, idsInB, headers);
      const missing = await send(server.origin, route, B, undefined, headers);
      const empty = await send(server.origin, route, EMPTY, undefined, headers);
      expectForbidden(existing, permission, `existing record in B`);
      expect(existing.body.errors[0].message).toContain('Cloud Email Security');
      // Byte for byte the same: status, envelope, message.
      expect(missing.status).toBe(existing.status);
      expect(missing.text).toBe(existing.text);
      // An account with nothing in it answers the same (up to its own id in the message).
      expect(empty.status).toBe(existing.status);
      expect(empty.text.replaceAll(EMPTY, B)).toBe(existing.text);
    },
  );
});

describe('after every refused request', () => {
  it('account B is exactly as it was: same records, no audit entries', async () => {
    // Runs last in this file (vitest runs tests of a file in order).
    expect(await snapshot(server.origin, B)).toEqual(before);
  });

  it('treats an upper-case spelling of account B as account B', async () => {
    const response = await request(server.origin, 'GET', `/client/v4/accounts/${B.toUpperCase()}/email-security/settings/allow_policies`, {
      headers: credentials[0].headers,
    });
    expectForbidden(response, READ_PERMISSION);
  });
});
