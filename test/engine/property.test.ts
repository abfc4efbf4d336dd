/**
 * Property tests: on random settings and messages the indexed engine must say exactly what the naive
 * reference says (disposition, action, recipients, matches, and therefore the explanation too). The
 * values come from small vocabularies built to collide (arbitraries.ts).
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { parseIp, parseIpv6Groups } from '../../src/engine/address/ip.js';
import { compileSettings, evaluate, evaluateAll, type AccountSettings, type Message } from '../../src/engine/index.js';
import { RegexIndex, requiredLiterals } from '../../src/engine/indexes/regex-index.js';
import { messageArbitrary, pick, settingsArbitrary } from './arbitraries.js';
import { naiveEvaluate } from './reference/naive.js';

describe('indexed engine vs naive reference', () => {
  it('agree exactly on random settings and messages', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(settingsArbitrary, fc.array(messageArbitrary, { minLength: 1, maxLength: 6 }), (account, messages) => {
        const compiled = compileSettings(account);
        for (const m of messages) {
          const verdict = evaluate(compiled, m);
          expect(verdict).toEqual(naiveEvaluate(account, m));
          for (const key of [verdict.disposition, verdict.action, ...verdict.matches.map((match) => match.effect)]) {
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
      }),
      { numRuns: 400 },
    );
    // The vocabularies are built so that every kind of match and most outcomes occur (SPAM and BULK
    // are rarely the most severe, so they are not required here; the rule tests cover them).
    if (process.env.ENGINE_STATS) console.log(Object.fromEntries(seen));
    for (const key of [
      'MALICIOUS',
      'MALICIOUS-BEC',
      'SUSPICIOUS',
      'SPOOF',
      'NONE',
      'drop',
      'deliver',
      'block',
      'trusted_sender',
      'trusted_sender_not_honoured',
      'acceptable_sender',
      'exempt_recipient',
      'impersonation',
      'registered_sender',
      'lookalike',
      'exempt_recent',
      'exempt_similarity',
      'drop_without_tls',
    ]) {
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });

  it('evaluateAll, which works in stages over the batch, gives each message the verdict evaluate gives it', () => {
    fc.assert(
      fc.property(settingsArbitrary, fc.array(messageArbitrary, { minLength: 1, maxLength: 12 }), (account, messages) => {
        const compiled = compileSettings(account);
        // A compiled set of its own for each, so nothing one leaves in the indexes' caches helps the other.
        const one = compileSettings(account);
        expect(evaluateAll(compiled, messages)).toEqual(messages.map((m) => evaluate(one, m)));
      }),
      { numRuns: 300 },
    );
  });

  it('agree when large tables put Bloom filters in front of the maps', () => {
    // Enough unrelated patterns for filters of many lines in the address, domain and IPv4 tables.
    const filler = Array.from({ length: 4200 }, (_, i) => [
      { id: 1_000_000 + 3 * i, pattern: `user${i}@filler${i}.example`, pattern_type: 'EMAIL' as const, is_regex: false },
      { id: 1_000_001 + 3 * i, pattern: `filler${i}.example.org`, pattern_type: 'DOMAIN' as const, is_regex: false },
      { id: 1_000_002 + 3 * i, pattern: `100.${(i >> 8) & 255}.${i & 255}.1`, pattern_type: 'IP' as const, is_regex: false },
    ]).flat();
    fc.assert(
      fc.property(settingsArbitrary, fc.array(messageArbitrary, { minLength: 1, maxLength: 4 }), (small, messages) => {
        const account = { ...small, block_senders: [...small.block_senders, ...filler] };
        const compiled = compileSettings(account);
        for (const m of messages) expect(evaluate(compiled, m)).toEqual(naiveEvaluate(account, m));
      }),
      { numRuns: 12 },
    );
  });

  it('agree when the same compiled settings evaluate many messages in a row (memo and caches)', () => {
    fc.assert(
      fc.property(settingsArbitrary, fc.array(messageArbitrary, { minLength: 20, maxLength: 40 }), (account, messages) => {
        const compiled = compileSettings(account);
        for (const m of [...messages, ...messages]) expect(evaluate(compiled, m)).toEqual(naiveEvaluate(account, m));
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Lookalikes on their own: protected names of every length (short ones are found by deletion variants,
 * long ones by their ends, both behind a hashed filter), and sender domains a few random edits away,
 * written with the characters that fold (`m` is `rn`, `1` and `l` are `i`, `0` is `o`), under
 * subdomains and other suffixes, and sometimes as IDN.
 */
const NAME_CHARS = ['a', 'c', 'e', 'i', 'l', 'm', 'n', 'o', 'r', 'p', '0', '1', '-', 'rn', 'x'];
const nameArbitrary = fc
  .array(pick(NAME_CHARS), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join('').replace(/^-+|-+$/g, '') || 'a');
type Edit = { kind: 'insert' | 'delete' | 'substitute' | 'swap'; at: number; char: string };
const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  kind: pick(['insert', 'delete', 'substitute', 'swap'] as const),
  at: fc.nat(20),
  char: pick(NAME_CHARS),
});

function applyEdit(name: string, { kind, at, char }: Edit): string {
  const i = at % (name.length + 1);
  if (kind === 'insert') return name.slice(0, i) + char + name.slice(i);
  if (kind === 'delete') return name.slice(0, i) + name.slice(i + 1);
  if (kind === 'substitute') return name.slice(0, i) + char + name.slice(i + 1);
  return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name;
}

