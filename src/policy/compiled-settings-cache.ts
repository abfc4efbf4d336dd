/**
 * Each account's settings compiled for the policy engine, built on first use and kept current the
 * moment the account's settings change:
 * - in this process, a committed write's changes are applied to the compiled form in place, so the next
 *   evaluation sees them without reading and compiling every setting again (which takes about a second
 *   at 100,000 settings); changes that do not follow from what is compiled (two writes' changes
 *   arriving out of order), or too many since the last full compile, drop it instead;
 * - other replicas learn of the write through the database's change notifications (PostgreSQL
 *   LISTEN/NOTIFY), which carry the changes when they fit in a notification: those are applied the
 *   same way; otherwise (or when they do not follow) the replica drops the compiled form and compiles
 *   again on next use. A replica ignores the notifications of its own writes.
 */
import { randomBytes } from 'node:crypto';
import { compileSettings, type AccountSettings, type CompiledSettings, type SettingsChange } from '../engine/index.js';
import type { Executor } from '../db/executor.js';
import type { ResourceService, SettingsChanges } from '../resources/resource-service.js';
import type { Database } from '../db/database.js';

export const SETTINGS_CHANGED_CHANNEL = 'mailwarden_settings_changed';

/** Reads every setting of an account from the six collections, in their API form. */
export async function loadAccountSettings(services: readonly ResourceService[], accountId: string): Promise<AccountSettings> {
  const collections = await Promise.all(services.map(async (service) => [service.definition.name, await service.all(accountId)] as const));
  return Object.fromEntries(collections) as unknown as AccountSettings;
}

interface Entry {
  generation: number;
  compiled: Promise<CompiledSettings>;
  /** The compiled settings once `compiled` has settled (changes can only be applied to those). */
  ready: CompiledSettings | undefined;
  /** Records compiled in, and changes applied since: past `MAX_APPLIED_SHARE` of them, compile afresh. */
  size: number;
  applied: number;
}

/**
 * Changes applied in place, as a share of the records compiled (with a floor), before the cache
 * compiles afresh instead: filters sized for the original records fill up as records are added.
 */
const MAX_APPLIED_SHARE = 0.25;
const MIN_APPLIED_LIMIT = 1_000;

/** PostgreSQL refuses notification payloads of 8000 bytes or more; larger change lists are not sent. */
const MAX_PAYLOAD_BYTES = 7_900;

/** A change notification's payload: `origin accountId [changes as JSON]`. */
export function notificationPayload(origin: string, accountId: string, changes: readonly SettingsChange[]): string {
  // Far more changes than could fit (an import): not worth serialising only to find out.
  if (changes.length > 100) return `${origin} ${accountId}`;
  const full = `${origin} ${accountId} ${JSON.stringify(changes)}`;
  return Buffer.byteLength(full) <= MAX_PAYLOAD_BYTES ? full : `${origin} ${accountId}`;
}

/** Reads a payload; a bare account id comes from a replica of an earlier version. */
export function readNotification(payload: string): { origin?: string; accountId: string; changes?: SettingsChange[] } {
  const first = payload.indexOf(' ');
  if (first < 0) return { accountId: payload };
  const second = payload.indexOf(' ', first + 1);
  const origin = payload.slice(0, first);
  if (second < 0) return { origin, accountId: payload.slice(first + 1) };
  try {
    const changes: unknown = JSON.parse(payload.slice(second + 1));
    return {
      origin,
      accountId: payload.slice(first + 1, second),
      changes: Array.isArray(changes) ? (changes as SettingsChange[]) : undefined,
    };
  } catch {
    return { origin, accountId: payload.slice(first + 1, second) };
  }
}

export interface CompiledSettingsCache extends SettingsChanges {
  /** The account's compiled settings, compiling them if they are not cached. */
  get(accountId: string): Promise<CompiledSettings>;
  /** Forgets one account's compiled settings, or every account's (`undefined`). */
  invalidate(accountId?: string): void;
  /** What the cache has done since it started (for operators and tests). */
  stats(): CacheStats;
  /**
   * Tells `listener` of every change the cache learns of, here or from another replica: an account's
   * committed changes, or `changes` undefined when only the account (or, with `accountId` undefined,
   * every account) is known to have changed. Returns the unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void;
  /** Starts following other replicas' changes (where the database can tell). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CacheStats {
  /** Requests for an account's compiled settings answered from the cache. */
  hits: number;
  /** Compiles started (first use, or after the compiled form was dropped). */
  compiles: number;
  /** Committed changes applied to a compiled form in place. */
  changesApplied: number;
  /** Writes (here or on another replica) after which the compiled form was dropped rather than changed. */
  writesDropped: number;
}

export type ChangeListener = (accountId: string | undefined, changes: readonly SettingsChange[] | undefined) => void;

