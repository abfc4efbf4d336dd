/** Reading messages from raw RFC 5322 files (mailparser) and from JSON. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, messageFromEml, messageFromJson, parseAuthenticationResults } from '../../src/engine/eml.js';
import { allow, displayName, domain, settings, verdictOf } from './helpers.js';

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));

describe('messageFromEml', () => {
  it('reads From, display name, Reply-To, recipients, Return-Path, authentication, IP, HELO and TLS', async () => {
    expect(await messageFromEml(await fixture('simple.eml'))).toEqual({
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
    const message = await messageFromEml((await fixture('encoded-name.eml')).toString('utf8'));
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
    const message = await messageFromEml(await fixture('dmarc-fail.eml'));
    expect(message).toMatchObject({
      from: 'alerts@bank.example',
      from_name: 'Bank',
      recipients: ['alice@example.com'], // from Delivered-To
      sending_ip: '2001:db8::25',
      tls: false,
      authentication: { spf: 'fail', dkim: 'pass', dmarc: 'fail' },
    });
    // DKIM passed, so a verify_sender policy is honoured, yet DMARC failed: SPOOF unless trusted.
    const trusted = allow('bank.example', 'DOMAIN', { is_trusted_sender: true, verify_sender: true });
    expect(verdictOf(settings({ allow_policies: [trusted] }), message).disposition).toBe('NONE');
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
    expect(parseAuthenticationResults('mx; spf=neutral; dkim=none; dmarc=bestguesspass')).toEqual({ spf: 'none', dkim: 'none', dmarc: 'none' });
    expect(parseAuthenticationResults('mx; spf=HardFail; dkim=permerror; dkim=fail')).toEqual({ spf: 'fail', dkim: 'fail' });
    expect(parseAuthenticationResults('mx; arc=pass; dkim-atps=neutral')).toEqual({});
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
