/**
 * Deterministic allow policies for the benchmarks: record `i` is always the same, so an account can be
 * grown from 10k to 100k to 1M records by generating only the new indexes.
 *
 * Mix (by record): 45% EMAIL, 35% DOMAIN, 20% IP (IPv4, IPv4 /24 blocks, IPv6 /48 blocks), 1% of the
 * EMAIL/DOMAIN ones as RE2 regexes; about 40% carry a comment (vendor notes, ticket numbers, approvers).
 * Every pattern passes the API's own pattern checks (`checkPattern`), which `sampleInvalid` verifies.
 *
 * Search terms the benchmarks use:
 * - SELECTIVE_TERM ("quokka") appears in exactly NEEDLE_INDEXES records, whatever the size (>= 10k);
 * - COMMON_TERM (".com") appears in roughly a third of the records.
 */
import { checkPattern, type PatternType } from '../../src/validation/patterns.js';

export const SELECTIVE_TERM = 'quokka';
export const COMMON_TERM = '.com';
/** Indexes of the records that mention SELECTIVE_TERM (all below 10k, so every size holds all four). */
export const NEEDLE_INDEXES = [7, 3001, 6007, 9011];

export interface PolicyRow {
  comments: string | null;
  is_acceptable_sender: number;
  is_exempt_recipient: number;
  is_regex: number;
  is_trusted_sender: number;
  pattern: string;
  pattern_type: PatternType;
  verify_sender: number;
  created_at: string;
  last_modified: string;
}

const COMPANIES = (
  'acme globex initech umbrella stark wayne wonka tyrell cyberdyne hooli soylent vandelay contoso fabrikam northwind ' +
  'adventureworks litware proseware tailspin woodgrove alpine blueyonder coho fourthcoffee lucerne margie wideworld ' +
  'treyresearch wingtip graphicdesign humongous southridge fineartschool consolidated bluewhale redstone silverline ' +
  'brightpath clearwater evergreen foxglove granite harbor ironbridge juniper keystone lakeside meridian nimbus ' +
  'oakridge pinnacle quantum riverbend sapphire summit thunderbay unity vertex westwind yellowstone zenith apex ' +
  'beacon cascade delta eclipse falcon horizon insight jetstream kinetic lumen momentum nova orbit pioneer ' +
  'radiant sterling trident utopia vanguard willow azure bolt canyon drift ember fjord glacier helix'
).split(' ');
const SUFFIXES = [
  'mail',
  'corp',
  'group',
  'logistics',
  'payroll',
  'billing',
  'systems',
  'labs',
  'partners',
  'media',
  'bank',
  'health',
  'supply',
  'travel',
  'hr',
];
const TLDS = ['com', 'com', 'com', 'com', 'com', 'com', 'net', 'org', 'io', 'co.uk', 'de', 'fr', 'nl', 'com.au', 'ca', 'ch'];
const FIRST = (
  'alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter ' +
  'xena yusuf zoe amir bianca chen dmitri elena farah goran hana ingrid jamal kenji lena marta nadia oskar priya'
).split(' ');
const LAST = (
  'smith jones brown garcia miller davis martinez lopez wilson anderson thomas taylor moore jackson martin lee ' +
  'thompson white harris clark lewis walker hall young king wright scott green baker adams nelson hill campbell'
).split(' ');
const MAILBOXES = ['billing', 'invoices', 'noreply', 'alerts', 'support', 'hr', 'payroll', 'newsletter', 'security', 'sales'];
const PUBLIC_FIRST_OCTETS = [23, 31, 45, 52, 64, 77, 81, 91, 103, 104, 139, 151, 176, 185, 193, 198, 203, 209, 212, 217];
const COMMENT_TEMPLATES: ((r: () => number, i: number) => string)[] = [
  (r) => `Vendor ${pick(r, COMPANIES)} invoices`,
  (_r, i) => `Ticket SEC-${String(i).padStart(7, '0')}`,
  (r) => `Approved by ${pick(r, FIRST)} ${pick(r, LAST)}`,
  (r) => `Partner newsletter (${pick(r, COMPANIES)})`,
  () => 'Payroll provider, do not quarantine',
  (r) => `Marketing platform used by ${pick(r, COMPANIES)} team`,
  (r, i) => `Added after incident INC-${1000 + (i % 9000)} by ${pick(r, FIRST)}`,
];

