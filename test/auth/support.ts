/**
 * Shared pieces of the access-control suites: tokens minted straight into a server's database, the
 * table of every route the app serves (both base paths), and snapshots of an account's data.
 */
import { expect } from 'vitest';
import { createTokenStore, type ApiToken, type NewToken } from '../../src/auth/token-store.js';
import { openDatabase } from '../../src/db/database.js';
import { FIXTURES, type ResourceFixture } from '../contract/fixtures.js';
import { request, type HttpResponse } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';

export const MISSING_ID = 2147483647;
export const PREFIXES = ['/client/v4', ''] as const;
export const READ_PERMISSION = 'Cloud Email Security: Read';
export const WRITE_PERMISSION = 'Cloud Email Security: Write';

/** True on the PostgreSQL half of the suite (vitest.config.ts sets MAILWARDEN_TEST_DIALECT per project). */
export const ON_POSTGRES = process.env.MAILWARDEN_TEST_DIALECT === 'postgres';

/** The DATABASE_URL an in-process test server runs on (its SQLite file, or its PostgreSQL database). */
export function databaseUrlOf(server: TestServer): string {
  return (server as { databaseUrl?: string }).databaseUrl ?? `sqlite:${server.databaseFile}`;
}

export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

/**
 * Mints a token directly in the store a server uses: a test server (its own store), or a DATABASE_URL
 * (`sqlite:<file>`, `postgres://...`).
 */
export async function createToken(target: TestServer | string, input: Partial<NewToken> = {}): Promise<CreatedToken> {
  const database = await openDatabase(typeof target === 'string' ? target : databaseUrlOf(target));
  try {
    return await createTokenStore(database.db).create({ name: 'test token', accounts: null, readOnly: false, email: null, ...input });
  } finally {
    await database.close();
  }
}

/** Every token in the store (as the token store reads them: never a secret). */
export async function listTokens(target: TestServer | string): Promise<ApiToken[]> {
  const database = await openDatabase(typeof target === 'string' ? target : databaseUrlOf(target));
  try {
    return await createTokenStore(database.db).list();
  } finally {
    await database.close();
  }
}

