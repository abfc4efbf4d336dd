import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDomain, checkEmail, checkGlobalIp, checkIpOrCidr, checkPattern, checkRegex } from '../../src/validation/patterns.js';
import { isValidDomainName } from '../../src/engine/address/syntax.js';

describe('checkDomain', () => {
  it.each(['example.com', 'EXAMPLE.COM', 'mail.sub.example.co.uk', 'xn--bcher-kva.de', 'bücher.de', 'a-b.io', '1password.com'])(
    'accepts %s',
    (domain) => expect(checkDomain(domain)).toBeUndefined(),
  );
  it.each([
    '',
    'localhost',
    'example.com.',
    '-example.com',
    'example-.com',
    'exa mple.com',
    'under_score.com',
    '1.2.3.4',
    `${'a'.repeat(64)}.com`,
    `${'a.'.repeat(127)}com`,
    '*.example.com',
    'user@example.com',
  ])('rejects %j', (domain) => expect(checkDomain(domain)).toMatch(/not a valid domain/));

  it('answers plain names without the URL parser exactly as the full check does', () => {
    // Characters the shortcut reads or must hand over: both cases, digits, hyphens, dots, punycode
    // prefixes, hex-looking last labels, and what only the URL parser maps or refuses.
    const piece = fc.constantFrom(
      'a',
      'Z',
      'x',
      'n',
      'X',
      'N',
      '0',
      '9',
      '-',
      '.',
      '.',
      'xn--',
      'Xn--',
      '0x',
      '_',
      'é',
      ' ',
      '\r',
      '\u000e',
      '\u0010',
      'ß',
    );
    const name = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
    const long = fc
      .tuple(fc.integer({ min: 60, max: 66 }), fc.integer({ min: 1, max: 5 }))
      .map(([size, count]) => Array(count).fill('a'.repeat(size)).join('.') + '.com');
    fc.assert(
      fc.property(fc.oneof(name, long), (value) => {
        expect(checkDomain(value) === undefined).toBe(isValidDomainName(value));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('checkEmail', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.org', "o'brien@example.ie", 'CEO@Example.COM'])('accepts %s', (email) =>
    expect(checkEmail(email)).toBeUndefined(),
  );
  it.each([
    '',
    'example.com',
    '@example.com',
    'a@',
    'a@@example.com',
    'a@b@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a b@example.com',
    'a@localhost',
    `${'a'.repeat(65)}@example.com`,
  ])('rejects %j', (email) => expect(checkEmail(email)).toMatch(/not a valid email/));
});

describe('checkGlobalIp', () => {
  it.each(['8.8.8.8', '1.2.3.0/24', '203.0.113.7', '2001:4860:4860::8888', '2001:4860::/32', '::ffff:8.8.8.8', '11.0.0.0/8'])(
    'accepts the globally reachable %s',
    (ip) => expect(checkGlobalIp(ip)).toBeUndefined(),
  );
  it.each([
    '10.0.0.1',
    '10.0.0.0/8',
    '172.16.5.4',
    '192.168.1.0/24',
    '127.0.0.1',
    '169.254.1.1',
    '0.0.0.0',
    '0.0.0.0/0',
    '8.0.0.0/4', // contains 10.0.0.0/8
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::/48',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
  ])('rejects the non-global %s', (ip) => expect(checkGlobalIp(ip)).toMatch(/not a globally reachable/));
  it.each([
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.4/33',
    '1.2.3.4/',
    '1.2.3.4/a',
    '01.2.3.4',
    'example.com',
    '2001:db8::/129',
    '1.2.3.4 ',
  ])('rejects the malformed %j', (ip) => expect(checkGlobalIp(ip)).toMatch(/not a valid IP/));
});

describe('checkIpOrCidr', () => {
  it('accepts private and documentation ranges, which domain ip_restrictions may list', () => {
    expect(checkIpOrCidr('192.0.2.0/24')).toBeUndefined();
    expect(checkIpOrCidr('2001:db8::/32')).toBeUndefined();
    expect(checkIpOrCidr('10.1.2.3')).toBeUndefined();
    expect(checkIpOrCidr('10.1.2')).toMatch(/not a valid IP/);
  });
});

describe('checkRegex', () => {
  it('accepts what RE2 runs', () => {
    expect(checkRegex('.*@example\\.com')).toBeUndefined();
    expect(checkRegex('^(ceo|cfo)@corp\\.[a-z]{2,}$')).toBeUndefined();
  });
  it.each(['(a)\\1', 'foo(?=bar)', '(?<!x)y', '[unclosed', '(a'])('rejects %j and names RE2', (pattern) =>
    expect(checkRegex(pattern)).toMatch(/RE2/),
  );
});

describe('checkPattern', () => {
  it('checks the pattern against its type, or as a regex when is_regex is set', () => {
    expect(checkPattern('a@example.com', 'EMAIL', false)).toBeUndefined();
    expect(checkPattern('example.com', 'EMAIL', false)).toBeDefined();
    expect(checkPattern('example.com', 'DOMAIN', false)).toBeUndefined();
    expect(checkPattern('8.8.8.8', 'DOMAIN', false)).toBeDefined();
    expect(checkPattern('8.8.8.8', 'IP', false)).toBeUndefined();
    expect(checkPattern('anything at all', 'UNKNOWN', false)).toBeUndefined();
    expect(checkPattern('.*@example\\.com', 'EMAIL', true)).toBeUndefined();
    expect(checkPattern('(a)\\1', 'EMAIL', true)).toMatch(/RE2/);
  });
});
