/**
 * Seeded, reproducible settings and messages for the engine benchmark (and for profiling it).
 * See engine-bench.ts for what the mix contains.
 */
import type {
  AccountSettings,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
  Message,
  Verdict,
} from '../src/engine/index.js';

// ----------------------------------------------------------------------------------- seeded random

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['mail', 'news', 'shop', 'bank', 'cloud', 'data', 'secure', 'promo', 'alpha', 'delta', 'north', 'green'];
const TLDS = ['com', 'net', 'org', 'io', 'co.uk', 'de', 'fr', 'info'];
const FIRST = ['Jane', 'John', 'Maria', 'Wei', 'Aisha', 'Carlos', 'Olga', 'Kenji', 'Fatima', 'Liam'];
const LAST = ['Doe', 'Smith', 'Garcia', 'Chen', 'Khan', 'Silva', 'Ivanova', 'Sato', 'Haddad', 'Murphy'];

class Generator {
  readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  domain(i: number): string {
    return `${this.pick(WORDS)}${i}${this.pick(WORDS)}.${this.pick(TLDS)}`;
  }

  ipv4(): string {
    // Anywhere in 1.0.0.0 to 223.255.255.255 except 10/8 and 127/8 (private and loopback).
    let first = 1 + this.int(223);
    if (first === 10 || first === 127) first++;
    return `${first}.${this.int(256)}.${this.int(256)}.${this.int(256)}`;
  }

  ipv6(): string {
    return `2001:db8:${this.int(65536).toString(16)}:${this.int(65536).toString(16)}::${this.int(65536).toString(16)}`;
  }
}

// --------------------------------------------------------------------------------------- settings

export interface Universe {
  settings: AccountSettings;
  /** Values that exist in the settings, so messages can hit them. */
  emails: string[];
  domains: string[];
  ips: string[];
  names: string[];
  protectedDomains: string[];
}

/**
 * The settings as the store hands them to the compiler: records read back from the database, each
 * with its own flat strings. Built here with template literals, the patterns are rope ("cons")
 * strings, trees of pieces spread over the heap, which a server never sees; reading one for an
 * explanation costs a message with a blocked sender at 100k settings about 200 ns more than a flat
 * string. A JSON round trip allocates each record's strings as a driver does.
 */
function asStored(settings: AccountSettings): AccountSettings {
  return JSON.parse(JSON.stringify(settings)) as AccountSettings;
}

export function buildSettings(size: number, regexShare: number, seed = 42): Universe {
  const g = new Generator(seed);
  const allow_policies: EngineAllowPolicy[] = [];
  const block_senders: EngineBlockedSender[] = [];
  const emails: string[] = [];
  const domains: string[] = [];
  const ips: string[] = [];
  let id = 1;
  const registry = Math.max(10, Math.floor(size / 100));
  const protectedCount = 20;
  const trustedCount = Math.max(5, Math.floor(size / 200));
  const restrictionCount = 10;
  const patterns = size - registry - protectedCount - trustedCount - restrictionCount;
  for (let i = 0; i < patterns; i++) {
    const roll = g.random();
    let pattern: string;
    let pattern_type: EngineBlockedSender['pattern_type'];
    let is_regex = false;
    if (roll < regexShare) {
      // Realistic blocklist regexes: each carries a domain literal, with classes and quantifiers around it.
      const base = g.domain(i).replace(/\./g, '\\.');
      pattern = [`.*@${base}`, `[a-z0-9._-]+@(mail|smtp)\\.${base}`, `.*\\.${base}`, `(bounce|news)[0-9]*@${base}`][i % 4];
      pattern_type = 'EMAIL';
      is_regex = true;
    } else if (roll < regexShare + 0.4 * (1 - regexShare)) {
      const domain = g.domain(i);
      pattern = `user${i}@${domain}`;
      pattern_type = 'EMAIL';
      emails.push(pattern);
    } else if (roll < regexShare + 0.75 * (1 - regexShare)) {
      pattern = g.domain(i);
      pattern_type = 'DOMAIN';
      domains.push(pattern);
    } else {
      pattern_type = 'IP';
      if (g.random() < 0.15) {
        const ip = g.ipv6();
        pattern = g.random() < 0.5 ? ip : `${ip.split('::')[0]}::/48`;
        ips.push(ip);
      } else {
        const ip = g.ipv4();
        // Mostly single addresses, some /24s, a few wider blocks, as in real blocklists.
        const roll = g.random();
        const prefix = roll < 0.7 ? 32 : roll < 0.9 ? 24 : roll < 0.95 ? 28 : roll < 0.98 ? 20 : 16;
        pattern = prefix === 32 ? ip : `${ip}/${prefix}`;
        ips.push(ip);
      }
    }
    if (g.random() < 0.6) {
      block_senders.push({ id: id++, pattern, pattern_type, is_regex });
    } else {
      const kind = g.int(10);
      allow_policies.push({
        id: id++,
        pattern,
        pattern_type,
        is_regex,
        is_trusted_sender: kind < 4,
        is_acceptable_sender: kind >= 4 && kind < 8,
        is_exempt_recipient: kind >= 8,
        verify_sender: g.random() < 0.5,
      });
    }
  }
  const impersonation_registry: EngineDisplayName[] = [];
  const names: string[] = [];
  for (let i = 0; i < registry; i++) {
    const name = `${g.pick(FIRST)} ${g.pick(LAST)} ${i}`;
    names.push(name);
    impersonation_registry.push({ id: id++, name, email: `person${i}@corp.example`, is_email_regex: false });
  }
  const domainRecords: EngineDomain[] = [];
  const protectedDomains: string[] = [];
  for (let i = 0; i < protectedCount; i++) {
    const name = `${g.pick(WORDS)}corp${i}.com`;
    protectedDomains.push(name);
    domainRecords.push({ id: id++, domain: name, drop_dispositions: i % 2 === 0 ? ['MALICIOUS'] : [] });
  }
  const trusted_domains: EngineTrustedDomain[] = [];
  for (let i = 0; i < trustedCount; i++) {
    trusted_domains.push({
      id: id++,
      pattern: g.domain(i + 1_000_000),
      is_regex: false,
      is_recent: i % 2 === 0,
      is_similarity: i % 2 === 1,
    });
  }
  const sending_domain_restrictions: EngineSendingDomainRestriction[] = [];
  for (let i = 0; i < restrictionCount; i++) {
    sending_domain_restrictions.push({ id: id++, domain: g.domain(i + 2_000_000), exclude: [] });
  }
  const settings: AccountSettings = {
    allow_policies,
    block_senders,
    trusted_domains,
    impersonation_registry,
    domains: domainRecords,
    sending_domain_restrictions,
  };
  return {
    settings: asStored(settings),
    emails,
    domains,
    ips,
    names,
    protectedDomains,
  };
}

