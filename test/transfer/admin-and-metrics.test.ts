/**
 * The `/_mailwarden/` routes (reset, snapshots that keep ids), MAILWARDEN_SEED_FILE at start, and
 * `GET /metrics` (valid Prometheus text whose counters move with traffic), on both stores.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ adminApi: true });
});
afterAll(async () => server?.close());

const block = (pattern: string) => ({ is_regex: false, pattern, pattern_type: 'DOMAIN' });

async function blocked(origin: string, account: string) {
  return (await request(origin, 'GET', `${settingsPath('block_senders', account)}?per_page=100`)).body.result as {
    id: number;
    pattern: string;
  }[];
}

describe('/_mailwarden/', () => {
  it('snapshot, change, restore: the settings come back with their ids; reset empties them and keeps tokens', async () => {
    const account = newAccount();
    const first = await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block('one.example') });
    await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block('two.example') });
    const before = await blocked(server.origin, account);

    const saved = await request(server.origin, 'POST', '/_mailwarden/snapshots', { body: { name: 'baseline' } });
    expect(saved.status, saved.text).toBe(201);
    expect(saved.body.result).toMatchObject({ name: 'baseline' });

    await request(server.origin, 'DELETE', `${settingsPath('block_senders', account)}/${first.body.result.id}`);
    await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block('three.example') });
    expect((await blocked(server.origin, account)).map((r) => r.pattern)).toEqual(['two.example', 'three.example']);

    const restored = await request(server.origin, 'POST', '/_mailwarden/snapshots/baseline/restore');
    expect(restored.status, restored.text).toBe(200);
    expect(await blocked(server.origin, account)).toEqual(before);
    const listed = await request(server.origin, 'GET', `${settingsPath('block_senders', account)}`);
    expect(listed.body.result_info.total_count).toBe(2);

    const snapshots = await request(server.origin, 'GET', '/_mailwarden/snapshots');
    expect(snapshots.body.result.map((s: { name: string }) => s.name)).toContain('baseline');

    const reset = await request(server.origin, 'POST', '/_mailwarden/reset');
    expect(reset.status, reset.text).toBe(200);
    expect(await blocked(server.origin, account)).toEqual([]);
    // The token still works: the request above and this one were authenticated.
    expect((await request(server.origin, 'GET', settingsPath('domains', account))).status).toBe(200);

    // A new record after a restore never reuses an id.
    const again = await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block('four.example') });
    expect(again.body.result.id).toBeGreaterThan(Math.max(...before.map((r) => r.id)));

    const missing = await request(server.origin, 'POST', '/_mailwarden/snapshots/nope/restore');
    expect(missing.status).toBe(404);
    const badBody = await request(server.origin, 'POST', '/_mailwarden/reset', { body: { accounts: ['not-an-account'] } });
    expect(badBody.status).toBe(400);
  });

  it('is absent unless MAILWARDEN_ADMIN_API is on', async () => {
    const plain = await startServer();
    try {
      expect((await request(plain.origin, 'POST', '/_mailwarden/reset')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('MAILWARDEN_SEED_FILE', () => {
  it('leaves a store that has settings alone', async () => {
    const directory = temporaryDirectory();
    const account = newAccount();
    await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block('already.example') });
    const file = join(directory.path, 'seed.json');
    writeFileSync(file, JSON.stringify({ account_id: account, block_senders: [block('seeded.example')] }));
    const second = await startServer({ databaseUrl: server.databaseUrl, seedFile: file });
    try {
      expect((await blocked(second.origin, account)).map((r) => r.pattern)).toEqual(['already.example']);
    } finally {
      await second.close();
      directory.remove();
    }
  });

  it('imports an export file of several accounts into an empty store at start', async () => {
    const directory = temporaryDirectory();
    const [a, b] = [newAccount(), newAccount()];
    const file = join(directory.path, 'seed.json');
    writeFileSync(
      file,
      JSON.stringify({
        accounts: [
          { account_id: a, block_senders: [block('seeded-a.example')] },
          { account_id: b, trusted_domains: [{ pattern: 'seeded-b.example', is_recent: true, is_similarity: false, is_regex: false }] },
        ],
      }),
    );
    const seeded = await startServer({ seedFile: file });
    try {
      expect((await blocked(seeded.origin, a)).map((r) => r.pattern)).toEqual(['seeded-a.example']);
      const trusted = await request(seeded.origin, 'GET', settingsPath('trusted_domains', b));
      expect(trusted.body.result.map((r: { pattern: string }) => r.pattern)).toEqual(['seeded-b.example']);
    } finally {
      await seeded.close();
      directory.remove();
    }
  });
});

/** A strict reading of the Prometheus text format: every line a comment, or `name{labels} value`. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const match = sample.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1] + (match[2] ?? ''), Number(match[3]));
  }
  return samples;
}

describe('GET /metrics', () => {
  it('needs a credential, parses as Prometheus text, and its counters move with traffic', async () => {
    expect((await request(server.origin, 'GET', '/metrics', { anonymous: true })).status).toBe(400);
    const account = newAccount();
    const read = async () => {
      const response = await request(server.origin, 'GET', '/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return parsePrometheus(response.text);
    };
    const route = '/client/v4/accounts/:account_id/email-security/settings/block_senders';
    const key = `mailwarden_http_requests_total{route="${route}",method="POST",status="201"}`;
    const evaluations = 'mailwarden_evaluations_total{disposition="MALICIOUS",action="deliver"}';
    const before = await read();
    for (const pattern of ['m1.example', 'm2.example', 'm3.example']) {
      await request(server.origin, 'POST', settingsPath('block_senders', account), { body: block(pattern) });
    }
    const evaluated = await request(server.origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
      body: { messages: [{ from: 'x@m1.example', recipients: ['a@example.com'] }] },
    });
    expect(evaluated.body.result[0]).toMatchObject({ disposition: 'MALICIOUS', action: 'deliver' });
    const after = await read();
    expect((after.get(key) ?? 0) - (before.get(key) ?? 0)).toBe(3);
    expect((after.get(evaluations) ?? 0) - (before.get(evaluations) ?? 0)).toBe(1);
    expect(
      after.get('mailwarden_compiled_settings_compiles_total')! - (before.get('mailwarden_compiled_settings_compiles_total') ?? 0),
    ).toBeGreaterThanOrEqual(1);
    expect([...after.keys()].some((name) => name.startsWith('mailwarden_http_request_duration_seconds_bucket'))).toBe(true);
    expect(after.has('process_cpu_user_seconds_total')).toBe(true);
    expect(after.has('mailwarden_db_pool_waiting')).toBe(true);
  });

  it('counts rate-limit rejections, and is public with MAILWARDEN_METRICS_PUBLIC', async () => {
    const limited = await startServer({ rateLimit: 2, rateLimitWindowSeconds: 60, metricsPublic: true });
    try {
      const account = newAccount();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(limited.origin, 'GET', settingsPath('domains', account))).status);
      expect(statuses).toContain(429);
      const scraped = await request(limited.origin, 'GET', '/metrics', { anonymous: true });
      expect(scraped.status).toBe(200);
      const samples = parsePrometheus(scraped.text);
      const route = '/client/v4/accounts/:account_id/email-security/settings/domains';
      expect(samples.get(`mailwarden_rate_limit_rejections_total{route="${route}"}`)).toBeGreaterThanOrEqual(
        statuses.filter((s) => s === 429).length,
      );
    } finally {
      await limited.close();
    }
  });
});
