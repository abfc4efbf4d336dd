/** The index building blocks on their own: regex literals, IP tables, lookalike helpers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipInCidr, parseCidr, parseIp } from '../../src/engine/address/ip.js';
import { Ipv4PrefixTable } from '../../src/engine/indexes/ip-prefix-tables.js';
import { RegexIndex, requiredLiterals } from '../../src/engine/indexes/regex-index.js';
import { editDistance, imitates, profileDomain } from '../../src/engine/lookalike.js';
import { IpTrie } from './reference/ip-trie.js';

describe('requiredLiterals', () => {
  it('reads the literal runs every match must contain', () => {
    expect(requiredLiterals('.*@evil\\.example')).toEqual(['@evil.example']);
    expect(requiredLiterals('[a-z]+@(mail|smtp)\\.Bad-Domain\\.net')).toEqual(['@', '.bad-domain.net'].filter((r) => r.length >= 3));
    expect(requiredLiterals('news?letter@x\\.com')).toEqual(['new', 'letter@x.com']);
    expect(requiredLiterals('ab+cdef')).toEqual(['cdef']); // conservative: the run restarts after a repeat
    expect(requiredLiterals('abc{0,2}def')).toEqual(['def']);
    expect(requiredLiterals('abc{2}def')).toEqual(['abc', 'def']);
    expect(requiredLiterals('\\x61bc\\d+xyz')).toEqual(['bc', 'xyz'].filter((r) => r.length >= 3));
  });

  it('promises nothing for top-level alternations or \\Q…\\E', () => {
    expect(requiredLiterals('evil\\.com|bad\\.net')).toEqual([]);
    expect(requiredLiterals('\\Qa.b.c\\E')).toEqual([]);
    expect(requiredLiterals('(a|b)cde')).toEqual(['cde']);
  });
});

describe('RegexIndex', () => {
  it('matches thousands of regexes, more than one RE2.Set compiles', () => {
    const index = new RegexIndex<number>();
    for (let i = 0; i < 12_000; i++) index.add(`.*@spam${i}\\.example\\.(com|net)`, i);
    for (let i = 0; i < 50; i++) index.add(`[a-z]+${i}x?@[0-9]+\\.example`, 100_000 + i); // no usable literal
    index.build();
    const found = (value: string) => {
      const ids: number[] = [];
      index.match(value, (id) => ids.push(id));
      return ids.sort((a, b) => a - b);
    };
    expect(found('bob@SPAM11999.example.net')).toEqual([11_999]);
    expect(found('abc7@42.example')).toEqual([100_007]);
    expect(found('bob@spam1.example.org')).toEqual([]);
  });
});

describe('IP tables', () => {
  const blocks = ['0.0.0.0/0', '203.0.113.0/24', '203.0.113.128/25', '203.0.113.7', '198.51.100.0/22', '10.0.0.0/8'];

  it('the prefix table and the trie find every block containing an address, as a scan does', () => {
    const table = new Ipv4PrefixTable<string>();
    const trie = new IpTrie<string>();
    for (const block of blocks) {
      const cidr = parseCidr(block)!;
      table.insert(cidr.words[0], cidr.prefix, block);
      trie.insert(cidr.words, cidr.prefix, block);
    }
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.constantFrom('203.0.113.7', '203.0.113.200', '198.51.103.255', '198.51.104.0')), (text) => {
        const ip = parseIp(text)!;
        const expected = blocks.filter((block) => ipInCidr(ip, parseCidr(block)!)).sort();
        const fromTable: string[] = [];
        table.collect(ip.words[0], (block) => fromTable.push(block));
        const fromTrie: string[] = [];
        trie.collect(ip.words, 32, (block) => fromTrie.push(block));
        expect(fromTable.sort()).toEqual(expected);
        expect(fromTrie.sort()).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a Bloom filter in front of large tables without losing blocks', () => {
    const table = new Ipv4PrefixTable<number>();
    for (let i = 0; i < 10_000; i++) table.insert((0xc6330000 + i * 7) >>> 0, 32, i);
    table.insert(0xcb007100, 24, -1);
    table.seal();
    const hits = (address: number) => {
      const found: number[] = [];
      table.collect(address, (value) => found.push(value));
      return found;
    };
    expect(hits((0xc6330000 + 700) >>> 0)).toEqual([100]);
    expect(hits(0xcb0071fe)).toEqual([-1]);
    expect(hits(0x08080808)).toEqual([]);
  });
});

describe('lookalike helpers', () => {
  it('edit distance counts insertions, deletions, substitutions and adjacent swaps, capped at 2', () => {
    expect(editDistance('paypal', 'paypal')).toBe(0);
    expect(editDistance('paypal', 'paypall')).toBe(1);
    expect(editDistance('paypal', 'payal')).toBe(1);
    expect(editDistance('paypal', 'paypel')).toBe(1);
    expect(editDistance('paypal', 'pyapal')).toBe(1);
    expect(editDistance('paypal', 'ppyaal')).toBe(2);
    expect(editDistance('paypal', 'pay')).toBe(2);
    expect(editDistance('𝔞bc', 'abc')).toBe(1);
  });

  it('reads registrable names with the public suffix list', () => {
    expect(profileDomain('mail.paypal.co.uk')).toEqual({ registrable: 'paypal.co.uk', label: 'paypai', size: 6 });
    expect(profileDomain('co.uk')).toBeUndefined();
    const protectedDomain = profileDomain('paypal.com')!;
    expect(imitates(profileDomain('paypal.co.uk')!, protectedDomain)).toBe(true);
    expect(imitates(profileDomain('www.paypal.com')!, protectedDomain)).toBe(false);
    expect(imitates(profileDomain('xn--pypal-4ve.com')!, protectedDomain)).toBe(true); // pаypal, Cyrillic а
  });
});
