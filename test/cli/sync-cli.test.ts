/**
 * `mailwarden pull` and `push` between two real mailwarden servers (on the store of this run): a pull
 * makes the local store equal to the remote, a second pull changes nothing; push the other way.
 */
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
import { runCli } from './run-cli.js';

let remote: TestServer;
let local: TestServer;
const account = newAccount();
const RESOURCES = [
  'allow_policies',
  'block_senders',
  'domains',
  'impersonation_registry',
  'sending_domain_restrictions',
  'trusted_domains',
];

beforeAll(async () => {
  [remote, local] = await Promise.all([startServer(), startServer()]);
  const bodies: [string, object][] = [
    [
      'allow_policies',
      {
        is_acceptable_sender: false,
        is_exempt_recipient: true,
        is_regex: false,
        is_trusted_sender: false,
        pattern: 'ap@example.com',
        pattern_type: 'EMAIL',
        verify_sender: false,
      },
    ],
    ['domains', { domain: 'example.com', regions: ['US'] }],
    ['impersonation_registry', { name: 'Jane Doe', email: 'jane@example.com', is_email_regex: false }],
    ['sending_domain_restrictions', { domain: 'bank.example', exclude: [] }],
    ['trusted_domains', { is_recent: true, is_similarity: true, is_regex: false, pattern: 'partner.example' }],
  ];
  for (let i = 0; i < 30; i++) bodies.push(['block_senders', { is_regex: false, pattern: `spam${i}.example`, pattern_type: 'DOMAIN' }]);
  for (const [resource, body] of bodies) {
    const response = await request(remote.origin, 'POST', settingsPath(resource, account), { body });
    expect(response.status, response.text).toBe(201);
  }
});
afterAll(async () => Promise.all([remote?.close(), local?.close()]));

async function settingsOf(server: TestServer) {
  const all: Record<string, unknown[]> = {};
  for (const resource of RESOURCES) {
    const response = await request(server.origin, 'GET', `${settingsPath(resource, account)}?per_page=1000`);
    all[resource] = response.body.result.map(
      ({ id: _i, created_at: _c, last_modified: _l, modified_at: _m, ...rest }: Record<string, unknown>) => rest,
    );
  }
  return all;
}

const sync = (command: 'pull' | 'push', server: TestServer, ...extra: string[]) =>
  runCli(
    [
      command,
      command === 'pull' ? '--from' : '--to',
      `${server.origin}/client/v4`,
      '--account',
      account,
      '--token',
      TEST_TOKEN,
      '--json',
      ...extra,
    ],
    local.databaseUrl,
  );

/**
 * A front for a real server that answers at most `max` records a page however many are asked for, as
 * Cloudflare may: requests go through with `per_page` lowered to `max`, answers come back untouched.
 */
async function perPageCap(target: TestServer, max: number): Promise<{ origin: string; close(): Promise<void> }> {
  const front = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url!, target.origin);
    if (Number(url.searchParams.get('per_page')) > max) url.searchParams.set('per_page', String(max));
    const sent = forward(url, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(outgoing);
    });
    sent.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(sent);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        front.closeAllConnections();
        front.close(() => resolve());
      }),
  };
}

describe('pull and push', () => {
  it('pull converges and a second pull is a no-op', async () => {
    const dry = await sync('pull', remote, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).counts.create).toBe(35);
    expect(Object.values(await settingsOf(local)).flat()).toEqual([]);

    const first = await sync('pull', remote);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).counts).toEqual({ create: 35, update: 0, delete: 0, unchanged: 0 });
    expect(await settingsOf(local)).toEqual(await settingsOf(remote));

    const second = await sync('pull', remote);
    expect(JSON.parse(second.stdout).counts).toEqual({ create: 0, update: 0, delete: 0, unchanged: 35 });
  });

  it('push makes the remote match the local store (replace), and a second push is a no-op', async () => {
    await request(local.origin, 'POST', settingsPath('block_senders', account), {
      body: { is_regex: false, pattern: 'local-only.example', pattern_type: 'DOMAIN' },
    });
    const list = await request(local.origin, 'GET', `${settingsPath('trusted_domains', account)}`);
    await request(local.origin, 'DELETE', `${settingsPath('trusted_domains', account)}/${list.body.result[0].id}`);
    const domains = await request(local.origin, 'GET', `${settingsPath('domains', account)}`);
    await request(local.origin, 'PATCH', `${settingsPath('domains', account)}/${domains.body.result[0].id}`, {
      body: { lookback_hops: 3 },
    });

    const pushed = await sync('push', remote, '--replace');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout).counts).toMatchObject({ create: 1, update: 1, delete: 1 });
    expect(await settingsOf(remote)).toEqual(await settingsOf(local));

    const again = await sync('push', remote, '--replace');
    expect(JSON.parse(again.stdout).counts).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('reads every page when the remote answers fewer records a page than pull asks for', async () => {
    // 30 or more block senders, 7 a page: every page is short of the 1000 asked for.
    const capped = await perPageCap(remote, 7);
    const fresh = await startServer();
    try {
      const result = await runCli(
        ['pull', '--from', `${capped.origin}/client/v4`, '--account', account, '--token', TEST_TOKEN, '--json'],
        fresh.databaseUrl,
      );
      expect(result.code, result.stderr).toBe(0);
      const remoteSettings = await settingsOf(remote);
      expect(remoteSettings.block_senders.length).toBeGreaterThanOrEqual(30);
      expect(JSON.parse(result.stdout).collections.block_senders.counts.create).toBe(remoteSettings.block_senders.length);
      expect(await settingsOf(fresh)).toEqual(remoteSettings);
    } finally {
      await Promise.all([capped.close(), fresh.close()]);
    }
  });

  it("waits out the remote's rate limit instead of failing", async () => {
    const limited = await startServer({ rateLimit: 3, rateLimitWindowSeconds: 2 });
    try {
      // Six collections to read, three requests per two seconds: the pull must wait for the window.
      const result = await sync('pull', limited, '--dry-run');
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).counts).toMatchObject({ create: 0 });
    } finally {
      await limited.close();
    }
  });
});