/** A small, fast, seeded generator (mulberry32) per record index. */
function generator(index: number): () => number {
  let state = (Math.imul(index + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, values: readonly T[]): T {
  return values[Math.floor(r() * values.length)];
}

function domainName(r: () => number, index: number): string {
  const company = pick(r, COMPANIES);
  const tld = pick(r, TLDS);
  const shape = r();
  if (shape < 0.4) return `${company}-${pick(r, SUFFIXES)}.${tld}`;
  if (shape < 0.7) return `${company}${index % 997}.${tld}`;
  if (shape < 0.85) return `${pick(r, ['mail', 'mx', 'smtp', 'news', 'em'])}.${company}.${tld}`;
  return `${company}.${tld}`;
}

function ipPattern(r: () => number): string {
  const kind = r();
  const octet = () => Math.floor(r() * 256);
  const first = pick(r, PUBLIC_FIRST_OCTETS);
  if (kind < 0.7) return `${first}.${octet()}.${octet()}.${1 + Math.floor(r() * 254)}`;
  if (kind < 0.9) return `${first}.${octet()}.${octet()}.0/24`;
  const hex = () => Math.floor(r() * 0xffff).toString(16);
  return `2a0${Math.floor(r() * 10)}:${hex()}:${hex()}::/48`;
}

/** The allow policy stored as record number `index` (0-based) of a benchmark account. */
export function policyAt(index: number): PolicyRow {
  const r = generator(index);
  const kind = r();
  let pattern: string;
  let patternType: PatternType;
  let isRegex = 0;
  if (NEEDLE_INDEXES.includes(index)) {
    pattern = index % 2 ? `billing@quokka-freight${index}.com` : `quokka-freight${index}.net`;
    patternType = index % 2 ? 'EMAIL' : 'DOMAIN';
  } else if (kind < 0.45) {
    const local = r() < 0.5 ? `${pick(r, FIRST)}.${pick(r, LAST)}${index % 1000}` : pick(r, MAILBOXES);
    pattern = `${local}@${domainName(r, index)}`;
    patternType = 'EMAIL';
  } else if (kind < 0.8) {
    pattern = domainName(r, index);
    patternType = 'DOMAIN';
  } else {
    pattern = ipPattern(r);
    patternType = 'IP';
  }
  if (patternType !== 'IP' && r() < 0.01 && !NEEDLE_INDEXES.includes(index)) {
    isRegex = 1;
    pattern =
      patternType === 'EMAIL' ? `^[a-z.]+@(mail\\.)?${pick(r, COMPANIES)}\\.com$` : `^([a-z0-9-]+\\.)*${pick(r, COMPANIES)}\\.(com|net)$`;
  }
  const comments = NEEDLE_INDEXES.includes(index)
    ? 'Quokka Freight customs broker'
    : r() < 0.4
      ? pick(r, COMMENT_TEMPLATES)(r, index)
      : null;
  // One record a minute from 2023-01-01, edited now and then.
  const created = Date.UTC(2023, 0, 1) + index * 60_000;
  const modified = r() < 0.1 ? created + Math.floor(r() * 86_400_000) : created;
  return {
    comments,
    is_acceptable_sender: r() < 0.2 ? 1 : 0,
    is_exempt_recipient: r() < 0.1 ? 1 : 0,
    is_regex: isRegex,
    is_trusted_sender: r() < 0.5 ? 1 : 0,
    pattern,
    pattern_type: patternType,
    verify_sender: r() < 0.7 ? 1 : 0,
    created_at: new Date(created).toISOString(),
    last_modified: new Date(modified).toISOString(),
  };
}

/** Indexes in [from, to) (every `step`-th) whose generated policy the API would reject; [] when all pass. */
export function sampleInvalid(from: number, to: number, step = 1): { index: number; pattern: string; problem: string }[] {
  const invalid = [];
  for (let index = from; index < to; index += step) {
    const row = policyAt(index);
    const problem = checkPattern(row.pattern, row.pattern_type, row.is_regex === 1);
    if (problem) invalid.push({ index, pattern: row.pattern, problem });
  }
  return invalid;
}

/** An API create body (the shape a client POSTs), distinct per `n`. */
export function createBody(n: number): Record<string, unknown> {
  const row = policyAt(2_000_000_000 + n);
  return {
    pattern: row.pattern,
    pattern_type: row.pattern_type,
    is_regex: row.is_regex === 1,
    is_trusted_sender: row.is_trusted_sender === 1,
    is_exempt_recipient: row.is_exempt_recipient === 1,
    is_acceptable_sender: row.is_acceptable_sender === 1,
    verify_sender: row.verify_sender === 1,
    comments: row.comments,
  };
}