// --------------------------------------------------------------------------------------- messages

/**
 * Where the messages' random senders and recipients come from (the hit cases, display names, IPs,
 * HELO and authentication are drawn the same way in every model):
 * - `pool`: as the benchmark always drew them (the default, so earlier figures stay comparable):
 *   uniform sender domains, `user0`..`user999` or a fresh pair of mailboxes per message;
 * - `zipf`: heavy-tailed, as in real mail: sender domains Zipf(s = 1) over ranks 1..5,000,000 (a few
 *   domains send most mail, most are seen once), their local parts Zipf over 1..1,000,000, bounce
 *   domains likewise; one recipient (80%) or two distinct ones, Zipf over 50,000 mailboxes;
 * - `unique`: as `zipf`, but every sender and bounce domain is new: the adversarial case of a spammer
 *   using a fresh domain per message.
 */
export type Traffic = 'pool' | 'zipf' | 'unique';

export const TRAFFIC: readonly Traffic[] = ['pool', 'zipf', 'unique'];

/**
 * Zipf(s = 1) over ranks 1..n by rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to
 * generate variates from monotone discrete distributions", 1996; as Apache Commons RNG's
 * `RejectionInversionZipfSampler`): exact, O(1) per draw and O(1) memory, where a cumulative table of
 * 5,000,000 ranks would take 40 MB. (Inverting the continuous CDF, `floor(exp(u ln(n + 1)))`, is as
 * cheap but gives rank 1 a share of 4.5% instead of 6.2% at n = 5,000,000.) With s = 1 the hat
 * function's integral H(x) is ln x and its inverse exp.
 */
class Zipf {
  private readonly hX1: number;
  private readonly hN: number;
  /** Draws within this distance below the centre of their rank are accepted without the exact test. */
  private readonly squeeze: number;

  constructor(private readonly n: number) {
    this.hX1 = Math.log(1.5) - 1;
    this.hN = Math.log(n + 0.5);
    this.squeeze = 2 - Math.exp(Math.log(2.5) - 1 / 2);
  }

  sample(g: Generator): number {
    for (;;) {
      const u = this.hN + g.random() * (this.hX1 - this.hN);
      const x = Math.exp(u);
      const k = Math.min(this.n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= this.squeeze || u >= Math.log(k + 0.5) - 1 / k) return k;
    }
  }
}

/**
 * The domain of rank `rank`, shaped as `Generator.domain` makes them, always the same for a rank (its
 * words come from the rank, not from the message's draws), so a Zipf-drawn rank recurs as one domain.
 */
function rankDomain(rank: number): string {
  return new Generator(rank ^ 0x5bd1e995).domain(rank);
}