export interface CacheOptions {
  /** Accounts kept compiled at once; the least recently used is dropped beyond it. */
  maxAccounts?: number;
  /** Told how long each load and compile took, in seconds (metrics). */
  onCompiled?: (seconds: number) => void;
}

export function createCompiledSettingsCache(
  database: Database,
  load: (accountId: string) => Promise<AccountSettings>,
  { maxAccounts = 1000, onCompiled }: CacheOptions = {},
): CompiledSettingsCache {
  // Map order is recency order: a hit re-inserts its entry at the end.
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation, so a compile that started before a change never lands after it.
  const generations = new Map<string, number>();
  let globalGeneration = 0;
  const counters: CacheStats = { hits: 0, compiles: 0, changesApplied: 0, writesDropped: 0 };
  let unsubscribe: (() => Promise<void>) | undefined;
  /** Tags this process's change notifications, so it can tell them from other replicas'. */
  const origin = randomBytes(8).toString('hex');
  const listeners = new Set<ChangeListener>();
  const tell = (accountId: string | undefined, changes: readonly SettingsChange[] | undefined) => {
    for (const listener of listeners) listener(accountId, changes);
  };

  const generationOf = (accountId: string) => globalGeneration + (generations.get(accountId) ?? 0);

  function invalidate(accountId?: string): void {
    tell(accountId, undefined);
    dropCompiled(accountId);
  }

  function dropCompiled(accountId?: string): void {
    if (accountId === undefined) {
      globalGeneration++;
      entries.clear();
      return;
    }
    generations.set(accountId, (generations.get(accountId) ?? 0) + 1);
    entries.delete(accountId);
  }

  /** `compiled.apply(changes)`, false on records it cannot read (the form is then dropped, half-changed as it may be). */
  function applied(compiled: CompiledSettings, changes: readonly SettingsChange[]): boolean {
    try {
      return compiled.apply(changes);
    } catch {
      return false;
    }
  }

  /**
   * Applies committed changes to the account's compiled form in place when it is current and they
   * follow from it; otherwise drops it (a compile still under way may or may not have read them).
   */
  function applyOrDrop(accountId: string, changes: readonly SettingsChange[]): void {
    tell(accountId, changes);
    const entry = entries.get(accountId);
    const limit = Math.max(MIN_APPLIED_LIMIT, entry === undefined ? 0 : entry.size * MAX_APPLIED_SHARE);
    if (
      entry?.ready !== undefined &&
      entry.generation === generationOf(accountId) &&
      entry.applied + changes.length <= limit &&
      applied(entry.ready, changes)
    ) {
      entry.applied += changes.length;
      counters.changesApplied += changes.length;
      return;
    }
    if (entry !== undefined) counters.writesDropped++;
    dropCompiled(accountId);
  }

  return {
    get(accountId) {
      const cached = entries.get(accountId);
      if (cached && cached.generation === generationOf(accountId)) {
        entries.delete(accountId);
        entries.set(accountId, cached);
        counters.hits++;
        return cached.compiled;
      }
      const generation = generationOf(accountId);
      const started = performance.now();
      const compiled = load(accountId)
        .then(compileSettings)
        .then((settings) => {
          onCompiled?.((performance.now() - started) / 1000);
          return settings;
        });
      counters.compiles++;
      const entry: Entry = { generation, compiled, ready: undefined, size: 0, applied: 0 };
      entries.set(accountId, entry);
      // A failed load is not cached; a compile overtaken by a change is used once, never kept.
      compiled.then(
        (settings) => {
          if (entries.get(accountId) !== entry) return;
          if (generationOf(accountId) !== generation) entries.delete(accountId);
          else {
            entry.ready = settings;
            entry.size = Object.values(settings.counts).reduce((sum, count) => sum + count, 0);
          }
        },
        () => {
          if (entries.get(accountId) === entry) entries.delete(accountId);
        },
      );
      while (entries.size > maxAccounts) entries.delete(entries.keys().next().value as string);
      return compiled;
    },

    invalidate,

    async publish(executor: Executor, accountId: string, changes: readonly SettingsChange[]) {
      // Only stores that can tell other processes (PostgreSQL) have anyone to tell.
      if (database.listen === undefined) return;
      await database.adapter.notify(executor, SETTINGS_CHANGED_CHANNEL, notificationPayload(origin, accountId, changes));
    },

    committed: applyOrDrop,

    stats: () => ({ ...counters }),

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async start() {
      if (!database.listen || unsubscribe) return;
      unsubscribe = await database.listen(
        SETTINGS_CHANGED_CHANNEL,
        (payload) => {
          const notification = readNotification(payload);
          if (notification.origin === origin) return;
          if (notification.changes === undefined) invalidate(notification.accountId);
          else applyOrDrop(notification.accountId, notification.changes);
        },
        () => invalidate(),
      );
    },

    async stop() {
      await unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
