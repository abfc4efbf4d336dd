/**
 * One fixture per settings resource: what the shared contract suite (run-resource-contract.ts) needs to
 * exercise it. Field lists come from the seed; every rule cited below is the API's behaviour as
 * docs/api-behaviour.md describes it.
 *
 * Sort values in `creates` are chosen so that binary and case-insensitive collation give the same order,
 * and contain ties, so "ties broken by id ascending" is observable in both directions.
 */
import { omit, type Values } from './support.js';

export interface InvalidCase {
  name: string;
  body: Values;
  /** The single `source.pointer` the 400 must carry. */
  pointer: string;
  /** Optional check of the error message. */
  message?: RegExp;
}

export interface InvalidPatchCase extends InvalidCase {
  /** Index into `creates` of the record patched (its state must be unchanged afterwards). */
  target: number;
}

export interface NullPatchCase {
  field: string;
  /** What a PATCH null does: `clears` (nullable on the record), `unchanged` (schema allows null, record does not), `400`. */
  outcome: 'clears' | 'unchanged' | '400';
}

export interface ListCase {
  name: string;
  query: Record<string, string | string[]>;
  /** Indices into `creates` of the records that must be listed (shown in id order). */
  expected: number[];
}

export interface ResourceFixture {
  /** URL segment, e.g. `allow_policies`. */
  name: string;
  /** Every key a record response must have, exactly. */
  keys: string[];
  /** At least five distinct valid create bodies. */
  creates: Values[];
  /** A create body leaving every optional field out, and the exact record fields it must produce. */
  minimal: { body: Values; expected: Values };
  /** More create bodies that must be accepted (201) and echoed. */
  validCreates: { name: string; body: Values }[];
  /** Makes the i-th of many distinct valid bodies (pagination tests). */
  generate(i: number): Values;
  /** A valid partial patch, valid on every record of `creates`; every key changes `creates[0]`. */
  patch: Values;
  /** Other fields `patch` visibly changes on `creates[0]` (mirrored deprecated aliases). */
  patchAlso?: Values;
  invalidCreates: InvalidCase[];
  invalidPatches: InvalidPatchCase[];
  nullPatches: NullPatchCase[];
  /** `order` value → record field it sorts by. */
  sort: Record<string, string>;
  /** Search terms and the records they must find (case-insensitive, literal substring). */
  search: ListCase[];
  /** Filter cases (including combinations and filters with search). */
  filters: ListCase[];
  /** Filter values that must be a 400 naming the parameter. */
  badFilters: { name: string; query: Record<string, string>; param: string }[];
  /** For allow policies / blocked senders: a body with this sender pattern (IP and regex tests). */
  senderPattern?: (pattern: string, patternType: string, isRegex: boolean) => Values;
  /** A body whose regex field holds `pattern`, with the regex flag on. */
  regex?: { body: (pattern: string) => Values; pointer: string; flag: string };
  batch: 'full' | 'deletes' | 'none';
  /** Full-batch details. `put`: a full body without `comments`, used on `creates[0]` (which has comments). */
  batchFull?: { put: Values; invalidPost: Values; invalidPostPointer: string; invalidPut: Values; invalidPutPointer: string };
  bulkDelete: boolean;
  bulkCreate: boolean;
}

const long = (n: number) => 'a'.repeat(n);

// ---------------------------------------------------------------------------------------------------
// Allow policies
// ---------------------------------------------------------------------------------------------------

const allowBase: Values = {
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern: 'sender@example.com',
  pattern_type: 'EMAIL',
  verify_sender: true,
};