const SUFFIXES = ['com', 'net', 'co.uk', 'de'];
const lookalikeCase = fc
  .record({
    names: fc.array(fc.tuple(nameArbitrary, pick(SUFFIXES)), { minLength: 1, maxLength: 5 }),
    senders: fc.array(
      fc.record({
        of: fc.nat(4),
        edits: fc.array(editArbitrary, { maxLength: 2 }),
        subdomain: pick(['', 'mail.', 'a.b.']),
        suffix: pick(SUFFIXES),
        upper: fc.boolean(),
        idn: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ names, senders }) => ({
    names,
    domains: senders.map(({ of, edits, subdomain, suffix, upper, idn }) => {
      const name = edits.reduce(applyEdit, names[of % names.length][0]) || 'x';
      // An IDN form: the first `o` as Cyrillic о, so the domain reaches the engine as `xn--…`.
      const written = idn ? name.replace('o', 'о') : name;
      const domain = `${subdomain}${written}.${suffix}`;
      return upper ? domain.toUpperCase() : domain;
    }),
  }));

describe('lookalike index vs naive reference', () => {
  it('finds exactly the lookalikes the naive scan finds, for names of every length', () => {
    let found = 0;
    fc.assert(
      fc.property(lookalikeCase, ({ names, domains }) => {
        const account: AccountSettings = {
          allow_policies: [],
          block_senders: [],
          trusted_domains: [],
          impersonation_registry: [],
          domains: names.map(([name, suffix], i) => ({ id: i + 1, domain: `${name}.${suffix}`, drop_dispositions: [] })),
          sending_domain_restrictions: [],
        };
        const compiled = compileSettings(account);
        for (const domain of domains) {
          const message: Message = { from: `ceo@${domain}`, recipients: ['a@example.org'] };
          const verdict = evaluate(compiled, message);
          expect(verdict).toEqual(naiveEvaluate(account, message));
          if (verdict.matches.length > 0) found++;
        }
      }),
      { numRuns: 1500 },
    );
    // Most senders are an edit or two from a protected name: many of them must be lookalikes.
    expect(found).toBeGreaterThan(500);
  });
});

// A tiny regex grammar: literals, wildcards, classes, groups, alternations and quantifiers.
const regexArbitrary: fc.Arbitrary<string> = fc.letrec<{ term: string; concat: string; regex: string }>((tie) => ({
  term: fc.oneof(
    { weight: 6, arbitrary: pick(['a', 'b', 'c', 'A', 'k', 's', '.', '@', 'x', '\\.', '\\@', '-']) },
    { weight: 1, arbitrary: pick(['[ab]', '[^a]', '\\d', '\\w', '.']) },
    { weight: 1, arbitrary: tie('regex').map((r) => `(${r})`) },
  ),
  concat: fc
    .array(fc.tuple(tie('term'), pick(['', '', '', '*', '+', '?', '{2}', '{0,1}', '+?'])), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.map(([term, q]) => term + q).join('')),
  regex: fc.oneof(
    { weight: 4, arbitrary: tie('concat') },
    { weight: 1, arbitrary: fc.tuple(tie('concat'), tie('concat')).map(([a, b]) => `${a}|${b}`) },
  ),
})).regex;
const inputArbitrary = fc.stringMatching(/^[abcAsSxXkK@.\-0-9ſ\u212a]{0,12}$/);

describe('regex index', () => {
  it('required literals are in every value the regex matches', () => {
    fc.assert(
      fc.property(regexArbitrary, fc.array(inputArbitrary, { maxLength: 20 }), (pattern, inputs) => {
        let regex: RE2;
        try {
          regex = new RE2(`^(?:${pattern})$`, 'i');
          new RE2(pattern, 'i');
        } catch {
          return;
        }
        const literals = requiredLiterals(pattern);
        for (const input of inputs) {
          if (!regex.test(input)) continue;
          const searchable = input.toLowerCase().replaceAll('ſ', 's');
          for (const literal of literals) expect(searchable).toContain(literal);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('finds exactly the regexes that match, whatever the mix of filtered and unfiltered ones', () => {
    fc.assert(
      fc.property(fc.array(regexArbitrary, { maxLength: 12 }), fc.array(inputArbitrary, { maxLength: 15 }), (patterns, inputs) => {
        const index = new RegexIndex<number>();
        const accepted: { regex: RE2; id: number }[] = [];
        patterns.forEach((pattern, id) => {
          if (!index.add(pattern, id)) return;
          accepted.push({ regex: new RE2(`^(?:${pattern})$`, 'i'), id });
        });
        index.build();
        for (const input of inputs) {
          const found: number[] = [];
          index.match(input, (id) => found.push(id));
          const expected = accepted.filter((a) => a.regex.test(input)).map((a) => a.id);
          expect(found.sort((a, b) => a - b)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('IPv6 parsing', () => {
  it('reads every IPv6 text form as ipaddr.js does', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const expected = ipaddr.IPv6.parse(text).parts;
        expect(parseIpv6Groups(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what is not an address', () => {
    for (const text of ['1::2::3', ':1', '1:', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '::ffff:1.2.3', 'g::1', ':::']) {
      expect(parseIpv6Groups(text)).toBeUndefined();
    }
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ v6: false, words: [0xc0000201] });
  });
});
