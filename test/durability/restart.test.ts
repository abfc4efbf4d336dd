/**
 * Graceful restart of the built server on the same SQLite file: SIGTERM exits 0, and the next process
 * serves exactly the same data (byte for byte) and never reuses an id.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { spawnServer, temporaryDirectory, type ChildServer } from '../helpers/server.js';

const ACCOUNT_A = '0123456789abcdef0123456789abcdef';
const ACCOUNT_B = 'fedcba9876543210fedcba9876543210';

const RESOURCES = [
  'allow_policies',
  'block_senders',
  'trusted_domains',
  'impersonation_registry',
  'domains',
  'sending_domain_restrictions',
] as const;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDatabase(): string {
  const directory = temporaryDirectory();
  cleanups.push(() => directory.remove());
  return `sqlite:${join(directory.path, 'mw.db')}`;
}

async function start(databaseUrl: string): Promise<ChildServer> {
  const server = await spawnServer({ DATABASE_URL: databaseUrl });
  cleanups.push(async () => {
    await server.stop('SIGKILL');
  });
  return server;
}

async function post(origin: string, resource: string, body: unknown, account = ACCOUNT_A): Promise<any> {
  const response = await request(origin, 'POST', settingsPath(resource, account), { body });
  expect(response.status, response.text).toBe(201);
  return response.body.result;
}

const policy = (i: number) => ({
  is_acceptable_sender: i % 2 === 0,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern: `user${i}@example.com`,
  pattern_type: 'EMAIL',
  verify_sender: true,
  comments: i === 1 ? 'unicode ✓ comment "quoted"' : null,
});

/** Creates records in every resource (two accounts), edits some, deletes the highest allow-policy id. */
async function populate(origin: string) {
  const policies = [];
  for (let i = 0; i < 4; i++) policies.push(await post(origin, 'allow_policies', policy(i)));
  await post(origin, 'allow_policies', policy(9), ACCOUNT_B);
  await post(origin, 'block_senders', { is_regex: false, pattern: '203.0.113.0/24', pattern_type: 'IP', comments: 'net' });
  await post(origin, 'block_senders', { is_regex: true, pattern: '.*@spam\\.example$', pattern_type: 'EMAIL' });
  await post(origin, 'trusted_domains', [
    { is_recent: true, is_regex: false, is_similarity: false, pattern: 'partner.example.com' },
    { is_recent: false, is_regex: false, is_similarity: true, pattern: 'partner.example.net', comments: 'x' },
  ]);
  await post(origin, 'impersonation_registry', { name: 'Chief Executive', email: 'ceo@example.com', is_email_regex: false });
  const domain = await post(origin, 'domains', {
    domain: 'protected.example',
    allowed_delivery_modes: ['DIRECT', 'BCC'],
    ip_restrictions: ['192.0.2.0/24'],
    lookback_hops: 3,
  });
  await post(origin, 'domains', { domain: 'second.example' }, ACCOUNT_B);
  await post(origin, 'sending_domain_restrictions', { domain: 'bank.example', exclude: ['news.bank.example'] });

  // An edit gives a record a last_modified different from its created_at.
  const patched = await request(origin, 'PATCH', settingsPath(`domains/${domain.id}`, ACCOUNT_A), {
    body: { lookback_hops: 7, require_tls_inbound: true },
  });
  expect(patched.status).toBe(200);
  expect(patched.body.result.last_modified).not.toBe(patched.body.result.created_at);

  // The highest allow-policy id is deleted before the restart: it must not be handed out again.
  const highest = policies[policies.length - 1];
  const deleted = await request(origin, 'DELETE', settingsPath(`allow_policies/${highest.id}`, ACCOUNT_A));
  expect(deleted.status).toBe(200);
  return { deletedPolicyId: highest.id as number };
}

/** The raw text of every list and every single-record GET: what "byte-identical" is compared on. */
async function snapshot(origin: string): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const account of [ACCOUNT_A, ACCOUNT_B]) {
    for (const resource of RESOURCES) {
      const list = await request(origin, 'GET', `${settingsPath(resource, account)}?per_page=1000`);
      expect(list.status).toBe(200);
      texts[`${account}/${resource}`] = list.text;
      for (const record of list.body.result) {
        const one = await request(origin, 'GET', settingsPath(`${resource}/${record.id}`, account));
        texts[`${account}/${resource}/${record.id}`] = one.text;
      }
    }
  }
  return texts;
}