export const allowPolicies: ResourceFixture = {
  name: 'allow_policies',
  keys: [
    'comments',
    'created_at',
    'id',
    'is_acceptable_sender',
    'is_exempt_recipient',
    'is_recipient',
    'is_regex',
    'is_sender',
    'is_spoof',
    'is_trusted_sender',
    'last_modified',
    'pattern',
    'pattern_type',
    'verify_sender',
  ],
  creates: [
    { ...allowBase, pattern: 'zeta@example.com', comments: 'Phish sim vendor' },
    {
      ...allowBase,
      pattern: 'alpha.example.org',
      pattern_type: 'DOMAIN',
      is_trusted_sender: false,
      is_acceptable_sender: true,
      comments: '100% marketing',
    },
    {
      ...allowBase,
      pattern: '8.8.8.8',
      pattern_type: 'IP',
      is_trusted_sender: false,
      is_exempt_recipient: true,
      verify_sender: false,
      comments: 'dns_team org',
    },
    { ...allowBase, pattern: 'alpha.example.org', pattern_type: 'DOMAIN', verify_sender: false, comments: '100x marketing' },
    {
      ...allowBase,
      pattern: '.*@mid\\.example\\.net',
      is_regex: true,
      is_trusted_sender: false,
      is_acceptable_sender: true,
      comments: 'dnsxteam',
    },
  ],
  minimal: {
    body: { ...allowBase, pattern: 'min@example.com', is_trusted_sender: false, is_exempt_recipient: true, verify_sender: false },
    expected: {
      comments: null,
      is_acceptable_sender: false,
      is_exempt_recipient: true,
      is_recipient: true,
      is_regex: false,
      is_sender: false,
      is_spoof: false,
      is_trusted_sender: false,
      pattern: 'min@example.com',
      pattern_type: 'EMAIL',
      verify_sender: false,
    },
  },
  validCreates: [
    { name: 'UNKNOWN pattern type (legacy, accepted)', body: { ...allowBase, pattern: 'anything goes', pattern_type: 'UNKNOWN' } },
    { name: 'comments of exactly 1024 characters', body: { ...allowBase, comments: long(1024) } },
    { name: 'pattern of exactly 1024 characters', body: { ...allowBase, pattern: long(1024), pattern_type: 'UNKNOWN' } },
    { name: 'comments null', body: { ...allowBase, comments: null } },
    { name: 'a domain pattern', body: { ...allowBase, pattern: 'mail.example.co.uk', pattern_type: 'DOMAIN' } },
  ],
  generate: (i) => ({ ...allowBase, pattern: `user${i}@example.com` }),
  patch: { comments: 'patched comment', verify_sender: false, is_exempt_recipient: true },
  patchAlso: { is_recipient: true },
  invalidCreates: [
    { name: 'missing pattern', body: omit(allowBase, 'pattern'), pointer: '/pattern' },
    { name: 'missing pattern_type', body: omit(allowBase, 'pattern_type'), pointer: '/pattern_type' },
    { name: 'missing is_regex', body: omit(allowBase, 'is_regex'), pointer: '/is_regex' },
    { name: 'missing verify_sender', body: omit(allowBase, 'verify_sender'), pointer: '/verify_sender' },
    { name: 'missing is_trusted_sender (and its alias)', body: omit(allowBase, 'is_trusted_sender'), pointer: '/is_trusted_sender' },
    { name: 'missing is_exempt_recipient (and its alias)', body: omit(allowBase, 'is_exempt_recipient'), pointer: '/is_exempt_recipient' },
    {
      name: 'missing is_acceptable_sender (and its alias)',
      body: omit(allowBase, 'is_acceptable_sender'),
      pointer: '/is_acceptable_sender',
    },
    { name: 'string "true" for is_regex', body: { ...allowBase, is_regex: 'true' }, pointer: '/is_regex' },
    { name: 'string "false" for verify_sender', body: { ...allowBase, verify_sender: 'false' }, pointer: '/verify_sender' },
    { name: 'number for pattern', body: { ...allowBase, pattern: 42 }, pointer: '/pattern' },
    { name: 'number for comments', body: { ...allowBase, comments: 42 }, pointer: '/comments' },
    { name: 'bad pattern_type enum', body: { ...allowBase, pattern_type: 'EMAILS' }, pointer: '/pattern_type' },
    { name: 'lower-case pattern_type', body: { ...allowBase, pattern_type: 'email' }, pointer: '/pattern_type' },
    { name: 'empty pattern', body: { ...allowBase, pattern: '' }, pointer: '/pattern' },
    { name: 'pattern over 1024 characters', body: { ...allowBase, pattern: long(1025), pattern_type: 'UNKNOWN' }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', body: { ...allowBase, comments: long(1025) }, pointer: '/comments' },
    { name: 'invalid EMAIL pattern (no @)', body: { ...allowBase, pattern: 'not-an-email' }, pointer: '/pattern' },
    { name: 'invalid EMAIL pattern (two @)', body: { ...allowBase, pattern: 'a@b@example.com' }, pointer: '/pattern' },
    { name: 'invalid EMAIL pattern (bad domain)', body: { ...allowBase, pattern: 'user@not a domain' }, pointer: '/pattern' },
    {
      name: 'invalid DOMAIN pattern (spaces)',
      body: { ...allowBase, pattern: 'not a domain', pattern_type: 'DOMAIN' },
      pointer: '/pattern',
    },
    {
      name: 'invalid DOMAIN pattern (single label)',
      body: { ...allowBase, pattern: 'localhost', pattern_type: 'DOMAIN' },
      pointer: '/pattern',
    },
    {
      name: 'invalid DOMAIN pattern (an email)',
      body: { ...allowBase, pattern: 'user@example.com', pattern_type: 'DOMAIN' },
      pointer: '/pattern',
    },
    { name: 'invalid IP pattern (not an address)', body: { ...allowBase, pattern: 'not-an-ip', pattern_type: 'IP' }, pointer: '/pattern' },
  ],
  invalidPatches: [
    { name: 'switching pattern_type to IP on an email pattern', target: 0, body: { pattern_type: 'IP' }, pointer: '/pattern' },
    { name: 'switching pattern_type to DOMAIN on an email pattern', target: 0, body: { pattern_type: 'DOMAIN' }, pointer: '/pattern' },
    { name: 'turning is_regex off on a regex EMAIL pattern', target: 4, body: { is_regex: false }, pointer: '/pattern' },
    { name: 'an RE2-incompatible regex', target: 0, body: { pattern: '(a)\\1', is_regex: true }, pointer: '/pattern', message: /RE2/ },
    { name: 'a private IP', target: 2, body: { pattern: '10.0.0.1' }, pointer: '/pattern' },
    { name: 'string "true" for is_regex', target: 0, body: { is_regex: 'true' }, pointer: '/is_regex' },
    { name: 'bad pattern_type enum', target: 0, body: { pattern_type: 'BOGUS' }, pointer: '/pattern_type' },
    { name: 'empty pattern', target: 0, body: { pattern: '' }, pointer: '/pattern' },
    { name: 'pattern over 1024 characters', target: 0, body: { pattern: long(1025) }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', target: 0, body: { comments: long(1025) }, pointer: '/comments' },
  ],
  nullPatches: [
    { field: 'comments', outcome: 'clears' },
    { field: 'is_acceptable_sender', outcome: 'unchanged' },
    { field: 'is_exempt_recipient', outcome: 'unchanged' },
    { field: 'is_regex', outcome: 'unchanged' },
    { field: 'is_trusted_sender', outcome: 'unchanged' },
    { field: 'pattern', outcome: 'unchanged' },
    { field: 'verify_sender', outcome: 'unchanged' },
    { field: 'pattern_type', outcome: '400' },
  ],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  search: [
    { name: 'upper-case term matches pattern', query: { search: 'ALPHA' }, expected: [1, 3] },
    { name: 'term matches comments only', query: { search: 'phish SIM' }, expected: [0] },
    { name: 'term matches pattern of some records and comments of another', query: { search: 'Org' }, expected: [1, 2, 3] },
    { name: 'term in patterns', query: { search: 'example' }, expected: [0, 1, 3, 4] },
    { name: '% is literal', query: { search: '0%' }, expected: [1] },
    { name: 'a lone % is literal', query: { search: '%' }, expected: [1] },
    { name: '_ is literal', query: { search: 'dns_team' }, expected: [2] },
    { name: 'a lone _ is literal', query: { search: '_' }, expected: [2] },
    { name: 'no match', query: { search: 'nothing-like-this' }, expected: [] },
  ],
  filters: [
    { name: 'is_trusted_sender=true', query: { is_trusted_sender: 'true' }, expected: [0, 3] },
    { name: 'is_trusted_sender=false', query: { is_trusted_sender: 'false' }, expected: [1, 2, 4] },
    { name: 'is_exempt_recipient=true', query: { is_exempt_recipient: 'true' }, expected: [2] },
    { name: 'is_acceptable_sender=true', query: { is_acceptable_sender: 'true' }, expected: [1, 4] },
    { name: 'verify_sender=false', query: { verify_sender: 'false' }, expected: [2, 3] },
    { name: 'pattern_type=DOMAIN', query: { pattern_type: 'DOMAIN' }, expected: [1, 3] },
    { name: 'pattern_type=EMAIL', query: { pattern_type: 'EMAIL' }, expected: [0, 4] },
    { name: 'pattern_type=IP', query: { pattern_type: 'IP' }, expected: [2] },
    { name: 'pattern_type=UNKNOWN', query: { pattern_type: 'UNKNOWN' }, expected: [] },
    { name: 'pattern exact', query: { pattern: 'alpha.example.org' }, expected: [1, 3] },
    { name: 'pattern is not a substring match', query: { pattern: 'alpha.example' }, expected: [] },
    { name: 'pattern compares domains case-insensitively', query: { pattern: 'ALPHA.Example.ORG' }, expected: [1, 3] },
    { name: 'two filters AND', query: { pattern_type: 'DOMAIN', is_trusted_sender: 'true' }, expected: [3] },
    {
      name: 'three filters AND',
      query: { is_trusted_sender: 'false', is_acceptable_sender: 'true', verify_sender: 'true' },
      expected: [1, 4],
    },
    { name: 'filter AND search', query: { verify_sender: 'true', search: 'marketing' }, expected: [1] },
    { name: 'filter AND search, nothing in common', query: { pattern_type: 'IP', search: 'marketing' }, expected: [] },
  ],
  badFilters: [
    { name: 'bad pattern_type enum', query: { pattern_type: 'FOO' }, param: 'pattern_type' },
    { name: 'boolean "yes"', query: { is_trusted_sender: 'yes' }, param: 'is_trusted_sender' },
    { name: 'boolean "1"', query: { verify_sender: '1' }, param: 'verify_sender' },
    { name: 'boolean "yes" on a deprecated alias', query: { is_spoof: 'yes' }, param: 'is_spoof' },
  ],
  senderPattern: (pattern, patternType, isRegex) => ({ ...allowBase, pattern, pattern_type: patternType, is_regex: isRegex }),
  regex: { body: (pattern) => ({ ...allowBase, pattern, is_regex: true }), pointer: '/pattern', flag: 'is_regex' },
  batch: 'full',
  batchFull: {
    put: { ...allowBase, pattern: 'replaced.example.net', pattern_type: 'DOMAIN', is_trusted_sender: false, is_acceptable_sender: true },
    invalidPost: { ...allowBase, pattern: 'not-an-email' },
    invalidPostPointer: '/pattern',
    invalidPut: omit(allowBase, 'pattern'),
    invalidPutPointer: '/pattern',
  },
  bulkDelete: false,
  bulkCreate: false,
};

// ---------------------------------------------------------------------------------------------------
// Blocked senders
// ---------------------------------------------------------------------------------------------------

const blockBase: Values = { is_regex: false, pattern: 'spam@bad.example', pattern_type: 'EMAIL' };

export const blockSenders: ResourceFixture = {
  name: 'block_senders',
  keys: ['comments', 'created_at', 'id', 'is_regex', 'last_modified', 'pattern', 'pattern_type'],
  creates: [
    { ...blockBase, comments: 'known spammer' },
    { ...blockBase, pattern: 'bad.example.net', pattern_type: 'DOMAIN', comments: '100% junk' },
    { ...blockBase, pattern: '1.2.3.0/24', pattern_type: 'IP', comments: 'ip_block net' },
    { ...blockBase, pattern: 'bad.example.net', pattern_type: 'DOMAIN', comments: '100x junk' },
    { ...blockBase, pattern: '^promo-.*@mailer\\.example$', is_regex: true, comments: 'ipxblock' },
    { ...blockBase, pattern: 'legacy-thing', pattern_type: 'UNKNOWN' },
  ],
  minimal: {
    body: { is_regex: false, pattern: 'min.example.com', pattern_type: 'DOMAIN' },
    expected: { comments: null, is_regex: false, pattern: 'min.example.com', pattern_type: 'DOMAIN' },
  },
  validCreates: [
    { name: 'UNKNOWN pattern type', body: { ...blockBase, pattern: 'whatever', pattern_type: 'UNKNOWN' } },
    { name: 'comments of exactly 1024 characters', body: { ...blockBase, comments: long(1024) } },
    { name: 'comments null', body: { ...blockBase, comments: null } },
    { name: 'plus-addressed email', body: { ...blockBase, pattern: 'first.last+tag@sub.bad.example' } },
  ],
  generate: (i) => ({ ...blockBase, pattern: `spam${i}@bad.example` }),
  patch: { comments: 'patched comment', pattern: 'other.bad.example', pattern_type: 'DOMAIN' },
  invalidCreates: [
    { name: 'missing pattern', body: omit(blockBase, 'pattern'), pointer: '/pattern' },
    { name: 'missing pattern_type', body: omit(blockBase, 'pattern_type'), pointer: '/pattern_type' },
    { name: 'missing is_regex', body: omit(blockBase, 'is_regex'), pointer: '/is_regex' },
    { name: 'string "true" for is_regex', body: { ...blockBase, is_regex: 'true' }, pointer: '/is_regex' },
    { name: 'number for pattern', body: { ...blockBase, pattern: 7 }, pointer: '/pattern' },
    { name: 'number for comments', body: { ...blockBase, comments: 7 }, pointer: '/comments' },
    { name: 'bad pattern_type enum', body: { ...blockBase, pattern_type: 'URL' }, pointer: '/pattern_type' },
    { name: 'empty pattern', body: { ...blockBase, pattern: '' }, pointer: '/pattern' },
    { name: 'pattern over 1024 characters', body: { ...blockBase, pattern: long(1025), pattern_type: 'UNKNOWN' }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', body: { ...blockBase, comments: long(1025) }, pointer: '/comments' },
    { name: 'invalid EMAIL pattern', body: { ...blockBase, pattern: 'spam.bad.example' }, pointer: '/pattern' },
    { name: 'invalid DOMAIN pattern', body: { ...blockBase, pattern: '-bad-.example', pattern_type: 'DOMAIN' }, pointer: '/pattern' },
    { name: 'invalid IP pattern', body: { ...blockBase, pattern: '1.2.3.4.5', pattern_type: 'IP' }, pointer: '/pattern' },
  ],
  invalidPatches: [
    { name: 'switching pattern_type to IP on an email pattern', target: 0, body: { pattern_type: 'IP' }, pointer: '/pattern' },
    { name: 'turning is_regex off on a regex pattern', target: 4, body: { is_regex: false }, pointer: '/pattern' },
    { name: 'a loopback IP on an IP record', target: 2, body: { pattern: '127.0.0.1' }, pointer: '/pattern' },
    { name: 'an RE2-incompatible regex', target: 0, body: { pattern: '(?=x)', is_regex: true }, pointer: '/pattern', message: /RE2/ },
    { name: 'bad pattern_type enum', target: 0, body: { pattern_type: 'URL' }, pointer: '/pattern_type' },
    { name: 'empty pattern', target: 0, body: { pattern: '' }, pointer: '/pattern' },
    { name: 'pattern over 1024 characters', target: 5, body: { pattern: long(1025) }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', target: 0, body: { comments: long(1025) }, pointer: '/comments' },
  ],
  nullPatches: [
    { field: 'comments', outcome: 'clears' },
    { field: 'is_regex', outcome: 'unchanged' },
    { field: 'pattern', outcome: 'unchanged' },
    { field: 'pattern_type', outcome: '400' },
  ],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  search: [
    { name: 'upper-case term matches pattern', query: { search: 'BAD' }, expected: [0, 1, 3] },
    { name: 'term matches pattern of some records and comments of another', query: { search: 'NET' }, expected: [1, 2, 3] },
    { name: 'term matches comments only', query: { search: 'spammer' }, expected: [0] },
    { name: '% is literal', query: { search: '0%' }, expected: [1] },
    { name: 'a lone % is literal', query: { search: '%' }, expected: [1] },
    { name: '_ is literal', query: { search: 'ip_block' }, expected: [2] },
    { name: 'a lone _ is literal', query: { search: '_' }, expected: [2] },
  ],
  filters: [
    { name: 'pattern_type=DOMAIN', query: { pattern_type: 'DOMAIN' }, expected: [1, 3] },
    { name: 'pattern_type=EMAIL', query: { pattern_type: 'EMAIL' }, expected: [0, 4] },
    { name: 'pattern_type=IP', query: { pattern_type: 'IP' }, expected: [2] },
    { name: 'pattern_type=UNKNOWN', query: { pattern_type: 'UNKNOWN' }, expected: [5] },
    { name: 'pattern exact', query: { pattern: 'bad.example.net' }, expected: [1, 3] },
    { name: 'pattern is not a substring match', query: { pattern: 'bad.example' }, expected: [] },
    { name: 'pattern exact on a regex', query: { pattern: '^promo-.*@mailer\\.example$' }, expected: [4] },
    { name: 'two filters AND', query: { pattern_type: 'EMAIL', pattern: 'spam@bad.example' }, expected: [0] },
    { name: 'two filters AND, contradictory', query: { pattern_type: 'IP', pattern: 'spam@bad.example' }, expected: [] },
    { name: 'filter AND search', query: { pattern_type: 'EMAIL', search: 'promo' }, expected: [4] },
    { name: 'two filters AND search', query: { pattern_type: 'DOMAIN', pattern: 'bad.example.net', search: '100X' }, expected: [3] },
  ],
  badFilters: [
    { name: 'bad pattern_type enum', query: { pattern_type: 'URL' }, param: 'pattern_type' },
    { name: 'lower-case pattern_type', query: { pattern_type: 'ip' }, param: 'pattern_type' },
  ],
  senderPattern: (pattern, patternType, isRegex) => ({ ...blockBase, pattern, pattern_type: patternType, is_regex: isRegex }),
  regex: { body: (pattern) => ({ ...blockBase, pattern, is_regex: true }), pointer: '/pattern', flag: 'is_regex' },
  batch: 'full',
  batchFull: {
    put: { is_regex: false, pattern: 'replaced.example.net', pattern_type: 'DOMAIN' },
    invalidPost: { ...blockBase, pattern: '10.0.0.1', pattern_type: 'IP' },
    invalidPostPointer: '/pattern',
    invalidPut: omit(blockBase, 'pattern_type'),
    invalidPutPointer: '/pattern_type',
  },
  bulkDelete: false,
  bulkCreate: false,
};

// ---------------------------------------------------------------------------------------------------
// Trusted domains
// ---------------------------------------------------------------------------------------------------

const trustedBase: Values = { is_recent: true, is_regex: false, is_similarity: false, pattern: 'partner.example.com' };

export const trustedDomains: ResourceFixture = {
  name: 'trusted_domains',
  keys: ['comments', 'created_at', 'id', 'is_recent', 'is_regex', 'is_similarity', 'last_modified', 'pattern'],
  creates: [
    { ...trustedBase, comments: 'Main partner' },
    { ...trustedBase, pattern: 'lookalike.example', is_recent: false, is_similarity: true, comments: '100% ours' },
    { ...trustedBase, pattern: '.*\\.partner\\.example\\.com', is_regex: true, is_similarity: true, comments: 'sub_domains' },
    { ...trustedBase, pattern: 'lookalike.example', comments: '100x ours' },
    { ...trustedBase, pattern: 'another.example.org', is_recent: false, comments: 'subxdomains of a partner' },
  ],
  minimal: {
    body: { is_recent: false, is_regex: false, is_similarity: false, pattern: 'min.example.com' },
    expected: { comments: null, is_recent: false, is_regex: false, is_similarity: false, pattern: 'min.example.com' },
  },
  validCreates: [
    { name: 'comments of exactly 1024 characters', body: { ...trustedBase, comments: long(1024) } },
    { name: 'comments null', body: { ...trustedBase, comments: null } },
    {
      name: 'a long domain (253 characters)',
      body: { ...trustedBase, pattern: `${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com` },
    },
  ],
  generate: (i) => ({ ...trustedBase, pattern: `partner${i}.example.com` }),
  patch: { is_similarity: true, comments: 'patched comment', pattern: 'partner.example.net' },
  invalidCreates: [
    { name: 'missing pattern', body: omit(trustedBase, 'pattern'), pointer: '/pattern' },
    { name: 'missing is_recent', body: omit(trustedBase, 'is_recent'), pointer: '/is_recent' },
    { name: 'missing is_similarity', body: omit(trustedBase, 'is_similarity'), pointer: '/is_similarity' },
    { name: 'missing is_regex', body: omit(trustedBase, 'is_regex'), pointer: '/is_regex' },
    { name: 'string "true" for is_recent', body: { ...trustedBase, is_recent: 'true' }, pointer: '/is_recent' },
    { name: 'number for pattern', body: { ...trustedBase, pattern: 1 }, pointer: '/pattern' },
    { name: 'number for comments', body: { ...trustedBase, comments: 1 }, pointer: '/comments' },
    { name: 'empty pattern', body: { ...trustedBase, pattern: '' }, pointer: '/pattern' },
    { name: 'pattern over 1024 characters', body: { ...trustedBase, pattern: long(1025), is_regex: true }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', body: { ...trustedBase, comments: long(1025) }, pointer: '/comments' },
    { name: 'invalid domain (spaces)', body: { ...trustedBase, pattern: 'not a domain' }, pointer: '/pattern' },
    { name: 'invalid domain (an email)', body: { ...trustedBase, pattern: 'user@example.com' }, pointer: '/pattern' },
    {
      name: 'invalid domain (label over 63 characters)',
      body: { ...trustedBase, pattern: `${'x'.repeat(64)}.example.com` },
      pointer: '/pattern',
    },
    {
      name: 'invalid domain (over 253 characters)',
      body: { ...trustedBase, pattern: `${'c'.repeat(63)}.`.repeat(4) + 'example.com' },
      pointer: '/pattern',
    },
  ],
  invalidPatches: [
    { name: 'an invalid domain', target: 0, body: { pattern: 'not a domain' }, pointer: '/pattern' },
    { name: 'turning is_regex off on a regex pattern', target: 2, body: { is_regex: false }, pointer: '/pattern' },
    { name: 'an RE2-incompatible regex', target: 0, body: { pattern: '(a)\\1', is_regex: true }, pointer: '/pattern', message: /RE2/ },
    { name: 'string "yes" for is_recent', target: 0, body: { is_recent: 'yes' }, pointer: '/is_recent' },
    { name: 'empty pattern', target: 0, body: { pattern: '' }, pointer: '/pattern' },
    { name: 'comments over 1024 characters', target: 0, body: { comments: long(1025) }, pointer: '/comments' },
  ],
  // No trusted-domain PATCH field is nullable → 400.
  nullPatches: [
    { field: 'comments', outcome: '400' },
    { field: 'is_recent', outcome: '400' },
    { field: 'is_regex', outcome: '400' },
    { field: 'is_similarity', outcome: '400' },
    { field: 'pattern', outcome: '400' },
  ],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  search: [
    { name: 'upper-case term matches patterns of some records and comments of another', query: { search: 'PARTNER' }, expected: [0, 2, 4] },
    { name: 'term matches comments only', query: { search: 'Ours' }, expected: [1, 3] },
    { name: 'term matches one pattern', query: { search: 'another' }, expected: [4] },
    { name: '% is literal', query: { search: '0%' }, expected: [1] },
    { name: 'a lone % is literal', query: { search: '%' }, expected: [1] },
    { name: '_ is literal', query: { search: 'sub_d' }, expected: [2] },
    { name: 'a lone _ is literal', query: { search: '_' }, expected: [2] },
  ],
  filters: [
    { name: 'is_recent=true', query: { is_recent: 'true' }, expected: [0, 2, 3] },
    { name: 'is_recent=false', query: { is_recent: 'false' }, expected: [1, 4] },
    { name: 'is_similarity=true', query: { is_similarity: 'true' }, expected: [1, 2] },
    { name: 'two filters AND', query: { is_recent: 'true', is_similarity: 'true' }, expected: [2] },
    { name: 'pattern exact', query: { pattern: 'lookalike.example' }, expected: [1, 3] },
    { name: 'pattern is not a substring match', query: { pattern: 'lookalike' }, expected: [] },
    { name: 'pattern AND boolean', query: { pattern: 'lookalike.example', is_recent: 'true' }, expected: [3] },
    { name: 'filter AND search', query: { is_recent: 'false', search: 'example' }, expected: [1, 4] },
    { name: 'filter AND search on comments', query: { is_similarity: 'false', search: 'OURS' }, expected: [3] },
  ],
  badFilters: [
    { name: 'boolean "yes"', query: { is_recent: 'yes' }, param: 'is_recent' },
    { name: 'boolean "1"', query: { is_similarity: '1' }, param: 'is_similarity' },
  ],
  regex: { body: (pattern) => ({ ...trustedBase, pattern, is_regex: true }), pointer: '/pattern', flag: 'is_regex' },
  batch: 'full',
  batchFull: {
    put: { is_recent: false, is_regex: false, is_similarity: true, pattern: 'replaced.example.net' },
    invalidPost: { ...trustedBase, pattern: 'not a domain' },
    invalidPostPointer: '/pattern',
    invalidPut: omit(trustedBase, 'is_similarity'),
    invalidPutPointer: '/is_similarity',
  },
  bulkDelete: false,
  bulkCreate: true,
};

// ---------------------------------------------------------------------------------------------------
// Impersonation registry
// ---------------------------------------------------------------------------------------------------

const displayBase: Values = { name: 'Jane Doe', email: 'jane.doe@corp.example', is_email_regex: false };

export const impersonationRegistry: ResourceFixture = {
  name: 'impersonation_registry',
  keys: [
    'comments',
    'created_at',
    'directory_id',
    'directory_node_id',
    'email',
    'external_directory_node_id',
    'id',
    'is_email_regex',
    'last_modified',
    'name',
    'provenance',
  ],
  creates: [
    { ...displayBase },
    { name: 'Finance_Team', email: 'finance@corp.example', is_email_regex: false },
    { name: 'Jane Doe', email: '.*@jane\\.example', is_email_regex: true },
    { name: 'Bob 100% CEO', email: 'finance@corp.example', is_email_regex: false },
    { name: 'FinancexTeam', email: 'fx@corp.example', is_email_regex: false },
  ],
  minimal: {
    body: { name: 'Min', email: 'min@example.com', is_email_regex: false },
    expected: {
      comments: null,
      directory_id: null,
      directory_node_id: null,
      email: 'min@example.com',
      external_directory_node_id: null,
      is_email_regex: false,
      name: 'Min',
      provenance: 'A1S_INTERNAL',
    },
  },
  validCreates: [
    { name: 'name of exactly 1024 characters', body: { ...displayBase, name: long(1024) } },
    { name: 'a regex email', body: { ...displayBase, email: '^ceo(\\+.*)?@corp\\.example$', is_email_regex: true } },
  ],
  generate: (i) => ({ ...displayBase, name: `Person ${i}`, email: `person${i}@corp.example` }),
  patch: { name: 'Jane Q. Doe', email: 'jane.q.doe@corp.example' },
  invalidCreates: [
    { name: 'missing name', body: omit(displayBase, 'name'), pointer: '/name' },
    { name: 'missing email', body: omit(displayBase, 'email'), pointer: '/email' },
    { name: 'missing is_email_regex', body: omit(displayBase, 'is_email_regex'), pointer: '/is_email_regex' },
    { name: 'string "true" for is_email_regex', body: { ...displayBase, is_email_regex: 'true' }, pointer: '/is_email_regex' },
    { name: 'number for name', body: { ...displayBase, name: 5 }, pointer: '/name' },
    { name: 'number for email', body: { ...displayBase, email: 5 }, pointer: '/email' },
    { name: 'name over 1024 characters', body: { ...displayBase, name: long(1025) }, pointer: '/name' },
    { name: 'invalid email address (is_email_regex false)', body: { ...displayBase, email: 'not-an-email' }, pointer: '/email' },
  ],
  invalidPatches: [
    { name: 'an invalid email address', target: 0, body: { email: 'not-an-email' }, pointer: '/email' },
    { name: 'turning is_email_regex off on a regex email', target: 2, body: { is_email_regex: false }, pointer: '/email' },
    { name: 'an RE2-incompatible regex', target: 0, body: { email: '(a)\\1@x', is_email_regex: true }, pointer: '/email', message: /RE2/ },
    { name: 'string "true" for is_email_regex', target: 0, body: { is_email_regex: 'true' }, pointer: '/is_email_regex' },
    { name: 'name over 1024 characters', target: 0, body: { name: long(1025) }, pointer: '/name' },
  ],
  nullPatches: [
    { field: 'email', outcome: 'unchanged' },
    { field: 'is_email_regex', outcome: 'unchanged' },
    { field: 'name', outcome: 'unchanged' },
  ],
  sort: { name: 'name', email: 'email', created_at: 'created_at' },
  search: [
    { name: 'term matches name of one and email of another', query: { search: 'JANE' }, expected: [0, 2] },
    { name: 'term matches emails', query: { search: 'corp.EXAMPLE' }, expected: [0, 1, 3, 4] },
    { name: 'term matches names and emails', query: { search: 'finance' }, expected: [1, 3, 4] },
    { name: '% is literal', query: { search: '%' }, expected: [3] },
    { name: '_ is literal', query: { search: 'e_T' }, expected: [1] },
    { name: 'a lone _ is literal', query: { search: '_' }, expected: [1] },
  ],
  filters: [
    { name: 'provenance=A1S_INTERNAL', query: { provenance: 'A1S_INTERNAL' }, expected: [0, 1, 2, 3, 4] },
    { name: 'provenance=SNOOPY-OFFICE_365', query: { provenance: 'SNOOPY-OFFICE_365' }, expected: [] },
    { name: 'provenance=SNOOPY-GOOGLE_DIRECTORY', query: { provenance: 'SNOOPY-GOOGLE_DIRECTORY' }, expected: [] },
    { name: 'filter AND search', query: { provenance: 'A1S_INTERNAL', search: 'jane' }, expected: [0, 2] },
    { name: 'filter AND search, nothing in common', query: { provenance: 'SNOOPY-CASB_OFFICE_365', search: 'jane' }, expected: [] },
  ],
  badFilters: [{ name: 'bad provenance enum', query: { provenance: 'MANUAL' }, param: 'provenance' }],
  regex: { body: (pattern) => ({ ...displayBase, email: pattern, is_email_regex: true }), pointer: '/email', flag: 'is_email_regex' },
  batch: 'none',
  bulkDelete: false,
  bulkCreate: false,
};

// ---------------------------------------------------------------------------------------------------
// Domains
// ---------------------------------------------------------------------------------------------------

export const domains: ResourceFixture = {
  name: 'domains',
  keys: [
    'allowed_delivery_modes',
    'authorization',
    'created_at',
    'dmarc_status',
    'domain',
    'drop_dispositions',
    'emails_processed',
    'folder',
    'id',
    'inbox_provider',
    'integration_id',
    'ip_restrictions',
    'last_modified',
    'lookback_hops',
    'o365_tenant_id',
    'regions',
    'require_tls_inbound',
    'require_tls_outbound',
    'spf_status',
    'transport',
  ],
  creates: [
    { domain: 'zulu.example.com', allowed_delivery_modes: ['DIRECT'], regions: ['US'], drop_dispositions: ['MALICIOUS'] },
    { domain: 'alpha.example.com', allowed_delivery_modes: ['BCC', 'API'] },
    { domain: 'mike.example.org', allowed_delivery_modes: ['API', 'JOURNAL'], lookback_hops: 3, transport: 'mx.mike.example.org' },
    { domain: 'bravo.example.net' },
    {
      domain: 'alpha-two.example.com',
      allowed_delivery_modes: ['JOURNAL', 'BCC'],
      ip_restrictions: ['192.0.2.0/24', '2001:db8::/32'],
      folder: 'Inbox',
      require_tls_inbound: true,
    },
  ],
  minimal: {
    body: { domain: 'min.example.com' },
    expected: {
      allowed_delivery_modes: ['API'],
      authorization: null,
      dmarc_status: null,
      domain: 'min.example.com',
      drop_dispositions: [],
      emails_processed: null,
      folder: null,
      inbox_provider: null,
      integration_id: null,
      ip_restrictions: [],
      lookback_hops: 1,
      o365_tenant_id: null,
      regions: ['GLOBAL'],
      require_tls_inbound: null,
      require_tls_outbound: null,
      spf_status: null,
      transport: '',
    },
  },
  validCreates: [
    {
      name: 'every writable field',
      body: {
        domain: 'full.example.com',
        allowed_delivery_modes: ['DIRECT', 'BCC', 'JOURNAL', 'API', 'RETRO_SCAN'],
        drop_dispositions: [
          'MALICIOUS',
          'MALICIOUS-BEC',
          'SUSPICIOUS',
          'SPOOF',
          'SPAM',
          'BULK',
          'ENCRYPTED',
          'EXTERNAL',
          'UNKNOWN',
          'NONE',
        ],
        folder: 'AllItems',
        integration_id: '3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
        ip_restrictions: ['192.0.2.10', '198.51.100.0/24'],
        lookback_hops: 20,
        regions: ['GLOBAL', 'AU', 'DE', 'IN', 'US'],
        require_tls_inbound: false,
        require_tls_outbound: true,
        transport: 'mx.full.example.com',
      },
    },
    { name: 'lookback_hops 1', body: { domain: 'hops.example.com', lookback_hops: 1 } },
  ],
  generate: (i) => ({ domain: `d${i}.example.com` }),
  patch: { lookback_hops: 5, drop_dispositions: ['SPAM', 'BULK'], transport: 'mx.zulu.example.com' },
  invalidCreates: [
    { name: 'missing domain', body: { allowed_delivery_modes: ['API'] }, pointer: '/domain' },
    { name: 'number for domain', body: { domain: 42 }, pointer: '/domain' },
    { name: 'empty domain', body: { domain: '' }, pointer: '/domain' },
    { name: 'invalid domain', body: { domain: 'not a domain' }, pointer: '/domain' },
    { name: 'single-label domain', body: { domain: 'localhost' }, pointer: '/domain' },
    {
      name: 'bad delivery mode',
      body: { domain: 'x.example.com', allowed_delivery_modes: ['SMTP'] },
      pointer: '/allowed_delivery_modes/0',
    },
    {
      name: 'delivery modes not an array',
      body: { domain: 'x.example.com', allowed_delivery_modes: 'API' },
      pointer: '/allowed_delivery_modes',
    },
    {
      name: 'bad drop disposition',
      body: { domain: 'x.example.com', drop_dispositions: ['SPAM', 'EVIL'] },
      pointer: '/drop_dispositions/1',
    },
    { name: 'bad region', body: { domain: 'x.example.com', regions: ['EU'] }, pointer: '/regions/0' },
    { name: 'lookback_hops 0', body: { domain: 'x.example.com', lookback_hops: 0 }, pointer: '/lookback_hops' },
    { name: 'lookback_hops 21', body: { domain: 'x.example.com', lookback_hops: 21 }, pointer: '/lookback_hops' },
    { name: 'string lookback_hops', body: { domain: 'x.example.com', lookback_hops: '3' }, pointer: '/lookback_hops' },
    {
      name: 'string "true" for require_tls_inbound',
      body: { domain: 'x.example.com', require_tls_inbound: 'true' },
      pointer: '/require_tls_inbound',
    },
    { name: 'bad folder', body: { domain: 'x.example.com', folder: 'Junk' }, pointer: '/folder' },
    { name: 'integration_id not a uuid', body: { domain: 'x.example.com', integration_id: 'not-a-uuid' }, pointer: '/integration_id' },
    {
      name: 'ip_restrictions entry not an IP',
      body: { domain: 'x.example.com', ip_restrictions: ['192.0.2.1', 'nope'] },
      pointer: '/ip_restrictions/1',
    },
    { name: 'number for transport', body: { domain: 'x.example.com', transport: 25 }, pointer: '/transport' },
  ],
  invalidPatches: [
    { name: 'an invalid domain', target: 0, body: { domain: 'not a domain' }, pointer: '/domain' },
    { name: 'lookback_hops 21', target: 0, body: { lookback_hops: 21 }, pointer: '/lookback_hops' },
    { name: 'lookback_hops 0', target: 0, body: { lookback_hops: 0 }, pointer: '/lookback_hops' },
    { name: 'bad delivery mode', target: 0, body: { allowed_delivery_modes: ['FOO'] }, pointer: '/allowed_delivery_modes/0' },
    { name: 'bad ip restriction', target: 0, body: { ip_restrictions: ['nope'] }, pointer: '/ip_restrictions/0' },
    { name: 'integration_id not a uuid', target: 0, body: { integration_id: 'x' }, pointer: '/integration_id' },
    { name: 'bad folder', target: 0, body: { folder: 'Junk' }, pointer: '/folder' },
  ],
  // No domain PATCH field is nullable → 400.
  nullPatches: [
    { field: 'allowed_delivery_modes', outcome: '400' },
    { field: 'domain', outcome: '400' },
    { field: 'drop_dispositions', outcome: '400' },
    { field: 'folder', outcome: '400' },
    { field: 'integration_id', outcome: '400' },
    { field: 'ip_restrictions', outcome: '400' },
    { field: 'lookback_hops', outcome: '400' },
    { field: 'regions', outcome: '400' },
    { field: 'require_tls_inbound', outcome: '400' },
    { field: 'require_tls_outbound', outcome: '400' },
    { field: 'transport', outcome: '400' },
  ],
  sort: { domain: 'domain', created_at: 'created_at' },
  search: [
    { name: 'upper-case term', query: { search: 'ALPHA' }, expected: [1, 4] },
    { name: 'term with a dot', query: { search: 'example.com' }, expected: [0, 1, 4] },
    { name: 'term matches a single domain', query: { search: 'mike' }, expected: [2] },
    { name: 'a lone % is literal (no domain has one)', query: { search: '%' }, expected: [] },
    { name: 'a lone _ is literal (no domain has one)', query: { search: '_' }, expected: [] },
    { name: '_ inside a term is literal', query: { search: 'alpha_two' }, expected: [] },
  ],
  filters: [
    { name: 'allowed_delivery_mode=API', query: { allowed_delivery_mode: 'API' }, expected: [1, 2, 3] },
    { name: 'allowed_delivery_mode=BCC', query: { allowed_delivery_mode: 'BCC' }, expected: [1, 4] },
    { name: 'allowed_delivery_mode=JOURNAL', query: { allowed_delivery_mode: 'JOURNAL' }, expected: [2, 4] },
    { name: 'allowed_delivery_mode=RETRO_SCAN', query: { allowed_delivery_mode: 'RETRO_SCAN' }, expected: [] },
    { name: 'active_delivery_mode=BCC (first allowed mode)', query: { active_delivery_mode: 'BCC' }, expected: [1] },
    { name: 'active_delivery_mode=API', query: { active_delivery_mode: 'API' }, expected: [2, 3] },
    { name: 'active_delivery_mode=JOURNAL', query: { active_delivery_mode: 'JOURNAL' }, expected: [4] },
    { name: 'active_delivery_mode=DIRECT', query: { active_delivery_mode: 'DIRECT' }, expected: [0] },
    { name: 'domain= one value', query: { domain: 'alpha.example.com' }, expected: [1] },
    { name: 'domain= repeated', query: { domain: ['alpha.example.com', 'bravo.example.net'] }, expected: [1, 3] },
    { name: 'domain= repeated with an unknown value', query: { domain: ['nope.example.com', 'mike.example.org'] }, expected: [2] },
    { name: 'domain= is exact, not a substring', query: { domain: 'alpha.example' }, expected: [] },
    { name: 'domain= compares case-insensitively', query: { domain: 'ALPHA.Example.COM' }, expected: [1] },
    { name: 'allowed AND active', query: { allowed_delivery_mode: 'BCC', active_delivery_mode: 'JOURNAL' }, expected: [4] },
    {
      name: 'allowed AND domain',
      query: { allowed_delivery_mode: 'API', domain: ['alpha.example.com', 'zulu.example.com'] },
      expected: [1],
    },
    { name: 'filter AND search', query: { allowed_delivery_mode: 'API', search: 'example.org' }, expected: [2] },
    { name: 'filter AND search, nothing in common', query: { active_delivery_mode: 'DIRECT', search: 'alpha' }, expected: [] },
  ],
  badFilters: [
    { name: 'bad allowed_delivery_mode', query: { allowed_delivery_mode: 'SMTP' }, param: 'allowed_delivery_mode' },
    { name: 'bad active_delivery_mode', query: { active_delivery_mode: 'api' }, param: 'active_delivery_mode' },
  ],
  batch: 'none',
  bulkDelete: true,
  bulkCreate: false,
};

// ---------------------------------------------------------------------------------------------------
// Sending domain restrictions
// ---------------------------------------------------------------------------------------------------

export const sendingDomainRestrictions: ResourceFixture = {
  name: 'sending_domain_restrictions',
  keys: ['comments', 'created_at', 'domain', 'exclude', 'id', 'last_modified', 'modified_at'],
  creates: [
    { domain: 'mail.example.com', exclude: ['legacy.mail.example.com'], comments: 'Require TLS' },
    { domain: 'bulk.example.org', exclude: [], comments: '100% tls' },
    { domain: 'mail.example.com', exclude: [], comments: 'tls_only' },
    { domain: 'alpha.example.net', exclude: ['x.alpha.example.net', 'y.alpha.example.net'], comments: '100x tls' },
    { domain: 'zed.example.com', exclude: [], comments: 'tlsxonly' },
  ],
  minimal: {
    body: { domain: 'min.example.com', exclude: [] },
    expected: { comments: null, domain: 'min.example.com', exclude: [] },
  },
  validCreates: [
    { name: 'comments of exactly 1024 characters', body: { domain: 'c.example.com', exclude: [], comments: long(1024) } },
    { name: 'several excludes', body: { domain: 'c.example.com', exclude: ['a.c.example.com', 'b.c.example.com'] } },
  ],
  generate: (i) => ({ domain: `s${i}.example.com`, exclude: [] }),
  patch: { exclude: ['a.mail.example.com'], comments: 'patched comment' },
  invalidCreates: [
    { name: 'missing domain', body: { exclude: [] }, pointer: '/domain' },
    { name: 'missing exclude', body: { domain: 'x.example.com' }, pointer: '/exclude' },
    { name: 'number for domain', body: { domain: 3, exclude: [] }, pointer: '/domain' },
    { name: 'exclude not an array', body: { domain: 'x.example.com', exclude: 'a.x.example.com' }, pointer: '/exclude' },
    { name: 'number in exclude', body: { domain: 'x.example.com', exclude: [3] }, pointer: '/exclude/0' },
    { name: 'number for comments', body: { domain: 'x.example.com', exclude: [], comments: 3 }, pointer: '/comments' },
    { name: 'comments over 1024 characters', body: { domain: 'x.example.com', exclude: [], comments: long(1025) }, pointer: '/comments' },
    { name: 'invalid domain', body: { domain: 'not a domain', exclude: [] }, pointer: '/domain' },
    {
      name: 'invalid exclude entry',
      body: { domain: 'x.example.com', exclude: ['ok.x.example.com', 'bad domain'] },
      pointer: '/exclude/1',
    },
  ],
  invalidPatches: [
    { name: 'an invalid domain', target: 0, body: { domain: 'bad' }, pointer: '/domain' },
    { name: 'an invalid exclude entry', target: 0, body: { exclude: ['bad domain'] }, pointer: '/exclude/0' },
    { name: 'exclude not an array', target: 0, body: { exclude: 'a.example.com' }, pointer: '/exclude' },
    { name: 'comments over 1024 characters', target: 0, body: { comments: long(1025) }, pointer: '/comments' },
  ],
  // Only comments is string|null on PATCH.
  nullPatches: [
    { field: 'comments', outcome: 'clears' },
    { field: 'domain', outcome: '400' },
    { field: 'exclude', outcome: '400' },
  ],
  sort: { domain: 'domain', created_at: 'created_at' },
  search: [
    { name: 'term matches an exclude entry', query: { search: 'LEGACY' }, expected: [0] },
    { name: 'term matches the second exclude entry', query: { search: 'y.alpha' }, expected: [3] },
    { name: 'term matches domains', query: { search: 'Mail' }, expected: [0, 2] },
    { name: 'term matches comments', query: { search: 'tls' }, expected: [0, 1, 2, 3, 4] },
    { name: '% is literal', query: { search: '0%' }, expected: [1] },
    { name: '_ is literal', query: { search: 'tls_' }, expected: [2] },
    { name: 'a lone _ is literal', query: { search: '_' }, expected: [2] },
    { name: 'JSON punctuation of the stored exclude list is not searchable text', query: { search: '[]' }, expected: [] },
    { name: 'quotes are not part of exclude entries', query: { search: '"legacy' }, expected: [] },
  ],
  filters: [],
  badFilters: [],
  batch: 'deletes',
  bulkDelete: false,
  bulkCreate: false,
};

export const FIXTURES: ResourceFixture[] = [
  allowPolicies,
  blockSenders,
  trustedDomains,
  impersonationRegistry,
  domains,
  sendingDomainRestrictions,
];
