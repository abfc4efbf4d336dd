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
} from '../src/engine/types.js';

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
    trusted_domains.push({ id: id++, pattern: g.domain(i + 1_000_000), is_regex: false, is_recent: i % 2 === 0, is_similarity: i % 2 === 1 });
  }
  const sending_domain_restrictions: EngineSendingDomainRestriction[] = [];
  for (let i = 0; i < restrictionCount; i++) {
    sending_domain_restrictions.push({ id: id++, domain: g.domain(i + 2_000_000), exclude: [] });
  }
  return {
    settings: { allow_policies, block_senders, trusted_domains, impersonation_registry, domains: domainRecords, sending_domain_restrictions },
    emails,
    domains,
    ips,
    names,
    protectedDomains,
  };
}

// --------------------------------------------------------------------------------------- messages

export function buildMessages(universe: Universe, count: number, seed = 7): Message[] {
  const g = new Generator(seed);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) {
    const roll = g.random();
    let from = `someone${g.int(1_000_000)}@${g.domain(g.int(5_000_000))}`;
    let sending_ip = g.random() < 0.9 ? g.ipv4() : g.ipv6();
    let from_name: string | undefined = g.random() < 0.5 ? `${g.pick(FIRST)} ${g.pick(LAST)}` : undefined;
    if (roll < 0.1 && universe.emails.length > 0) from = g.pick(universe.emails);
    else if (roll < 0.2 && universe.domains.length > 0) from = `x${i}@mail.${g.pick(universe.domains)}`;
    else if (roll < 0.25 && universe.ips.length > 0) sending_ip = g.pick(universe.ips);
    else if (roll < 0.3 && universe.names.length > 0) from_name = g.pick(universe.names);
    else if (roll < 0.32) from = `ceo@${g.pick(universe.protectedDomains).replace('corp', 'c0rp')}`;
    const protectedDomain = g.pick(universe.protectedDomains);
    messages.push({
      id: `m${i}`,
      envelope_from: g.random() < 0.8 ? from : `bounce${i}@${g.domain(i)}`,
      from,
      ...(from_name ? { from_name } : {}),
      recipients: g.random() < 0.8 ? [`user${g.int(1000)}@${protectedDomain}`] : [`a${i}@${protectedDomain}`, `b${i}@${protectedDomain}`],
      sending_ip,
      helo: `mx${g.int(100)}.${g.domain(g.int(1000))}`,
      tls: g.random() < 0.95,
      authentication: {
        spf: g.pick(['pass', 'fail', 'none'] as const),
        dkim: g.pick(['pass', 'fail', 'none'] as const),
        dmarc: g.pick(['pass', 'pass', 'fail', 'none'] as const),
      },
      ...(g.random() < 0.1 ? { sender_domain_age_days: g.int(60) } : {}),
    });
  }
  return messages;
}

