/**
 * Bad evaluate input: JSON schema (run with the same Ajv instance that validates request bodies) and
 * the semantic checks after it. The lead's route turns these into 400 envelopes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEvaluateRequest, EvaluateRequestSchema, parseIpOrCidr } from '../../src/engine/index.js';
import { bodyAjv, toFieldErrors } from '../../src/validation/schema-validator.js';

const validate = bodyAjv.compile(EvaluateRequestSchema);
const ok = { from: 'a@sender.example', recipients: ['b@example.com'] };

function schemaErrors(body: unknown) {
  return validate(body) ? [] : toFieldErrors(validate.errors ?? []);
}

describe('evaluate request schema', () => {
  it('accepts a full message and a minimal one', () => {
    const full = {
      id: 'm1',
      envelope_from: '',
      from: 'a@sender.example',
      from_name: 'Jane Doe',
      reply_to: 'r@sender.example',
      recipients: ['b@example.com', 'c@example.com'],
      sending_ip: '2001:db8::1',
      helo: 'mx.sender.example',
      tls: true,
      authentication: { spf: 'pass', dkim: 'fail', dmarc: 'none' },
      sender_domain_age_days: 3.5,
      detections: ['SPAM', 'BULK'],
    };
    expect(schemaErrors({ messages: [full, ok] })).toEqual([]);
    expect(checkEvaluateRequest({ messages: [full as never, ok] })).toEqual([]);
  });

  it('takes 1 to 1000 messages', () => {
    expect(schemaErrors({ messages: Array.from({ length: 1000 }, () => ok) })).toEqual([]);
    expect(schemaErrors({ messages: Array.from({ length: 1001 }, () => ok) })).toEqual([
      { pointer: '/messages', message: 'messages must have at most 1000 items' },
    ]);
    expect(schemaErrors({ messages: [] })).toEqual([{ pointer: '/messages', message: 'messages must have at least 1 item' }]);
    expect(schemaErrors({})).toEqual([{ pointer: '/messages', message: 'messages is required' }]);
  });

  it('rejects unknown dispositions and authentication results, and missing required fields', () => {
    expect(schemaErrors({ messages: [{ ...ok, detections: ['PHISH'] }] })).toEqual([
      {
        pointer: '/messages/0/detections/0',
        message: 'messages[0].detections[0] must be one of: MALICIOUS, SUSPICIOUS, SPOOF, SPAM, BULK',
      },
    ]);
    expect(schemaErrors({ messages: [{ ...ok, detections: ['MALICIOUS-BEC'] }] })[0].pointer).toBe('/messages/0/detections/0');
    expect(schemaErrors({ messages: [{ ...ok, authentication: { dmarc: 'softfail' } }] })[0].pointer).toBe(
      '/messages/0/authentication/dmarc',
    );
    expect(schemaErrors({ messages: [{ recipients: ['b@example.com'] }] })).toEqual([
      { pointer: '/messages/0/from', message: 'messages[0].from is required' },
    ]);
    expect(schemaErrors({ messages: [{ ...ok, recipients: [] }] })[0].pointer).toBe('/messages/0/recipients');
    expect(schemaErrors({ messages: [{ ...ok, tls: 'yes' }] })[0].pointer).toBe('/messages/0/tls');
    expect(schemaErrors({ messages: [{ ...ok, sender_domain_age_days: -1 }] })[0].pointer).toBe('/messages/0/sender_domain_age_days');
  });
});

describe('semantic checks', () => {
  it('rejects malformed addresses, with the pointer of each', () => {
    const errors = checkEvaluateRequest({
      messages: [
        ok,
        { from: 'not an address', recipients: ['b@example.com', 'two@@example.com'], reply_to: 'x@-bad-.example', envelope_from: 'a@b' },
      ],
    });
    expect(errors.map((e) => e.pointer)).toEqual([
      '/messages/1/envelope_from',
      '/messages/1/from',
      '/messages/1/reply_to',
      '/messages/1/recipients/1',
    ]);
    expect(errors[1].message).toBe("'not an address' is not a valid email address");
  });

  it('rejects IPs that are not one address (a CIDR block is not a sending IP)', () => {
    for (const ip of ['256.1.1.1', '1.2.3', '203.0.113.0/24', '2001:db8::/32', 'localhost', '01.2.3.4']) {
      expect(checkEvaluateRequest({ messages: [{ ...ok, sending_ip: ip }] }), ip).toEqual([
        { pointer: '/messages/0/sending_ip', message: `'${ip}' is not a valid IPv4 or IPv6 address` },
      ]);
    }
    expect(checkEvaluateRequest({ messages: [{ ...ok, sending_ip: '::ffff:192.0.2.1' }] })).toEqual([]);
  });

  it('reads sending IPs without ipaddr.js exactly as ipaddr.js does', () => {
    const piece = fc.constantFrom('0', '1', '2', '5', '9', '25', '255', '256', '00', '012', '.', '.', '.', ':', '/', 'x', ' ');
    const ip = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    const v6piece = fc.constantFrom(
      '::',
      ':',
      ':',
      ':',
      '0',
      '1',
      'abcd',
      'FFFF',
      'ffff',
      '12345',
      '00000',
      'g',
      '.',
      '1.2.3.4',
      '%eth0',
      '/64',
      ' ',
    );
    const v6 = fc.array(v6piece, { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(ip, v6, fc.ipV4(), fc.ipV4Extended(), fc.ipV6()), (value) => {
        const valid = !value.includes('/') && parseIpOrCidr(value) !== undefined;
        expect(checkEvaluateRequest({ messages: [{ ...ok, sending_ip: value }] }).length === 0, value).toBe(valid);
      }),
      { numRuns: 6000 },
    );
  });

  it('accepts IDN addresses and the null sender', () => {
    expect(checkEvaluateRequest({ messages: [{ ...ok, from: 'ceo@exаmple.com', envelope_from: '' }] })).toEqual([]);
  });
});