/** `unique` domains start above every Zipf rank and every index the settings use for their domains. */
const UNIQUE_RANKS = 5_000_001;

/** The messages `buildMessages` returns, one at a time and without end. */
export function* messageStream(universe: Universe, seed = 7, traffic: Traffic = 'pool'): Iterator<Message, never> {
  const g = new Generator(seed);
  const localParts = new Zipf(1_000_000);
  const senderDomains = new Zipf(5_000_000);
  const mailboxes = new Zipf(50_000);
  // Slot 2i is message i's From domain, 2i + 1 its bounce domain.
  const senderDomain = (slot: number) => rankDomain(traffic === 'unique' ? UNIQUE_RANKS + slot : senderDomains.sample(g));
  for (let i = 0; ; i++) {
    const roll = g.random();
    let from =
      traffic === 'pool'
        ? `someone${g.int(1_000_000)}@${g.domain(g.int(5_000_000))}`
        : `someone${localParts.sample(g)}@${senderDomain(2 * i)}`;
    let sending_ip = g.random() < 0.9 ? g.ipv4() : g.ipv6();
    let from_name: string | undefined = g.random() < 0.5 ? `${g.pick(FIRST)} ${g.pick(LAST)}` : undefined;
    if (roll < 0.1 && universe.emails.length > 0) from = g.pick(universe.emails);
    else if (roll < 0.2 && universe.domains.length > 0) from = `x${i}@mail.${g.pick(universe.domains)}`;
    else if (roll < 0.25 && universe.ips.length > 0) sending_ip = g.pick(universe.ips);
    else if (roll < 0.3 && universe.names.length > 0) from_name = g.pick(universe.names);
    else if (roll < 0.32) from = `ceo@${g.pick(universe.protectedDomains).replace('corp', 'c0rp')}`;
    const protectedDomain = g.pick(universe.protectedDomains);
    let envelope_from: string;
    let recipients: string[];
    if (traffic === 'pool') {
      envelope_from = g.random() < 0.8 ? from : `bounce${i}@${g.domain(i)}`;
      recipients = g.random() < 0.8 ? [`user${g.int(1000)}@${protectedDomain}`] : [`a${i}@${protectedDomain}`, `b${i}@${protectedDomain}`];
    } else {
      envelope_from = g.random() < 0.8 ? from : `bounce${i}@${senderDomain(2 * i + 1)}`;
      const first = mailboxes.sample(g);
      recipients = [`user${first}@${protectedDomain}`];
      if (g.random() >= 0.8) {
        let second = mailboxes.sample(g);
        while (second === first) second = mailboxes.sample(g); // two different mailboxes
        recipients.push(`user${second}@${protectedDomain}`);
      }
    }
    yield {
      id: `m${i}`,
      envelope_from,
      from,
      ...(from_name ? { from_name } : {}),
      recipients,
      sending_ip,
      helo: `mx${g.int(100)}.${g.domain(g.int(1000))}`,
      tls: g.random() < 0.95,
      authentication: {
        spf: g.pick(['pass', 'fail', 'none'] as const),
        dkim: g.pick(['pass', 'fail', 'none'] as const),
        dmarc: g.pick(['pass', 'pass', 'fail', 'none'] as const),
      },
      ...(g.random() < 0.1 ? { sender_domain_age_days: g.int(60) } : {}),
    };
  }
}

/** `count` seeded messages; `traffic` says how their senders and recipients are drawn (see `Traffic`). */
export function buildMessages(universe: Universe, count: number, seed = 7, traffic: Traffic = 'pool'): Message[] {
  const stream = messageStream(universe, seed, traffic);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(stream.next().value);
  return messages;
}

/**
 * `count` seeded messages as evaluate request bodies (`{"messages": [...]}`) of `perBody` messages, as
 * the endpoint receives them: held as text, so each is parsed into fresh objects right before it is
 * evaluated (see engine-bench.ts).
 */
export function buildRequestBodies(universe: Universe, count: number, traffic: Traffic, perBody = 100, seed = 7): string[] {
  const stream = messageStream(universe, seed, traffic);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(stream.next().value);
  return requestBodies(messages, perBody);
}

/** `messages` as evaluate request bodies of `perBody` messages (the last may hold fewer). */
export function requestBodies(messages: readonly Message[], perBody = 100): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < messages.length; i += perBody) bodies.push(JSON.stringify({ messages: messages.slice(i, i + perBody) }));
  return bodies;
}

/** A verdict of a message that matches nothing: no setting, no registered name, no lookalike, no failed DMARC, no detection. */
export function matchesNothing(verdict: Verdict): boolean {
  return verdict.matches.length === 0 && verdict.disposition === 'NONE';
}
