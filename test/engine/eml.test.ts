/** Reading messages from raw RFC 5322 files (mailparser) and from JSON. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, messageFromEml, messageFromJson, readEml, trustedAuthenticationResults } from '../../src/engine/index.js';
import { authservId, parseAuthenticationResults } from '../../src/engine/message/authentication-results.js';
import { allow, displayName, domain, settings, verdictOf } from './helpers.js';

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));
/** The fixtures' receiving server. */
const trusted = { trustedAuthservIds: ['mx.example.com'] };

describe('messageFromEml', () => {
  it('reads From, display name, Reply-To, recipients, Return-Path, authentication, IP, HELO and TLS', async () => {
    expect(await messageFromEml(await fixture('simple.eml'), {}, trusted)).toEqual({
      id: '<20261126080000.1@partner.example>',
      envelope_from: 'bounce+123@mailer.partner.example',
      from: 'jane.doe@partner.example',
      from_name: 'Jane Doe',
      reply_to: 'billing@partner.example',
      recipients: ['alice@example.com', 'bob@example.com', 'carol@example.com'],
      sending_ip: '198.51.100.7',
      helo: 'mx.partner.example',
      tls: true,
      authentication: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
    });
  });

  it('decodes encoded display names and falls back to Received-SPF', async () => {
    const message = await messageFromEml((await fixture('encoded-name.eml')).toString('utf8'), {}, trusted);
    expect(message).toMatchObject({
      from: 'ceo@exаmple.com', // mailparser decodes the punycode domain; the engine reads either form
      from_name: 'Jаne Dое',
      recipients: ['finance@example.com'],
      sending_ip: '203.0.113.9',
      helo: 'smtp.evil.example',
      tls: false,
      authentication: { spf: 'fail' },
    });
    // Evaluated: a lookalike of the protected domain, and a registered name from another address.
    const account = settings({ domains: [domain('example.com')], impersonation_registry: [displayName('Jane Doe', 'jane@example.com')] });
    const verdict = verdictOf(account, message);
    expect(verdict.disposition).toBe('MALICIOUS-BEC');
    expect(verdict.matches.map((m) => m.effect)).toEqual(['impersonation', 'lookalike']);
  });

  it('takes the topmost Authentication-Results, ignores comments, and passes DKIM if any signature passes', async () => {
    const message = await messageFromEml(await fixture('dmarc-fail.eml'), {}, trusted);
    expect(message).toMatchObject({
      from: 'alerts@bank.example',
      from_name: 'Bank',
      recipients: ['alice@example.com'], // from Delivered-To
      sending_ip: '2001:db8::25',
      tls: false,
      authentication: { spf: 'fail', dkim: 'pass', dmarc: 'fail' },
    });
    // DKIM passed, so a verify_sender policy is honoured, yet DMARC failed: SPOOF unless trusted.
    const policy = allow('bank.example', 'DOMAIN', { is_trusted_sender: true, verify_sender: true });
    expect(verdictOf(settings({ allow_policies: [policy] }), message).disposition).toBe('NONE');
    expect(verdictOf(settings(), message).disposition).toBe('SPOOF');
  });

  it('rejects a message without recipients unless the caller supplies them', async () => {
    const source = await fixture('no-recipients.eml');
    await expect(messageFromEml(source)).rejects.toThrow(InvalidMessageError);
    await expect(messageFromEml(source)).rejects.toThrow('/recipients: recipients must have at least 1 item');
    expect(await messageFromEml(source, { recipients: ['me@example.com'] })).toEqual({
      from: 'nobody@sender.example',
      recipients: ['me@example.com'],
    });
  });
});

describe('parseAuthenticationResults', () => {
  it('maps results to pass, fail or none', () => {
    expect(parseAuthenticationResults('mx; spf=neutral; dkim=none; dmarc=bestguesspass')).toEqual({
      spf: 'none',
      dkim: 'none',
      dmarc: 'none',
    });
    expect(parseAuthenticationResults('mx; spf=HardFail; dkim=permerror; dkim=fail')).toEqual({ spf: 'fail', dkim: 'fail' });
    expect(parseAuthenticationResults('mx; arc=pass; dkim-atps=neutral')).toEqual({});
  });
});

