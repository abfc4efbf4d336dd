/**
 * The evaluate endpoint end to end: verdicts follow the stored settings, every kind of write is seen
 * by the very next evaluation (applied to the compiled settings in place on commit, without compiling
 * again), and bad input is a 400.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const freshAccount = () => randomBytes(16).toString('hex');
const evaluatePath = (account: string, prefix = '/client/v4') => `${prefix}/accounts/${account}/email-security/evaluate`;

const phish = { id: 'm1', from: 'boss@evil.example', from_name: 'Eve', recipients: ['ceo@corp.example'] };

async function verdictOf(account: string, message: object = phish) {
  const response = await request(server.origin, 'POST', evaluatePath(account), { body: { messages: [message] } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.result[0];
}

async function create(account: string, resource: string, body: object) {
  const response = await request(server.origin, 'POST', settingsPath(resource, account), { body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.result;
}

const blocked = { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' };

describe('POST /accounts/{id}/email-security/evaluate', () => {
  it('answers one verdict per message, in order, echoing ids, with the shape of the contract', async () => {
    const account = freshAccount();
    await create(account, 'block_senders', blocked);
    const response = await request(server.origin, 'POST', evaluatePath(account), {
      body: { messages: [phish, { from: 'friend@good.example', recipients: ['a@corp.example', 'b@corp.example'] }] },
    });
    expect(response.status).toBe(200);
    expect(response.body.success).toBe(true);
    const [first, second] = response.body.result;
    expect(first).toMatchObject({ id: 'm1', disposition: 'MALICIOUS', action: 'deliver' });
    expect(first.matches).toContainEqual(
      expect.objectContaining({ resource: 'block_senders', field: 'from', pattern: 'evil.example', effect: 'block' }),
    );
    expect(first.explanation.join(' ')).toMatch(/blocked sender/i);
    expect(second.disposition).toBe('NONE');
    expect(second.recipients.map((r: { address: string }) => r.address)).toEqual(['a@corp.example', 'b@corp.example']);
  });

  it('is served under the /accounts alias too, and needs only read permission', async () => {
    const account = freshAccount();
    const response = await request(server.origin, 'POST', evaluatePath(account, ''), { body: { messages: [phish] } });
    expect(response.status).toBe(200);
  });

  it('reads one raw message sent as message/rfc822, as the CLI reads an .eml, and explains what it ignored', async () => {
    const account = freshAccount();
    await create(account, 'block_senders', blocked);
    const eml = [
      'Authentication-Results: mx.vendor.example; spf=pass smtp.mailfrom=evil.example',
      'From: Eve <boss@evil.example>',
      'To: ceo@corp.example, ap@corp.example',
      'Message-ID: <raw-1@evil.example>',
      'Subject: invoice',
      '',
      'Pay now.',
      '',
    ].join('\r\n');
    const response = await request(server.origin, 'POST', evaluatePath(account), {
      rawBody: eml,
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(response.status, response.text).toBe(200);
    const [verdict] = response.body.result;
    expect(verdict).toMatchObject({ id: '<raw-1@evil.example>', disposition: 'MALICIOUS' });
    expect(verdict.recipients.map((recipient: { address: string }) => recipient.address)).toEqual(['ceo@corp.example', 'ap@corp.example']);
    expect(verdict.explanation.join(' ')).toMatch(/mx\.vendor\.example ignored/);

    const noFrom = await request(server.origin, 'POST', evaluatePath(account), {
      rawBody: 'To: ceo@corp.example\r\n\r\nhello\r\n',
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body.errors[0]).toMatchObject({ code: 1001, source: { pointer: '/from' } });
  });

  it('believes an .eml’s Authentication-Results only from the authserv-ids the caller names with ?trusted_authserv_id=', async () => {
    const account = freshAccount();
    await create(account, 'allow_policies', {
      is_regex: false,
      pattern: 'vendor.example',
      pattern_type: 'DOMAIN',
      is_trusted_sender: true,
      is_acceptable_sender: false,
      is_exempt_recipient: false,
      verify_sender: true,
    });
    const eml = [
      'Authentication-Results: mx.vendor.example; spf=pass smtp.mailfrom=vendor.example; dkim=pass header.d=vendor.example; dmarc=pass header.from=vendor.example',
      'From: Vendor Billing <billing@vendor.example>',
      'To: ap@corp.example',
      'Subject: New bank details',
      '',
      'Please pay to the new account.',
      '',
    ].join('\r\n');
    const evaluate = (query: string) =>
      request(server.origin, 'POST', evaluatePath(account) + query, { rawBody: eml, headers: { 'content-type': 'message/rfc822' } });
    const effects = (verdict: { matches: { effect: string }[] }) => verdict.matches.map((match) => match.effect);

    const unnamed = await evaluate('');
    expect(unnamed.status, unnamed.text).toBe(200);
    expect(effects(unnamed.body.result[0]), 'verify_sender on a header nobody vouched for').toEqual(['trusted_sender_not_honoured']);
    expect(unnamed.body.result[0].explanation.join(' ')).toMatch(/mx\.vendor\.example ignored/);

    const named = await evaluate('?trusted_authserv_id=mx.other.example&trusted_authserv_id=mx.vendor.example');
    expect(named.status, named.text).toBe(200);
    expect(effects(named.body.result[0]), 'verify_sender with the authserv-id named').toEqual(['trusted_sender']);
    expect(named.body.result[0].explanation.join(' ')).not.toMatch(/ignored/);

    const bad = await evaluate('?trusted_authserv_id=' + encodeURIComponent('mx.vendor.example; spf=pass'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 1001, source: { pointer: '/trusted_authserv_id' } });

    const json = await request(server.origin, 'POST', evaluatePath(account) + '?trusted_authserv_id=mx.vendor.example', {
      body: { messages: [phish] },
    });
    expect(json.status, 'the option on a JSON request, where it means nothing').toBe(400);
    expect(json.body.errors[0].source).toEqual({ pointer: '/trusted_authserv_id' });
  });

  it('only applies the account’s own settings', async () => {
    const account = freshAccount();
    await create(account, 'block_senders', blocked);
    expect((await verdictOf(account)).disposition).toBe('MALICIOUS');
    expect((await verdictOf(freshAccount())).disposition).toBe('NONE');
  });
});

describe('every kind of write is seen by the next evaluation', () => {
  // Each test here uses accounts of its own; every write is applied to the compiled settings in place.
  const accounts: string[] = [];
  const newAccount = () => {
    accounts.push(freshAccount());
    return accounts[accounts.length - 1];
  };
  let before: ReturnType<TestServer['app']['compiledSettings']['stats']>;
  beforeAll(() => {
    before = server.app.compiledSettings.stats();
  });

  it('create, patch and delete of a blocked sender', async () => {
    const account = newAccount();
    expect((await verdictOf(account)).disposition).toBe('NONE');
    const sender = await create(account, 'block_senders', blocked);
    expect((await verdictOf(account)).disposition).toBe('MALICIOUS');
    await request(server.origin, 'PATCH', settingsPath(`block_senders/${sender.id}`, account), { body: { pattern: 'other.example' } });
    expect((await verdictOf(account)).disposition).toBe('NONE');
    await request(server.origin, 'PATCH', settingsPath(`block_senders/${sender.id}`, account), { body: { pattern: 'evil.example' } });
    expect((await verdictOf(account)).disposition).toBe('MALICIOUS');
    await request(server.origin, 'DELETE', settingsPath(`block_senders/${sender.id}`, account));
    expect((await verdictOf(account)).disposition).toBe('NONE');
  });

  it('batch posts and batch deletes', async () => {
    const account = newAccount();
    const posted = await request(server.origin, 'POST', settingsPath('block_senders/batch', account), {
      body: { deletes: [], patches: [], puts: [], posts: [blocked] },
    });
    expect(posted.status).toBe(200);
    expect((await verdictOf(account)).disposition).toBe('MALICIOUS');
    await request(server.origin, 'POST', settingsPath('block_senders/batch', account), {
      body: { deletes: [{ id: posted.body.result.posts[0].id }], patches: [], puts: [], posts: [] },
    });
    expect((await verdictOf(account)).disposition).toBe('NONE');
  });

  it('an allow policy trusting the sender, added after a block, does not beat the block; removing the block leaves NONE', async () => {
    const account = newAccount();
    const sender = await create(account, 'block_senders', blocked);
    await create(account, 'allow_policies', {
      is_acceptable_sender: false,
      is_exempt_recipient: false,
      is_regex: false,
      is_trusted_sender: true,
      pattern: 'boss@evil.example',
      pattern_type: 'EMAIL',
      verify_sender: false,
    });
    expect((await verdictOf(account)).disposition).toBe('MALICIOUS');
    await request(server.origin, 'DELETE', settingsPath(`block_senders/${sender.id}`, account));
    const verdict = await verdictOf(account, { ...phish, detections: ['SPAM'] });
    expect(verdict.disposition).toBe('NONE');
    expect(verdict.matches.map((m: { effect: string }) => m.effect)).toContain('trusted_sender');
  });

  it('impersonation registry entries and their edits', async () => {
    const account = newAccount();
    const message = { from: 'ceo.lookalike@evil.example', from_name: 'Dana Boss', recipients: ['staff@corp.example'] };
    expect((await verdictOf(account, message)).disposition).toBe('NONE');
    const entry = await create(account, 'impersonation_registry', { name: 'Dana Boss', email: 'dana@corp.example', is_email_regex: false });
    expect((await verdictOf(account, message)).disposition).toBe('MALICIOUS-BEC');
    await request(server.origin, 'PATCH', settingsPath(`impersonation_registry/${entry.id}`, account), {
      body: { email: 'ceo.lookalike@evil.example' },
    });
    expect((await verdictOf(account, message)).disposition).toBe('NONE');
  });

  it('protected domains (drop dispositions) and trusted domains', async () => {
    const account = newAccount();
    await create(account, 'block_senders', blocked);
    expect((await verdictOf(account)).action).toBe('deliver');
    const domain = await create(account, 'domains', { domain: 'corp.example', drop_dispositions: ['MALICIOUS'] });
    expect((await verdictOf(account)).action).toBe('drop');
    await request(server.origin, 'PATCH', settingsPath(`domains/${domain.id}`, account), { body: { drop_dispositions: [] } });
    expect((await verdictOf(account)).action).toBe('deliver');
    await request(server.origin, 'DELETE', settingsPath('domains', account), { body: [{ id: domain.id }] });

    const young = { from: 'a@new.example', recipients: ['b@corp.example'], sender_domain_age_days: 2 };
    expect((await verdictOf(account, young)).disposition).toBe('MALICIOUS');
    await create(account, 'trusted_domains', [{ is_recent: true, is_regex: false, is_similarity: false, pattern: 'new.example' }]);
    expect((await verdictOf(account, young)).disposition).toBe('NONE');
  });

  it('sending domain restrictions', async () => {
    const account = newAccount();
    const plain = { from: 'billing@partner.example', recipients: ['ap@corp.example'], tls: false };
    expect((await verdictOf(account, plain)).action).toBe('deliver');
    const restriction = await create(account, 'sending_domain_restrictions', { domain: 'partner.example', exclude: [] });
    expect((await verdictOf(account, plain)).action).toBe('drop');
    await request(server.origin, 'POST', settingsPath('sending_domain_restrictions/batch', account), {
      body: { deletes: [{ id: restriction.id }] },
    });
    expect((await verdictOf(account, plain)).action).toBe('deliver');
  });

  it('compiled each account once: every write above changed its compiled settings in place', () => {
    const after = server.app.compiledSettings.stats();
    expect(after.compiles - before.compiles).toBe(accounts.length);
    expect(after.writesDropped - before.writesDropped).toBe(0);
    expect(after.changesApplied - before.changesApplied).toBeGreaterThanOrEqual(12);
  });
});

describe('bad input is a 400 in the error envelope', () => {
  const account = freshAccount();
  const cases: [string, unknown, string][] = [
    ['no messages', { messages: [] }, '/messages'],
    ['1001 messages', { messages: Array.from({ length: 1001 }, () => phish) }, '/messages'],
    ['a message without recipients', { messages: [{ from: 'a@b.example', recipients: [] }] }, '/messages/0/recipients'],
    ['a message without from', { messages: [{ recipients: ['a@b.example'] }] }, '/messages/0/from'],
    ['a malformed address', { messages: [{ from: 'not an address', recipients: ['a@b.example'] }] }, '/messages/0/from'],
    ['a malformed recipient', { messages: [{ from: 'a@b.example', recipients: ['nope'] }] }, '/messages/0/recipients/0'],
    [
      'a malformed IP',
      { messages: [{ from: 'a@b.example', recipients: ['c@d.example'], sending_ip: '300.1.1.1' }] },
      '/messages/0/sending_ip',
    ],
    [
      'an unknown disposition',
      { messages: [{ from: 'a@b.example', recipients: ['c@d.example'], detections: ['EVIL'] }] },
      '/messages/0/detections/0',
    ],
    [
      'an unknown authentication result',
      { messages: [{ from: 'a@b.example', recipients: ['c@d.example'], authentication: { spf: 'maybe' } }] },
      '/messages/0/authentication/spf',
    ],
    ['a body that is not an object', [phish], ''],
  ];
  it.each(cases)('%s', async (_name, body, pointer) => {
    const response = await request(server.origin, 'POST', evaluatePath(account), { body });
    expect(response.status).toBe(400);
    expect(response.body.success).toBe(false);
    expect(response.body.result).toBeNull();
    expect(response.body.errors[0].code).toBe(1001);
    expect(response.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).toContain(pointer);
  });
});
