/**
 * Random settings and messages for the engine's property tests, from small vocabularies built to
 * collide: subdomains, lookalikes, IDN forms, CIDR blocks inside each other, regexes with and without
 * literals, invalid patterns.
 */
import fc from 'fast-check';
import { DETECTIONS, DISPOSITIONS, type AccountSettings, type Message } from '../../src/engine/index.js';

export const DOMAINS = [
  'example.com',
  'mail.example.com',
  'eu.mail.example.com',
  'EXAMPLE.com',
  'examp1e.com',
  'exarnple.com',
  'exampel.com',
  'example.net',
  'example.co.uk',
  'xn--exmple-4nf.com',
  'exаmple.com',
  'evil.example',
  'sub.evil.example',
  'notevil.example',
  'bank.example',
  'mx.bank.example',
  'legacy.bank.example',
  'ibm.com',
  'ibn.com',
  'münchen.de',
  'xn--mnchen-3ya.de',
  'partner.co.uk',
  'a.b.c.d.example',
];
const LOCALS = ['a', 'bob', 'Jane.Doe', 'jane.doe', 'x', 'soc', 'news'];
const IPS = [
  '203.0.113.5',
  '203.0.113.200',
  '198.51.100.7',
  '192.0.2.1',
  '8.8.8.8',
  '2001:db8::1',
  '2001:db8:abcd::5',
  '::ffff:203.0.113.5',
];
export const CIDRS = [
  '203.0.113.0/24',
  '203.0.113.5',
  '203.0.113.128/25',
  '198.51.100.0/30',
  '0.0.0.0/0',
  '2001:db8::/32',
  '2001:db8:abcd::/48',
  '2001:db8::1',
  '::ffff:203.0.113.0/120',
  'not-an-ip',
];
export const REGEXES = [
  '.*@evil\\.example',
  '.*\\.example\\.com',
  '(bob|jane\\.doe)@example\\.com',
  '[a-z]+@mail\\.example\\.com',
  '.*',
  'mx[0-9]*\\..*',
  '203\\.0\\.113\\.[0-9]+',
  '(a',
  'evil',
  '.*bank.*',
  'x@[^.]+\\.example',
  '\\x61@example\\.com',
  'a{1,3}@.*',
  'news@exa?mple\\.com',
  'soc@(example|bank)\\.(com|example)',
  '.*@münchen\\.de',
];
const HELOS = ['mx1.evil.example', 'mail.example.com', 'localhost', 'MX12.bank.example'];
const NAMES = ['Jane Doe', 'JANE  DOE', 'Jаne Doe', 'Bob Smith', 'Bill', 'BiII', 'Jàne Döe', ''];

export const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const address = fc
  .tuple(pick(LOCALS), pick(DOMAINS), fc.boolean())
  .map(([local, domain, upper]) => (upper ? `${local}@${domain}`.toUpperCase() : `${local}@${domain}`));
const patternType = pick(['EMAIL', 'DOMAIN', 'IP', 'UNKNOWN'] as const);

/** A sender pattern of a random kind (and sometimes the wrong declared type). */
const senderPattern = fc.oneof(
  fc.record({ pattern: address, pattern_type: fc.constantFrom('EMAIL' as const, 'UNKNOWN' as const), is_regex: fc.constant(false) }),
  fc.record({ pattern: pick(DOMAINS), pattern_type: fc.constantFrom('DOMAIN' as const, 'UNKNOWN' as const), is_regex: fc.constant(false) }),
  fc.record({ pattern: pick(CIDRS), pattern_type: fc.constantFrom('IP' as const, 'UNKNOWN' as const), is_regex: fc.constant(false) }),
  fc.record({ pattern: pick(REGEXES), pattern_type: patternType, is_regex: fc.constant(true) }),
);

const ids = () => {
  let next = 1;
  return () => next++;
};

export const settingsArbitrary: fc.Arbitrary<AccountSettings> = fc
  .record({
    block: fc.array(senderPattern, { maxLength: 6 }),
    allow: fc.array(
      fc.record({
        pattern: senderPattern,
        is_trusted_sender: fc.boolean(),
        is_exempt_recipient: fc.boolean(),
        is_acceptable_sender: fc.boolean(),
        verify_sender: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    trusted: fc.array(
      fc.record({
        pattern: fc.oneof(pick(DOMAINS), pick(REGEXES)),
        is_regex: fc.boolean(),
        is_recent: fc.boolean(),
        is_similarity: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    registry: fc.array(fc.record({ name: pick(NAMES), email: fc.oneof(address, pick(REGEXES)), is_email_regex: fc.boolean() }), {
      maxLength: 3,
    }),
    domains: fc.array(fc.record({ domain: pick(DOMAINS), drop: fc.subarray([...DISPOSITIONS]) }), { maxLength: 3 }),
    restrictions: fc.array(
      fc.record({ domain: pick(DOMAINS), exclude: fc.subarray(['legacy', 'mx.bank.example', 'mail', 'eu.mail.example.com']) }),
      { maxLength: 2 },
    ),
  })
  .map((r) => {
    const id = ids();
    return {
      block_senders: r.block.map((p) => ({ id: id(), ...p })),
      allow_policies: r.allow.map(({ pattern, ...flags }) => ({ id: id(), ...pattern, ...flags })),
      trusted_domains: r.trusted.map((t) => ({ id: id(), ...t })),
      impersonation_registry: r.registry.map((e) => ({ id: id(), ...e })),
      domains: r.domains.map((d) => ({ id: id(), domain: d.domain, drop_dispositions: d.drop })),
      sending_domain_restrictions: r.restrictions.map((s) => ({ id: id(), ...s })),
    };
  });

const authResult = pick(['pass', 'fail', 'none'] as const);
export const messageArbitrary: fc.Arbitrary<Message> = fc
  .record(
    {
      id: fc.string({ maxLength: 4 }),
      envelope_from: fc.oneof(address, fc.constant('')),
      from: address,
      from_name: pick(NAMES),
      reply_to: address,
      recipients: fc.array(address, { minLength: 1, maxLength: 3 }),
      sending_ip: pick(IPS),
      helo: pick(HELOS),
      tls: fc.boolean(),
      authentication: fc.record({ spf: authResult, dkim: authResult, dmarc: authResult }, { requiredKeys: [] }),
      sender_domain_age_days: fc.integer({ min: 0, max: 40 }),
      detections: fc.oneof(fc.constant([]), fc.subarray([...DETECTIONS], { maxLength: 2 })),
    },
    { requiredKeys: ['from', 'recipients'] },
  )
  .map((m) => m as Message);