export function bearer(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

export function globalKey(email: string, key: string): Record<string, string> {
  return { 'x-auth-email': email, 'x-auth-key': key };
}

/** How each settings collection is addressed and which operations it serves. */
export interface ResourceRoutes {
  name: string;
  idParam: string;
  batch?: 'full' | 'deletes';
  bulkDelete?: boolean;
  fixture: ResourceFixture;
}

const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;

export const RESOURCE_ROUTES: ResourceRoutes[] = [
  { name: 'allow_policies', idParam: 'policy_id', batch: 'full', fixture: fixture('allow_policies') },
  { name: 'block_senders', idParam: 'pattern_id', batch: 'full', fixture: fixture('block_senders') },
  { name: 'domains', idParam: 'domain_id', bulkDelete: true, fixture: fixture('domains') },
  { name: 'impersonation_registry', idParam: 'display_name_id', fixture: fixture('impersonation_registry') },
  {
    name: 'sending_domain_restrictions',
    idParam: 'sending_domain_restriction_id',
    batch: 'deletes',
    fixture: fixture('sending_domain_restrictions'),
  },
  { name: 'trusted_domains', idParam: 'trusted_domain_id', batch: 'full', fixture: fixture('trusted_domains') },
];

/** Record ids per resource name, used to fill the `{id}` of item routes and batch bodies. */
export type Ids = Record<string, number>;

export interface RouteCase {
  /** `GET /client/v4/accounts/{account_id}/.../allow_policies/{policy_id}` */
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as the OpenAPI document spells it. */
  template: string;
  permission: 'read' | 'write';
  /** The request on `account`, referring to the record ids in `ids` (or MISSING_ID). */
  build(account: string, ids: Ids | undefined): { path: string; body?: unknown };
}

function idOf(ids: Ids | undefined, resource: string): number {
  return ids?.[resource] ?? MISSING_ID;
}

/** Every route the app serves, under both base paths: 6 resources' operations, policy evaluation and the audit log. */
export function allRoutes(): RouteCase[] {
  const routes: RouteCase[] = [];
  for (const prefix of PREFIXES) {
    const accountBase = (account: string) => `${prefix}/accounts/${account}`;
    for (const r of RESOURCE_ROUTES) {
      const collectionTemplate = `${prefix}/accounts/{account_id}/email-security/settings/${r.name}`;
      const itemTemplate = `${collectionTemplate}/{${r.idParam}}`;
      const collection = (account: string) => `${accountBase(account)}/email-security/settings/${r.name}`;
      const add = (method: RouteCase['method'], template: string, build: RouteCase['build']) =>
        routes.push({ name: `${method} ${template}`, method, template, permission: method === 'GET' ? 'read' : 'write', build });

      add('GET', collectionTemplate, (account) => ({ path: collection(account) }));
      add('POST', collectionTemplate, (account) => ({ path: collection(account), body: r.fixture.creates[1] }));
      add('GET', itemTemplate, (account, ids) => ({ path: `${collection(account)}/${idOf(ids, r.name)}` }));
      add('PATCH', itemTemplate, (account, ids) => ({ path: `${collection(account)}/${idOf(ids, r.name)}`, body: r.fixture.patch }));
      add('DELETE', itemTemplate, (account, ids) => ({ path: `${collection(account)}/${idOf(ids, r.name)}` }));
      if (r.batch) {
        add('POST', `${collectionTemplate}/batch`, (account, ids) => {
          const deletes = [{ id: idOf(ids, r.name) }];
          return {
            path: `${collection(account)}/batch`,
            body: r.batch === 'full' ? { deletes, patches: [], puts: [], posts: [] } : { deletes },
          };
        });
      }
      if (r.bulkDelete) {
        add('DELETE', collectionTemplate, (account, ids) => ({ path: collection(account), body: [{ id: idOf(ids, r.name) }] }));
      }
    }
    // Policy evaluation changes nothing, so it needs only the Read permission, but it reveals the
    // account's settings (matches name record ids): it must be scoped like any read.
    routes.push({
      name: `POST ${prefix}/accounts/{account_id}/email-security/evaluate`,
      method: 'POST',
      template: `${prefix}/accounts/{account_id}/email-security/evaluate`,
      permission: 'read',
      build: (account) => ({
        path: `${accountBase(account)}/email-security/evaluate`,
        body: { messages: [{ id: 'm1', from: 'zeta@example.com', recipients: ['user@example.com'] }] },
      }),
    });
    routes.push({
      name: `GET ${prefix}/accounts/{account_id}/audit_logs`,
      method: 'GET',
      template: `${prefix}/accounts/{account_id}/audit_logs`,
      permission: 'read',
      build: (account) => ({ path: `${accountBase(account)}/audit_logs` }),
    });
    routes.push({
      name: `GET ${prefix}/accounts/{account_id}/email-security/export`,
      method: 'GET',
      template: `${prefix}/accounts/{account_id}/email-security/export`,
      permission: 'read',
      build: (account) => ({ path: `${accountBase(account)}/email-security/export` }),
    });
    // A dry run: it answers as an import would, and changes nothing either way.
    routes.push({
      name: `POST ${prefix}/accounts/{account_id}/email-security/import`,
      method: 'POST',
      template: `${prefix}/accounts/{account_id}/email-security/import`,
      permission: 'write',
      build: (account) => ({ path: `${accountBase(account)}/email-security/import?dry_run=true`, body: { allow_policies: [] } }),
    });
  }
  return routes;
}

export function send(origin: string, route: RouteCase, account: string, ids: Ids | undefined, headers: Record<string, string>) {
  const { path, body } = route.build(account, ids);
  return request(origin, route.method, path, { body, headers });
}

/** Creates one record of every resource in `account` (as the bootstrap admin) and returns their ids. */
export async function seedEveryResource(origin: string, account: string): Promise<Ids> {
  const ids: Ids = {};
  for (const r of RESOURCE_ROUTES) {
    const response = await request(origin, 'POST', `/client/v4/accounts/${account}/email-security/settings/${r.name}`, {
      body: r.fixture.creates[0],
    });
    expect(response.status, `seeding ${r.name}: ${response.text}`).toBe(201);
    ids[r.name] = response.body.result.id;
  }
  return ids;
}

/** Every record of every resource of `account`, and its whole audit log, as the bootstrap admin sees them. */
export async function snapshot(origin: string, account: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const r of RESOURCE_ROUTES) {
    const response = await request(origin, 'GET', `/client/v4/accounts/${account}/email-security/settings/${r.name}?per_page=1000`);
    expect(response.status, response.text).toBe(200);
    out[r.name] = response.body.result;
  }
  const audit = await request(origin, 'GET', `/client/v4/accounts/${account}/audit_logs?per_page=1000`);
  expect(audit.status, audit.text).toBe(200);
  out.audit_logs = audit.body.result;
  return out;
}

/** A 403 in the error envelope with code 9109 whose message names `permission`. */
export function expectForbidden(response: HttpResponse, permission: string, context = ''): void {
  expect(response.status, `${context}: ${response.text}`).toBe(403);
  expect(response.body.success, context).toBe(false);
  expect(response.body.result, context).toBeNull();
  expect(response.body.messages, context).toEqual([]);
  expect(response.body.errors, context).toHaveLength(1);
  expect(response.body.errors[0].code, context).toBe(9109);
  expect(response.body.errors[0].message, context).toContain(permission);
}