describe('trusted authentication results', () => {
  const forged = [
    'Authentication-Results: mx.vendor.example; spf=pass smtp.mailfrom=vendor.example; dkim=pass header.d=vendor.example; dmarc=pass',
    'From: billing@vendor.example',
    'To: ap@example.com',
    '',
    'Pay now.',
  ].join('\r\n');
  const verifiedPolicy = allow('vendor.example', 'DOMAIN', { is_trusted_sender: true, verify_sender: true });

  it('reads the authserv-id before the first semicolon, without version, quotes, comments or case', () => {
    expect(authservId('mx.example.com 1; spf=pass')).toBe('mx.example.com');
    expect(authservId(' (comment; here) "MX.Example.COM" ; none')).toBe('mx.example.com');
    expect(authservId('; spf=pass')).toBe('');
  });

  it('takes the topmost trusted header with results and names every untrusted one that had results', () => {
    const values = [
      'evil.example; dmarc=pass',
      'mx.example.com; none',
      'MX.example.com; spf=fail; dmarc=fail',
      'mx.example.com; spf=pass',
      'evil.example; spf=pass',
    ];
    expect(trustedAuthenticationResults(values, ['mx.example.com'])).toEqual({
      results: { spf: 'fail', dmarc: 'fail' },
      ignored: ['evil.example'],
    });
    expect(trustedAuthenticationResults(values, [])).toEqual({ results: undefined, ignored: ['evil.example', 'mx.example.com'] });
  });

  it('ignores Authentication-Results from an authserv-id nobody named: a verify_sender trusted sender is not honoured', async () => {
    const { message, notes } = await readEml(forged);
    expect(message.authentication).toBeUndefined();
    expect(notes).toEqual(['Authentication-Results from mx.vendor.example ignored: not a trusted authserv-id.']);
    const verdict = verdictOf(settings({ allow_policies: [verifiedPolicy] }), message);
    expect(verdict.matches.map((m) => m.effect)).toEqual(['trusted_sender_not_honoured']);
  });

  it('believes them from a named authserv-id', async () => {
    const { message, notes } = await readEml(forged, { trustedAuthservIds: ['MX.VENDOR.EXAMPLE'] });
    expect(message.authentication).toEqual({ spf: 'pass', dkim: 'pass', dmarc: 'pass' });
    expect(notes).toEqual([]);
    expect(verdictOf(settings({ allow_policies: [verifiedPolicy] }), message).matches.map((m) => m.effect)).toEqual(['trusted_sender']);
  });

  it('ignores Received-SPF unless its receiver is a trusted authserv-id', async () => {
    const source = await fixture('encoded-name.eml');
    const untrusted = await readEml(source);
    expect(untrusted.message.authentication).toBeUndefined();
    expect(untrusted.notes).toEqual(['Received-SPF from mx.example.com ignored: not a trusted authserv-id.']);
    expect(untrusted.message.sending_ip).toBe('203.0.113.9');
    expect((await readEml(source, trusted)).notes).toEqual([]);
    const { notes } = await readEml(await fixture('dmarc-fail.eml'), trusted);
    expect(notes).toEqual(['Authentication-Results from upstream.example ignored: not a trusted authserv-id.']);
  });
});

describe('messageFromJson', () => {
  it('reads and validates a JSON message', () => {
    const json = JSON.stringify({ id: 'j1', from: 'a@sender.example', recipients: ['b@example.com'], detections: ['SPAM'] });
    expect(messageFromJson(json)).toEqual(JSON.parse(json));
    expect(messageFromJson(Buffer.from(json))).toEqual(JSON.parse(json));
  });

  it('reports bad JSON and invalid messages with pointers', () => {
    expect(() => messageFromJson('{')).toThrow(/not valid JSON/);
    try {
      messageFromJson({ from: 'nope', recipients: ['b@example.com'], detections: ['PHISH'] });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidMessageError).errors).toEqual([
        { pointer: '/detections/0', message: 'detections[0] must be one of: MALICIOUS, SUSPICIOUS, SPOOF, SPAM, BULK' },
      ]);
    }
    expect(() => messageFromJson({ from: 'nope', recipients: ['b@example.com'] })).toThrow("/from: 'nope' is not a valid email address");
  });
});
