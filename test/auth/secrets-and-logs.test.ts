/**
 * Secrets are not stored or logged in clear: the database holds no token secret (raw file bytes
 * and WAL on SQLite, every table's rows on any store), and the built server's JSON request logs carry the
 * token id and the request id echoed as `cf-ray`, never secrets, credentials or bodies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { spawnServer, startServer, temporaryDirectory, TEST_TOKEN, type ChildServer, type TestServer } from '../helpers/server.js';
import { cliCreateToken } from '../cli/run-cli.js';
import { bearer, createToken, databaseUrlOf, globalKey, ON_POSTGRES } from './support.js';

/** Every row of every table of the store, as text. */
async function dumpEveryTable(databaseUrl: string): Promise<string> {
  const database = await openDatabase(databaseUrl);
  try {
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['api_tokens', 'audit_log']));
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await database.db.selectFrom(table.name).selectAll().execute();
      parts.push(`${table.name}: ${JSON.stringify(rows)}`);
    }
    return parts.join('\n');
  } finally {
    await database.close();
  }
}

/** The secret as text, and the random bytes it encodes (in case they were stored raw). */
function forms(secret: string): Buffer[] {
  const forms = [Buffer.from(secret, 'utf8')];
  if (/^[A-Za-z0-9_-]+$/.test(secret)) forms.push(Buffer.from(secret, 'base64url'));
  return forms;
}

describe('the database', () => {
  let server: TestServer;
  const account = newAccount();
  const secrets: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const url = databaseUrlOf(server);
    const viaCli = await cliCreateToken(url, ['--name', 'cli token', '--email', 'cli@example.com']);
    const viaStore = await createToken(server, { name: 'store token', accounts: [account] });
    const readOnly = await createToken(server, { name: 'read-only token', readOnly: true });
    secrets.push(viaCli.secret, viaStore.secret, readOnly.secret, TEST_TOKEN);

    // Use every credential: reads, writes (audit entries), failures.
    const path = settingsPath('block_senders', account);
    const body = { is_regex: false, pattern: 'stored.example', pattern_type: 'DOMAIN' };
    const created = await request(server.origin, 'POST', path, { body, headers: bearer(viaStore.secret) });
    expect(created.status).toBe(201);
    const patched = await request(server.origin, 'PATCH', `${path}/${created.body.result.id}`, {
      body: { comments: 'patched' },
      headers: globalKey('cli@example.com', viaCli.secret),
    });
    expect(patched.status).toBe(200);
    expect((await request(server.origin, 'GET', path, { headers: bearer(readOnly.secret) })).status).toBe(200);
    expect((await request(server.origin, 'POST', path, { body, headers: bearer(readOnly.secret) })).status).toBe(403);
    expect((await request(server.origin, 'DELETE', `${path}/${created.body.result.id}`)).status).toBe(200);
  });
  afterAll(() => server?.close());

  it('holds no secret in any table (tokens, audit log, settings)', async () => {
    const dump = await dumpEveryTable(databaseUrlOf(server));
    expect(dump).toContain('store token'); // the dump does see the tokens
    for (const secret of secrets) {
      expect(dump.includes(secret), 'secret found in a table').toBe(false);
      expect(dump.includes(Buffer.from(secret, 'base64url').toString('hex')), 'secret bytes (hex) found in a table').toBe(false);
    }
  });

  it.skipIf(ON_POSTGRES)('holds no secret anywhere in the SQLite file or its WAL, as text or as raw bytes', () => {
    const files = [server.databaseFile, `${server.databaseFile}-wal`].filter((file) => existsSync(file));
    expect(files).toContain(server.databaseFile);
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.includes(Buffer.from('store token')), 'the token names are in the files').toBe(true);
    for (const secret of secrets) {
      for (const form of forms(secret)) expect(bytes.includes(form), `a form of a secret is in the database files`).toBe(false);
    }
  });
});