async function maxIds(origin: string): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const resource of RESOURCES) {
    let max = 0;
    for (const account of [ACCOUNT_A, ACCOUNT_B]) {
      const list = await request(origin, 'GET', `${settingsPath(resource, account)}?per_page=1000`);
      for (const record of list.body.result) max = Math.max(max, record.id);
    }
    result[resource] = max;
  }
  return result;
}

describe('restart on the same database file', () => {
  it('SIGTERM exits 0; the restarted server serves byte-identical data; ids are never reused', async () => {
    const databaseUrl = tempDatabase();
    const first = await start(databaseUrl);
    const { deletedPolicyId } = await populate(first.origin);
    const before = await snapshot(first.origin);
    const idsBefore = await maxIds(first.origin);
    // 4 policies were created in account A (+1 in B) and the last of A's was deleted.
    expect(JSON.parse(before[`${ACCOUNT_A}/allow_policies`]).result).toHaveLength(3);
    expect(Object.keys(before).length).toBeGreaterThan(12);

    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(databaseUrl);
    const after = await snapshot(second.origin);
    expect(after).toEqual(before);

    // Every resource hands out an id greater than every id it ever handed out before the restart.
    const highestCreatedPolicy = Math.max(deletedPolicyId, idsBefore.allow_policies);
    const fresh = await post(second.origin, 'allow_policies', policy(20));
    expect(fresh.id).toBeGreaterThan(highestCreatedPolicy);
    const freshSender = await post(second.origin, 'block_senders', { is_regex: false, pattern: 'new.example', pattern_type: 'DOMAIN' });
    expect(freshSender.id).toBeGreaterThan(idsBefore.block_senders);
    const freshTrusted = await post(second.origin, 'trusted_domains', {
      is_recent: true,
      is_regex: false,
      is_similarity: false,
      pattern: 'new.example',
    });
    expect(freshTrusted.id).toBeGreaterThan(idsBefore.trusted_domains);
    const freshEntry = await post(second.origin, 'impersonation_registry', {
      name: 'New',
      email: 'new@example.com',
      is_email_regex: false,
    });
    expect(freshEntry.id).toBeGreaterThan(idsBefore.impersonation_registry);
    const freshDomain = await post(second.origin, 'domains', { domain: 'third.example' });
    expect(freshDomain.id).toBeGreaterThan(idsBefore.domains);
    const freshRestriction = await post(second.origin, 'sending_domain_restrictions', { domain: 'x.example', exclude: [] });
    expect(freshRestriction.id).toBeGreaterThan(idsBefore.sending_domain_restrictions);

    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('the id of the deleted highest record is not reused after a restart', async () => {
    const databaseUrl = tempDatabase();
    const first = await start(databaseUrl);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await post(first.origin, 'block_senders', { is_regex: false, pattern: `s${i}.example`, pattern_type: 'DOMAIN' })).id);
    const highest = Math.max(...ids);
    const deleted = await request(first.origin, 'DELETE', settingsPath(`block_senders/${highest}`, ACCOUNT_A));
    expect(deleted.status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(databaseUrl);
    const next = await post(second.origin, 'block_senders', { is_regex: false, pattern: 'after.example', pattern_type: 'DOMAIN' });
    expect(next.id).toBeGreaterThan(highest);
    const gone = await request(second.origin, 'GET', settingsPath(`block_senders/${highest}`, ACCOUNT_A));
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0].code).toBe(1002);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('SIGTERM lets a request that is already in flight finish before exiting 0', async () => {
    const databaseUrl = tempDatabase();
    const first = await start(databaseUrl);
    // A large bulk create keeps the server busy while the signal arrives.
    const bulk = Array.from({ length: 500 }, (_, i) => ({
      is_recent: false,
      is_regex: false,
      is_similarity: false,
      pattern: `bulk${i}.example.com`,
    }));
    const inFlight = request(first.origin, 'POST', settingsPath('trusted_domains', ACCOUNT_A), { body: bulk });
    await new Promise((r) => setTimeout(r, 5));
    const exitCode = first.stop('SIGTERM');
    const response = await inFlight.catch((error) => ({ status: 0, body: undefined, text: String(error) }));
    expect(await exitCode).toBe(0);

    const second = await start(databaseUrl);
    const list = await request(second.origin, 'GET', `${settingsPath('trusted_domains', ACCOUNT_A)}?per_page=1000`);
    if (response.status === 201) {
      // Answered: every record is there.
      expect(list.body.result).toEqual((response as any).body.result);
    } else {
      // Not answered (the request had not reached the server): all or nothing.
      expect([0, 500]).toContain(list.body.result.length);
    }
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
