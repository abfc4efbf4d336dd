/**
 * Unicode TR39 confusable skeletons, and the folded comparison keys the engine builds on them.
 *
 * `skeleton(x)` is the TR39 algorithm as published: NFD, remove default-ignorable code points, replace
 * every character by its prototype from confusables.txt, NFD again. Two strings are confusable when
 * their skeletons are equal.
 *
 * `foldKey(x)` is what the policy engine compares: the skeleton made case-, accent- and
 * whitespace-insensitive as well. Each character is decomposed (NFKD, so fullwidth and mathematical
 * letters join their plain forms), stripped of accents (the combining diacritical marks blocks), then
 * mapped to its TR39 prototype and case-folded repeatedly until stable. Case-insensitivity and
 * confusables interact (TR39 says `I` looks like `l`; case-insensitivity says `I` is `i`), so `i` and `l`
 * fold together; that closure is computed over ASCII letters only, because closing it over every script
 * would chain unrelated letters together (Greek Ν looks like N while ν looks like v).
 *
 * @example
 *   foldKey('Jоhn  Smith') === foldKey('john smith');   // Cyrillic о, double space
 *   foldKey('BiII Gates') === foldKey('Bill Gates');    // capital I for l
 *   foldKey('José') === foldKey('JOSE');
 */
import { HASH_BITS, HASH_SEED, hashStep } from '../bloom.js';
import { CONFUSABLES_COUNT, CONFUSABLES_DATA } from './confusables-data.js';

/** TR39 prototype (as a string) of each source code point. */
const PROTOTYPES = parsePrototypes();

function parsePrototypes(): Map<number, string> {
  const table = new Map<number, string>();
  for (const entry of CONFUSABLES_DATA.split(';')) {
    if (entry === '') continue;
    const [source, target] = entry.split('>');
    const prototype = String.fromCodePoint(...target.split(' ').map((hex) => parseInt(hex, 16)));
    table.set(parseInt(source, 16), prototype);
  }
  if (table.size !== CONFUSABLES_COUNT) throw new Error('confusables table is corrupt');
  return table;
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Default-ignorables plus the combining diacritical marks blocks: what accent-insensitivity drops. */
// eslint-disable-next-line no-misleading-character-class -- whole blocks of combining marks, matched one code point at a time
const STRIP = /[\p{Default_Ignorable_Code_Point}\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/gu;
const WHITESPACE = /[\p{White_Space}\p{Z}]+/gu;
const CONTROL = /\p{Cc}/gu;

/** TR39 skeleton, exactly as the standard defines it (no case or accent folding). */
export function skeleton(text: string): string {
  const decomposed = text.normalize('NFD').replace(IGNORABLE, '');
  let out = '';
  for (const ch of decomposed) out += PROTOTYPES.get(ch.codePointAt(0)!) ?? ch;
  return out.normalize('NFD');
}

/** Compatibility decomposition (fullwidth, mathematical and ligature forms) with accents removed. */
function stripped(text: string): string {
  return text.normalize('NFKD').replace(STRIP, '');
}

/**
 * Latin small capitals look like their capital at x-height: case-insensitively they are that letter.
 * TR39 maps several Cyrillic lowercase letters to them (н → ʜ, т → ᴛ, в → ʙ), so folding them keeps
 * `НИНА` and `нина` (and Latin `HИHA`) together.
 */
const SMALL_CAPITALS: Record<string, string> = {
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ĸ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ꞯ: 'q',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
};

/** One round of the fold on a code point: prototype, lowercase, small capital, accents dropped again. */
function foldRound(text: string): string {
  let out = '';
  for (const ch of text) {
    // Upper then lower approximates full case folding: ß → ss, ς → σ, ſ → s.
    const cased = (PROTOTYPES.get(ch.codePointAt(0)!) ?? ch).toUpperCase().toLowerCase();
    for (const lower of cased) out += SMALL_CAPITALS[lower] ?? lower;
  }
  return stripped(out);
}

/** Prototype and case mapping applied until the string stops changing (two or three rounds at most). */
function foldToFixpoint(ch: string): string {
  let text = ch;
  for (let round = 0; round < 6; round++) {
    const next = foldRound(text);
    if (next === text) break;
    text = next;
  }
  return text;
}

/**
 * Case-insensitivity merges what the table keeps apart only among ASCII letters: `I` is a prototype
 * of `l` and case-equal to `i`, so `i` and `l` fold together. Computed, not hard-coded: every ASCII
 * letter whose upper and lower case fold to different single ASCII characters links them.
 */
const ASCII_CLOSURE = buildAsciiClosure();

function buildAsciiClosure(): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (let code = 0x41; code <= 0x5a; code++) {
    const upper = foldToFixpoint(String.fromCharCode(code));
    const lower = foldToFixpoint(String.fromCharCode(code + 0x20));
    if (upper === lower || !/^[\x21-\x7e]$/.test(upper) || !/^[\x21-\x7e]$/.test(lower)) continue;
    const [a, b] = [find(upper), find(lower)].sort();
    parent.set(a, a);
    parent.set(b, a);
  }
  const closure = new Map<string, string>();
  for (const key of parent.keys()) if (find(key) !== key) closure.set(key, find(key));
  return closure;
}

const FOLD_CACHE = new Map<number, string>();

function foldCodePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  let folded = FOLD_CACHE.get(cp);
  if (folded === undefined) {
    folded = '';
    for (const c of foldToFixpoint(ch)) folded += ASCII_CLOSURE.get(c) ?? c;
    // Bounded: a hostile stream of distinct code points must not grow memory without limit.
    if (FOLD_CACHE.size < 65_536) FOLD_CACHE.set(cp, folded);
  }
  return folded;
}

