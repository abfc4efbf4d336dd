/**
 * Which account's settings apply to a recipient: the account whose protected domain (the `domains`
 * resource) is the recipient's domain or a parent of it, the most specific (longest) domain across
 * accounts winning, and on a tie the oldest record (created_at, then id).
 *
 * The index of every account's protected domains lives in memory: a lookup walks the recipient's
 * domain and its parents through one map. It is read from the database on first use and read again
 * after any change to protected domains the compiled settings cache learns of (this process's
 * writes, and other replicas' through PostgreSQL notifications), so the next message sees it.
 */
import type { Database } from '../db/database.js';
import type { CompiledSettingsCache } from '../policy/compiled-settings-cache.js';

interface Owner {
  accountId: string;
  createdAt: string;
  id: number;
}

export interface AccountRouting {
  /** The account protecting each recipient's domain; recipients of no account are absent. */
  route(recipients: readonly string[]): Promise<Map<string, string>>;
  /** The account protecting one address's domain, or undefined. */
  accountOf(address: string): Promise<string | undefined>;
  /** Stops following changes. */
  close(): void;
}

/** The domain of an address, lowercase, without a trailing dot; undefined when it has none. */
export function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || at === address.length - 1) return undefined;
  return address
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
}

function olderThan(a: Owner, b: Owner): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

export function createAccountRouting(database: Database, cache: CompiledSettingsCache): AccountRouting {
  let index: Promise<Map<string, Owner>> | undefined;
  // Bumped by every change, so a read that started before a change is not kept after it.
  let generation = 0;

  async function read(): Promise<Map<string, Owner>> {
    const rows = (await database.db.selectFrom('domains').select(['account_id', 'domain', 'created_at', 'id']).execute()) as Array<{
      account_id: string;
      domain: string;
      created_at: string;
      id: number | string;
    }>;
    const owners = new Map<string, Owner>();
    for (const row of rows) {
      const domain = row.domain.toLowerCase().replace(/\.$/, '');
      const owner = { accountId: row.account_id, createdAt: row.created_at, id: Number(row.id) };
      const current = owners.get(domain);
      if (current === undefined || olderThan(owner, current)) owners.set(domain, owner);
    }
    return owners;
  }

  function current(): Promise<Map<string, Owner>> {
    if (index === undefined) {
      const started = generation;
      const reading = read();
      index = reading;
      // A failed read is not kept (the next message tries again); nor one overtaken by a change.
      reading.then(
        () => {
          if (generation !== started && index === reading) index = undefined;
        },
        () => {
          if (index === reading) index = undefined;
        },
      );
    }
    return index;
  }

  const unsubscribe = cache.onChange((_accountId, changes) => {
    if (changes !== undefined && !changes.some((change) => change.resource === 'domains')) return;
    generation++;
    index = undefined;
  });

  function lookup(owners: Map<string, Owner>, address: string): string | undefined {
    let domain = domainOf(address);
    while (domain) {
      const owner = owners.get(domain);
      if (owner) return owner.accountId;
      const dot = domain.indexOf('.');
      domain = dot < 0 ? undefined : domain.slice(dot + 1);
    }
    return undefined;
  }

  return {
    async route(recipients) {
      const owners = await current();
      const routed = new Map<string, string>();
      for (const recipient of recipients) {
        const accountId = lookup(owners, recipient);
        if (accountId !== undefined) routed.set(recipient, accountId);
      }
      return routed;
    },
    async accountOf(address) {
      return lookup(await current(), address);
    },
    close: unsubscribe,
  };
}
