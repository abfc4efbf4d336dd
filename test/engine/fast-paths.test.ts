/**
 * The indexed engine's shortcuts against what they stand for: addresses read and hashed in one pass,
 * folded names hashed without building the key, the IPv6 prefix table, the lookalike filter and the
 * cache of lookalike answers kept across messages, and what is remembered from one evaluation to the next.
 */
import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { HASH_BITS, hashString } from '../../src/engine/bloom.js';
import { HASHED_LABELS, normalizeAddress } from '../../src/engine/address/address.js';
import { normalizeDomain } from '../../src/engine/address/domain.js';
import { parseCidr, parseIp } from '../../src/engine/address/ip.js';
import { compileSettings, evaluate, type AccountSettings, type Message } from '../../src/engine/index.js';
import { Ipv6PrefixTable } from '../../src/engine/indexes/ip-prefix-tables.js';
import { RegexIndex } from '../../src/engine/indexes/regex-index.js';
import { FOLD_HASH_EMPTY, FOLD_HASH_UNKNOWN, foldKey, foldKeyHash } from '../../src/engine/skeleton/skeleton.js';
import { IpTrie } from './reference/ip-trie.js';
import { naiveEvaluate } from './reference/naive.js';

/** `normalizeAddress` as first written: a regular expression for the already-normal case. */
function referenceAddress(value: string | undefined): { raw: string; address: string; domain: string } | undefined {
  if (value === undefined || value.length === 0) return undefined;
  if (/^[^\sA-Z][^A-Z]*@[a-z0-9_-][a-z0-9._-]*$/.test(value) && value.charCodeAt(value.length - 1) !== 46) {
    return { raw: value, address: value, domain: value.slice(value.lastIndexOf('@') + 1) };
  }
  const raw = value.trim();
  if (raw === '') return undefined;
  const at = raw.lastIndexOf('@');
  if (at < 0) return { raw, address: raw.toLowerCase(), domain: '' };
  const domain = normalizeDomain(raw.slice(at + 1));
  return { raw, address: `${raw.slice(0, at).toLowerCase()}@${domain}`, domain };
}

const small = (text: string) => hashString(text) & HASH_BITS;

