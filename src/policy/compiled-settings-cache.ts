/**
 * Each account's settings compiled for the policy engine, built on first use and dropped the moment
 * the account's settings change: in this process directly, in other replicas through the database's
 * change notifications (PostgreSQL LISTEN/NOTIFY).
 */
import { compileSettings, type AccountSettings, type CompiledSettings } from '../engine/index.js';
import type { Executor } from '../resources/resource-repository.js';
import type { ResourceService, SettingsChanges } from '../resources/resource-service.js';
import type { Database } from '../db/database.js';

export const SETTINGS_CHANGED_CHANNEL = 'mailwarden_settings_changed';

/** Reads every setting of an account from the six collections, in their API form. */
export async function loadAccountSettings(services: readonly ResourceService[], accountId: string): Promise<AccountSettings> {
  const collections = await Promise.all(
    services.map(async (service) => [service.definition.name, await service.all(accountId)] as const),
  );
  return Object.fromEntries(collections) as unknown as AccountSettings;
}

interface Entry {
  generation: number;
  compiled: Promise<CompiledSettings>;
}

export interface CompiledSettingsCache extends SettingsChanges {
  /** The account's compiled settings, compiling them if they are not cached. */
  get(accountId: string): Promise<CompiledSettings>;
  /** Forgets one account's compiled settings, or every account's (`undefined`). */
  invalidate(accountId?: string): void;
  /** Starts following other replicas' changes (where the database can tell). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CacheOptions {
  /** Accounts kept compiled at once; the least recently used is dropped beyond it. */
  maxAccounts?: number;
}

export function createCompiledSettingsCache(
  database: Database,
  load: (accountId: string) => Promise<AccountSettings>,
  { maxAccounts = 1000 }: CacheOptions = {},
): CompiledSettingsCache {
  // Map order is recency order: a hit re-inserts its entry at the end.
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation, so a compile that started before a change never lands after it.
  const generations = new Map<string, number>();
  let globalGeneration = 0;
  let unsubscribe: (() => Promise<void>) | undefined;

  const generationOf = (accountId: string) => globalGeneration + (generations.get(accountId) ?? 0);

  function invalidate(accountId?: string): void {
    if (accountId === undefined) {
      globalGeneration++;
      entries.clear();
      return;
    }
    generations.set(accountId, (generations.get(accountId) ?? 0) + 1);
    entries.delete(accountId);
  }

  return {
    get(accountId) {
      const cached = entries.get(accountId);
      if (cached && cached.generation === generationOf(accountId)) {
        entries.delete(accountId);
        entries.set(accountId, cached);
        return cached.compiled;
      }
      const generation = generationOf(accountId);
      const compiled = load(accountId).then(compileSettings);
      const entry = { generation, compiled };
      entries.set(accountId, entry);
      // A failed load is not cached; a compile overtaken by a change is used once, never kept.
      compiled.then(
        () => {
          if (entries.get(accountId) === entry && generationOf(accountId) !== generation) entries.delete(accountId);
        },
        () => {
          if (entries.get(accountId) === entry) entries.delete(accountId);
        },
      );
      while (entries.size > maxAccounts) entries.delete(entries.keys().next().value as string);
      return compiled;
    },

    invalidate,

    async publish(executor: Executor, accountId: string) {
      await database.adapter.notify(executor, SETTINGS_CHANGED_CHANNEL, accountId);
    },

    committed(accountId: string) {
      invalidate(accountId);
    },

    async start() {
      if (!database.listen || unsubscribe) return;
      unsubscribe = await database.listen(
        SETTINGS_CHANGED_CHANNEL,
        (accountId) => invalidate(accountId),
        () => invalidate(),
      );
    },

    async stop() {
      await unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