/** Folded output of each printable ASCII character: an ASCII name is folded by table lookups alone. */
const ASCII_FOLD: string[] = [];
for (let code = 0x21; code < 0x7f; code++) ASCII_FOLD[code] = foldCodePoint(String.fromCharCode(code));
ASCII_FOLD[0x20] = ' ';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The folded ASCII characters contain no whitespace but plain spaces: `collapse` then only folds spaces. */
const ASCII_FOLD_PLAIN = ASCII_FOLD.every((folded, code) => code < 0x20 || !/[^\S ]/.test(folded));

/** The folded character of each printable ASCII character that folds to one (not a space); -1 for the others. */
const ASCII_FOLD_UNIT = new Int32Array(0x80).fill(-1);
for (let code = 0x21; code < 0x7f; code++) {
  const folded = ASCII_FOLD[code];
  if (folded.length === 1 && folded !== ' ') ASCII_FOLD_UNIT[code] = folded.charCodeAt(0);
}

/** What `foldKey` turns a printable ASCII character (0x21 to 0x7e) into: a table lookup. */
export function asciiFolded(code: number): string {
  return ASCII_FOLD[code];
}

/** `asciiFolded(code)` as a code unit when it is one character (not a space), else -1. */
export function asciiFoldUnit(code: number): number {
  return ASCII_FOLD_UNIT[code];
}

/** `foldKeyHash` when the text is not printable ASCII (its key needs `foldKey`). */
export const FOLD_HASH_UNKNOWN = -1;
/** `foldKeyHash` when the key is empty. */
export const FOLD_HASH_EMPTY = -2;

/**
 * `hashString(foldKey(text)) & HASH_BITS` without building the key, for printable ASCII text (the
 * usual display name): one pass, right to left, over the folded characters, runs of spaces collapsed
 * and spaces at either end dropped as `collapse` does. `FOLD_HASH_EMPTY` when the key is empty,
 * `FOLD_HASH_UNKNOWN` for other text. Lets a Bloom filter of keys turn most names away cheaply.
 */
export function foldKeyHash(text: string): number {
  if (!ASCII_FOLD_PLAIN) return FOLD_HASH_UNKNOWN;
  let hash = HASH_SEED;
  let emitted = false;
  let space = false;
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return FOLD_HASH_UNKNOWN;
    if (code === 0x20) {
      space = emitted;
      continue;
    }
    // Most characters fold to one character (not a space): no inner loop.
    const unit = ASCII_FOLD_UNIT[code];
    if (unit >= 0) {
      if (space) {
        hash = hashStep(hash, 0x20);
        space = false;
      }
      hash = hashStep(hash, unit);
      emitted = true;
      continue;
    }
    const folded = ASCII_FOLD[code];
    for (let j = folded.length - 1; j >= 0; j--) {
      const unit = folded.charCodeAt(j);
      if (unit === 0x20) {
        space = emitted;
        continue;
      }
      if (space) {
        hash = hashStep(hash, 0x20);
        space = false;
      }
      hash = hashStep(hash, unit);
      emitted = true;
    }
  }
  return emitted ? hash & HASH_BITS : FOLD_HASH_EMPTY;
}

function collapse(text: string): string {
  return text.includes('  ') || text.startsWith(' ') || text.endsWith(' ') ? text.replace(/ +/g, ' ').trim() : text;
}

/**
 * The engine's comparison key for display names and domain names: TR39 confusables, case, accents
 * (combining diacritical marks) and whitespace runs all folded, invisible and control characters removed.
 */
export function foldKey(text: string): string {
  let out = '';
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      ascii = false;
      break;
    }
    out += ASCII_FOLD[code];
  }
  if (ascii) return collapse(out);
  out = '';
  const prepared = stripped(text).replace(WHITESPACE, ' ').replace(CONTROL, '');
  for (const ch of prepared) out += ch === ' ' ? ' ' : foldCodePoint(ch);
  // A fallback lowercase mapping can reintroduce a mark (İ → i̇); drop it the same way.
  return collapse(PRINTABLE_ASCII.test(out) ? out : stripped(out).replace(WHITESPACE, ' '));
}

/** Whether two strings are the same once folded (see `foldKey`). */
export function confusable(a: string, b: string): boolean {
  return foldKey(a) === foldKey(b);
}

/** `foldKey` of each dot-separated label of a domain; ASCII domains are folded and split in one pass. */
export function foldLabels(domain: string): string[] {
  const labels: string[] = [];
  let label = '';
  for (let i = 0; i < domain.length; i++) {
    const code = domain.charCodeAt(i);
    if (code === 46) {
      labels.push(label);
      label = '';
    } else if (code > 0x20 && code < 0x7f) {
      label += ASCII_FOLD[code];
    } else {
      return domain.split('.').map(foldKey);
    }
  }
  labels.push(label);
  return labels;
}