// Process-level behaviour of the built server, run once (on the SQLite half): logs go to its stdout/stderr.
describe.skipIf(ON_POSTGRES)('the request log of the built server (LOG_LEVEL=info)', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  const account = newAccount();
  const MARKER = 'body-marker-5b1f0c7e';
  let child: ChildServer;
  let token: Awaited<ReturnType<typeof createToken>>;
  const calls: { what: string; cfRay: string; tokenId: string | null; status: number }[] = [];

  function logLines(): any[] {
    return child
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }

  beforeAll(async () => {
    directory = temporaryDirectory();
    const databaseUrl = `sqlite:${join(directory.path, 'mw.db')}`;
    token = await createToken(databaseUrl, { name: 'logged token', email: 'logged@example.com' });
    child = await spawnServer({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' });
    const path = settingsPath('block_senders', account);
    const body = { is_regex: false, pattern: 'logged.example', pattern_type: 'DOMAIN', comments: MARKER };
    const record = (what: string, tokenId: string | null, response: Awaited<ReturnType<typeof request>>) => {
      calls.push({ what, cfRay: response.headers.get('cf-ray') ?? '', tokenId, status: response.status });
    };
    record('bearer read', token.token.id, await request(child.origin, 'GET', path, { headers: bearer(token.secret) }));
    record('bearer write', token.token.id, await request(child.origin, 'POST', path, { body, headers: bearer(token.secret) }));
    record(
      'global key read',
      token.token.id,
      await request(child.origin, 'GET', path, { headers: globalKey('logged@example.com', token.secret) }),
    );
    record('bootstrap read', 'bootstrap', await request(child.origin, 'GET', path));
    record('wrong bearer', null, await request(child.origin, 'GET', path, { headers: bearer(`${token.secret}wrong`) }));
    record(
      'wrong global key',
      null,
      await request(child.origin, 'GET', path, { headers: globalKey('logged@example.com', `${token.secret}wrong`) }),
    );
    // Wait until the last request's log line is out.
    const lastId = calls[calls.length - 1].cfRay.replace(/-MW$/, '');
    const deadline = Date.now() + 5000;
    while (!logLines().some((line) => line.reqId === lastId && line.res) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await child?.stop('SIGTERM');
    directory?.remove();
  });

  it('answered as expected (the requests under test really happened)', () => {
    expect(calls.map((c) => c.status)).toEqual([200, 201, 200, 200, 403, 403]);
  });

  it('echoes a request id on every response as `cf-ray: <reqId>-MW`, distinct per request', () => {
    for (const call of calls) expect(call.cfRay, call.what).toMatch(/^[0-9a-zA-Z]+-MW$/);
    expect(new Set(calls.map((c) => c.cfRay)).size).toBe(calls.length);
  });

  it('logs each request as JSON with the reqId of its cf-ray header and the token id that made it', () => {
    const lines = logLines();
    for (const call of calls) {
      const reqId = call.cfRay.replace(/-MW$/, '');
      const ofRequest = lines.filter((line) => line.reqId === reqId);
      expect(ofRequest.length, `${call.what}: no log line with reqId ${reqId}`).toBeGreaterThan(0);
      expect(
        ofRequest.some((line) => line.res?.statusCode === call.status),
        `${call.what}: completion line`,
      ).toBe(true);
      if (call.tokenId !== null) {
        expect(
          ofRequest.some((line) => line.tokenId === call.tokenId),
          `${call.what}: no line of request ${reqId} has tokenId ${call.tokenId}`,
        ).toBe(true);
      }
    }
  });

  it('logs neither a secret, the bootstrap token, a wrong credential, nor a request body', () => {
    const output = child.output();
    expect(output.length).toBeGreaterThan(0);
    expect(output.includes(token.secret), 'token secret in logs').toBe(false);
    expect(output.includes(TEST_TOKEN), 'bootstrap token in logs').toBe(false);
    expect(output.includes(`${token.secret}wrong`), 'wrong credential in logs').toBe(false);
    expect(output.includes(MARKER), 'request body in logs').toBe(false);
    expect(output).not.toMatch(/Bearer /);
  });

  it('does not warn about open mode while enforced', () => {
    expect(child.output()).not.toContain('MAILWARDEN_AUTH=open');
  });
});

describe.skipIf(ON_POSTGRES)('the built server in open mode (MAILWARDEN_AUTH=open)', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  let child: ChildServer;

  beforeAll(async () => {
    directory = temporaryDirectory();
    child = await spawnServer({ DATABASE_URL: `sqlite:${join(directory.path, 'mw.db')}`, MAILWARDEN_AUTH: 'open', LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await child?.stop('SIGTERM');
    directory?.remove();
  });

  it('warns loudly at start (a warn-level or worse line naming MAILWARDEN_AUTH=open)', () => {
    const warnings = child
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.level >= 40 && /MAILWARDEN_AUTH=open/.test(String(line.msg)));
    expect(warnings.length, child.output()).toBeGreaterThan(0);
  });

  it('accepts a fixed fake bearer token and a fake key/email pair', async () => {
    const path = settingsPath('domains', newAccount());
    expect((await request(child.origin, 'GET', path, { headers: bearer('Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY') })).status).toBe(200);
    expect(
      (await request(child.origin, 'GET', path, { headers: globalKey('user@example.com', '144c9defac04969c7bfad8efaa8ea194') })).status,
    ).toBe(200);
    expect((await request(child.origin, 'GET', path, { anonymous: true })).status).toBe(400);
  });
});