describe('reading addresses', () => {
  const pieces = [
    'a',
    'b',
    'z',
    'Q',
    '0',
    '9',
    '@',
    '.',
    '-',
    '_',
    ' ',
    '\t',
    '\u00a0',
    'é',
    'É',
    'ſ',
    'xn--',
    'mail',
    '+',
    '..',
    '@x.com',
  ];
  const text = fc.array(fc.constantFrom(...pieces), { maxLength: 14 }).map((parts) => parts.join(''));

  it('reads every value as the regular-expression version did, with the hashes of the address and its suffixes', () => {
    fc.assert(
      fc.property(text, (value) => {
        const read = normalizeAddress(value);
        const expected = referenceAddress(value);
        if (expected === undefined) {
          expect(read).toBeUndefined();
          return;
        }
        expect(read).toBeDefined();
        const { raw, address, domain } = read!;
        expect({ raw, address, domain }).toEqual(expected);
        expect(read!.hash).toBe(small(address));
        const labels = domain === '' ? [] : domain.split('.');
        expect(read!.labels).toBe(labels.length);
        expect(read!.domainHash).toBe(domain === '' ? 0 : small(domain));
        for (let count = 1; count <= HASHED_LABELS; count++) {
          expect(read!.suffixHash(count)).toBe(count <= labels.length ? small(labels.slice(-count).join('.')) : 0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('folded name hashes', () => {
  const printable = fc.array(fc.constantFrom('J', 'a', 'n', 'e', ' ', '  ', 'M', 'm', 'I', 'l', '1', '0', 'O', '"', '%', "'", '-', '.'), {
    maxLength: 12,
  });

  it('hash printable ASCII names to the hash of their folded key, without building it', () => {
    fc.assert(
      fc.property(printable, (parts) => {
        const name = parts.join('');
        const key = foldKey(name);
        expect(foldKeyHash(name)).toBe(key === '' ? FOLD_HASH_EMPTY : small(key));
      }),
      { numRuns: 2000 },
    );
    for (let code = 0x20; code < 0x7f; code++) {
      const name = ` x${String.fromCharCode(code)}  Y${String.fromCharCode(code)} `;
      expect(foldKeyHash(name), name).toBe(small(foldKey(name)));
    }
  });

  it('leave other names to foldKey', () => {
    expect(foldKeyHash('Jаne')).toBe(FOLD_HASH_UNKNOWN); // Cyrillic а
    expect(foldKeyHash('José')).toBe(FOLD_HASH_UNKNOWN);
    expect(foldKeyHash('a\tb')).toBe(FOLD_HASH_UNKNOWN);
    expect(foldKeyHash('   ')).toBe(FOLD_HASH_EMPTY);
  });
});

describe('regex literals found where their gram is', () => {
  // Literals that repeat their own grams (`aaaa`, `abab`), values in lowercase ASCII (the position
  // check) and not (the search-form check).
  const piece = fc.constantFrom('a', 'b', 'ab', 'aaa', 'abab', '.', '@', 'x', 'mail', '1', 'A', 'ſ');
  const literal = fc
    .array(fc.constantFrom('a', 'b', 'ab', 'aa', '@', '.', 'x', 'mail', '1'), { minLength: 2, maxLength: 4 })
    .map((p) => p.join(''));
  const escape = (text: string) => text.replace(/[.]/g, '\\.');

  it('finds exactly the regexes that match', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(literal, fc.constantFrom('.*', '[a-z]*', '')), { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
          { maxLength: 10 },
        ),
        (specs, values) => {
          const index = new RegexIndex<number>();
          const patterns = specs.map(([text, around]) => `${around}${escape(text)}${around}`);
          patterns.forEach((pattern, id) => index.add(pattern, id));
          index.build();
          for (const value of [...values, ...specs.map(([text]) => `z${text}${text}z`), ...specs.map(([text]) => text)]) {
            const expected = patterns
              .map((pattern, id) => (new RE2(`^(?:${pattern})$`, 'i').test(value) ? id : -1))
              .filter((id) => id >= 0);
            expect(
              (index.find(value, undefined) ?? []).sort((a, b) => a - b),
              `${value} ${patterns.join(' ')}`,
            ).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('IPv6 prefix table', () => {
  const group = fc.constantFrom('0', '1', 'db8', '2001', 'abcd', 'ffff', '8000');
  const address = fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) => groups.join(':'));
  const prefix = fc.constantFrom(0, 1, 16, 31, 32, 33, 48, 63, 64, 96, 127, 128);

  it('finds every block containing an address, as the trie does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(address, prefix), { maxLength: 12 }), fc.array(address, { maxLength: 8 }), (blocks, probes) => {
        const table = new Ipv6PrefixTable<string>();
        const trie = new IpTrie<string>();
        for (const [text, bits] of blocks) {
          const cidr = parseCidr(`${text}/${bits}`);
          if (!cidr?.v6) continue;
          table.insert(cidr.words, cidr.prefix, `${text}/${bits}`);
          trie.insert(cidr.words, cidr.prefix, `${text}/${bits}`);
        }
        table.seal();
        for (const probe of [...probes, ...blocks.map(([text]) => text)]) {
          const ip = parseIp(probe);
          if (!ip?.v6) continue;
          const fromTrie: string[] = [];
          trie.collect(ip.words, 128, (block) => fromTrie.push(block));
          expect((table.find(ip.words, undefined) ?? []).sort()).toEqual(fromTrie.sort());
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('caches and memos kept across messages', () => {
  const protectedNames = ['paypal', 'example', 'acme', 'northwind'];
  const settings = (offset: number): AccountSettings => ({
    allow_policies: [
      {
        id: offset + 1,
        pattern: 'soc@example.com',
        pattern_type: 'EMAIL',
        is_regex: false,
        is_trusted_sender: false,
        is_exempt_recipient: true,
        is_acceptable_sender: false,
        verify_sender: false,
      },
      {
        id: offset + 2,
        pattern: 'mx.example.com',
        pattern_type: 'DOMAIN',
        is_regex: false,
        is_trusted_sender: true,
        is_exempt_recipient: true,
        is_acceptable_sender: false,
        verify_sender: true,
      },
    ],
    block_senders: [{ id: offset + 3, pattern: 'example.net', pattern_type: 'DOMAIN', is_regex: false }],
    trusted_domains: [{ id: offset + 4, pattern: 'paypa1.com', is_regex: false, is_recent: false, is_similarity: true }],
    impersonation_registry: [],
    domains: protectedNames.map((name, i) => ({
      id: offset + 10 + i,
      domain: `${name}.com`,
      drop_dispositions: i % 2 === 0 ? ['MALICIOUS', 'SPOOF'] : [],
    })),
    sending_domain_restrictions: [],
  });

  it('answer lookalikes the same way after the cache is full and entries are replaced', () => {
    const account = settings(0);
    const compiled = compileSettings(account);
    const variants = (name: string) => [name, `${name}s`, name.replace('a', '4'), name.replace('l', '1'), name.slice(1), `x${name}`];
    const domains: string[] = [];
    for (let i = 0; i < 21_000; i++) {
      const name = variants(protectedNames[i % protectedNames.length])[i % 6];
      domains.push(i % 3 === 0 ? `${name}.com` : `${name}${i}.${['com', 'net', 'co.uk'][i % 3]}`);
    }
    // All of them once (more domains than the cache holds), then some again.
    for (const step of [1, 5]) {
      for (let i = 0; i < domains.length; i += step) {
        const message: Message = { from: `ceo@${domains[i]}`, recipients: ['a@example.com'], authentication: { dmarc: 'fail' } };
        expect(evaluate(compiled, message)).toEqual(naiveEvaluate(account, message));
      }
    }
  });

  it("answer the same recipients by each compiled account's own settings, evaluation after evaluation", () => {
    const first = settings(0);
    const second: AccountSettings = { ...settings(100), allow_policies: [] };
    const compiled = [compileSettings(first), compileSettings(second)];
    const recipients = ['soc@example.com', 'a@mx.example.com', 'b@paypal.com', 'c@acme.com', 'SOC@Example.COM'];
    for (let round = 0; round < 3; round++) {
      for (const [i, account] of [first, second].entries()) {
        for (const from of ['x@example.net', 'y@paypa1.com', 'z@acrne.com', 'w@mx.example.com']) {
          const message: Message = { from, recipients, authentication: { dmarc: round === 1 ? 'pass' : 'fail' } };
          expect(evaluate(compiled[i], message)).toEqual(naiveEvaluate(account, message));
        }
      }
    }
  });
});
