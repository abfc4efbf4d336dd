/**
 * The behaviour every settings collection shares: list with pagination, search, sort and
 * filters; get; create; partial update with the null rules; delete; atomic batch and bulk operations.
 * Resource-specific rules come from the definition's hooks. Errors are thrown as `ApiError`.
 */
import type { AuditLog, ChangeContext } from '../audit/audit-log.js';
import type { StoreAdapter } from '../db/adapter.js';
import { setTimeout as delay } from 'node:timers/promises';
import { conflict, notFound, unavailable, validationError, type FieldError } from '../http/errors.js';
import type { ResultInfo } from '../http/envelope.js';
import type { SettingsChange } from '../engine/index.js';
import type { ResourceDefinition, StoredRecord, Values } from './definition.js';
import type { Executor } from '../db/executor.js';
import { createResourceRepository, type ListOptions } from './resource-repository.js';

export interface Store {
  db: Executor;
  adapter: StoreAdapter;
}

/** Told about every committed change of an account's settings (the policy engine's cache listens). */
export interface SettingsChanges {
  /** Inside the changing transaction, with what it changed, in order: lets other processes know once it commits. */
  publish(executor: Executor, accountId: string, changes: readonly SettingsChange[]): Promise<void>;
  /** After the transaction committed, with what it changed, in order. */
  committed(accountId: string, changes: readonly SettingsChange[]): void;
}

/**
 * How records are named in the API: `integer` ids (the SDK 5.x era) or, for collections that have them,
 * `uuid` ids (today's API). Domains have integer ids in both.
 */
export type ApiIds = 'integer' | 'uuid';

/** A record's id as a request names it: an integer, or a lower-case uuid in `uuid` mode. */
export type RecordKey = number | string;

export interface ServiceOptions {
  ids?: ApiIds;
}

export interface BatchBody {
  deletes?: { id: RecordKey }[];
  patches?: ({ id: RecordKey } & Values)[];
  puts?: ({ id: RecordKey } & Values)[];
  posts?: Values[];
}

/** The API's view of a record: every field, nulls included, plus the definition's extras. */
export type ApiRecord = Record<string, unknown>;

/**
 * A timestamp for the next version of a record: now, but always later than the previous one,
 * so `last_modified` visibly moves even when two changes land in the same millisecond.
 */
function nextTimestamp(previous?: string): string {
  const now = Date.now();
  const after = previous ? Date.parse(previous) + 1 : 0;
  return new Date(Math.max(now, after)).toISOString();
}

const MAX_TRANSACTION_ATTEMPTS = 5;

/** Records created less records deleted by a transaction; applied to the account's count when it ends. */
interface CountChange {
  delta: number;
}

/** One audited change of a record. */
interface Change {
  action: 'create' | 'update' | 'delete';
  id: number;
  before?: ApiRecord;
  after?: ApiRecord;
}

function throwIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw validationError(errors);
}

/**
 * Builds the service of one resource. Every change is written together with its audit entry, in one
 * transaction, attributed to `context` (who, from where, which request).
 */
export function createResourceService(
  definition: ResourceDefinition,
  store: Store,
  auditLog: AuditLog,
  changes: SettingsChanges,
  options: ServiceOptions = {},
) {
  const repository = createResourceRepository(definition, store.adapter);
  const fields = Object.entries(definition.fields);
  const notFoundMessage = `${definition.label} not found`;
  /** The API names this collection's records by their uuids. */
  const uuidIds = options.ids === 'uuid' && definition.uuidIds === true;

  /** A record with its integer id: what the audit log, exports and the policy engine take. */
  function present(record: StoredRecord): ApiRecord {
    const out: ApiRecord = { id: record.id, created_at: record.created_at, last_modified: record.last_modified };
    if (definition.emitModifiedAt) out.modified_at = record.last_modified;
    for (const [name, spec] of fields) if (!spec.hidden) out[name] = record.values[name];
    return definition.present ? Object.assign(out, definition.present(record.values)) : out;
  }

  /** The API is today's: every record has `modified_at`, and this collection's may have uuid ids. */
  const currentApi = options.ids === 'uuid';

  /** A record as the API answers it: `present`, or in uuid mode with `modified_at` and the uuid as `id` where it has one. */
  function view(record: StoredRecord): ApiRecord {
    const out = present(record);
    if (!currentApi) return out;
    if (uuidIds) out.id = record.uuid;
    out.modified_at = record.last_modified;
    return out;
  }

  /**
   * The integer ids of the records these keys name. In uuid mode a uuid of no record of the account
   * becomes 0, which no record has, so it fails where an unknown integer id would.
   */
  async function idsOf(executor: Executor, accountId: string, keys: RecordKey[]): Promise<number[]> {
    if (!uuidIds) return keys as number[];
    const uuids = keys.map((key) => String(key).toLowerCase());
    const found = await repository.idsOfUuids(executor, accountId, uuids);
    return uuids.map((uuid) => found.get(uuid) ?? 0);
  }

  function normalize(body: Values): Values {
    return definition.normalizeBody ? definition.normalizeBody(body) : body;
  }

  /** Reads a full body (create, batch put): absent optional fields take their defaults. */
  function readFull(body: Values, prefix: string, errors: FieldError[], current?: Values): Values {
    const input = normalize(body);
    const values: Values = {};
    for (const [name, spec] of fields) {
      if (spec.readOnly) {
        values[name] = current ? current[name] : (spec.default?.() ?? null);
        continue;
      }
      const value = input[name];
      if (value !== undefined && value !== null) values[name] = value;
      else if (spec.default) values[name] = spec.default();
      else if (spec.nullable) values[name] = null;
      else errors.push({ pointer: `${prefix}/${name}`, message: `${name} is required` });
    }
    return values;
  }

  /** Merges a partial body into the current values. */
  function readPatch(current: Values, body: Values): Values {
    const input = normalize(body);
    const values: Values = { ...current };
    for (const [name, spec] of fields) {
      const value = input[name];
      if (spec.readOnly || value === undefined) continue;
      if (value === null) {
        if (spec.nullable) values[name] = null;
        continue;
      }
      values[name] = value;
    }
    return values;
  }

  /** Derived fields, then the definition's checks of the whole record. */
  function complete(values: Values, previous: Values | undefined, prefix: string, errors: FieldError[]): Values {
    const next = definition.derive ? definition.derive(values, previous) : values;
    for (const error of definition.validate(next)) errors.push({ pointer: prefix + error.pointer, message: error.message });
    return next;
  }

  function prepareFull(body: Values, prefix: string, errors: FieldError[], current?: Values): Values {
    const before = errors.length;
    const values = readFull(body, prefix, errors, current);
    return errors.length > before ? values : complete(values, current, prefix, errors);
  }

  async function ensureUnique(executor: Executor, accountId: string, values: Values, prefix: string, exceptId?: number) {
    const unique = definition.unique;
    if (!unique) return;
    const value = String(values[unique.field]);
    if (await repository.holdsValue(executor, accountId, unique.field, value, exceptId)) {
      throw conflict(unique.message(value), `${prefix}/${unique.field}`);
    }
  }

  /**
   * Runs `work` in one transaction that changes `accountId`'s settings, and announces the change (what
   * `audit` recorded) once committed. A transaction that lost a race (deadlock, serialization failure)
   * is run again; a unique-index race the pre-check missed still becomes a 409.
   * `work` adds the number of records it created less those it deleted to `count.delta`.
   */
  async function transaction<T>(accountId: string, work: (executor: Executor, count: CountChange) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const made: Change[] = [];
        let changed: SettingsChange[] = [];
        const result = await store.db.transaction().execute(async (executor) => {
          const count: CountChange = { delta: 0 };
          changesOf.set(executor, made);
          const outcome = await work(executor, count);
          changed = settingsChanges(made);
          await changes.publish(executor, accountId, changed);
          // Last: every create and delete in the account updates this one row, and its lock is held
          // from this statement to the commit, so concurrent writers wait on it as briefly as possible.
          if (count.delta !== 0) await repository.adjustCount(executor, accountId, count.delta);
          return outcome;
        });
        changes.committed(accountId, changed);
        return result;
      } catch (error) {
        if (store.adapter.isRetryable(error)) {
          // Lost a race with another transaction: back off a random while and run it again; if the
          // contention persists, tell the client to retry rather than fail with a 500.
          if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw unavailable();
          await delay(Math.random() * 20 * attempt);
          continue;
        }
        if (definition.unique && store.adapter.isUniqueViolation(error)) {
          throw conflict(
            `${definition.unique.field} is already used by another ${definition.label.toLowerCase()} in this account`,
            `/${definition.unique.field}`,
          );
        }
        throw error;
      }
    }
  }

  /** Audited changes as the policy engine takes them. */
  function settingsChanges(made: readonly Change[]): SettingsChange[] {
    return made.map(({ action, id, before, after }) => ({ resource: definition.name, action, id, before, after }) as SettingsChange);
  }

  /** The changes each running transaction has made so far (every change is audited, so `audit` records them). */
  const changesOf = new WeakMap<Executor, Change[]>();

  /** Audits changes of this resource, in order. */
  function audit(executor: Executor, context: ChangeContext, accountId: string, ...entries: Change[]) {
    changesOf.get(executor)?.push(...entries);
    return auditLog.recordAll(
      executor,
      context,
      entries.map(({ action, id, before, after }) => ({ accountId, action, resourceType: definition.name, resourceId: id, before, after })),
    );
  }

  /** `audit` for change lists too long to spread into one call. */
  async function auditInChunks(executor: Executor, context: ChangeContext, accountId: string, entries: Change[]) {
    for (let start = 0; start < entries.length; start += 10_000)
      await audit(executor, context, accountId, ...entries.slice(start, start + 10_000));
  }

  /** Creates the records in order with multi-row inserts, and audits them. */
  async function insertAll(
    executor: Executor,
    context: ChangeContext,
    accountId: string,
    count: CountChange,
    items: Values[],
    prefixes: string[],
  ) {
    // A unique field is checked against every record inserted before, those of this request included,
    // so such records go in one at a time, each after its check.
    const step = definition.unique ? 1 : Math.max(items.length, 1);
    const records: StoredRecord[] = [];
    for (let start = 0; start < items.length; start += step) {
      const slice = items.slice(start, start + step);
      for (const [offset, values] of slice.entries()) await ensureUnique(executor, accountId, values, prefixes[start + offset]);
      const inserted = await repository.insertMany(
        executor,
        accountId,
        slice.map((values) => ({ values, now: nextTimestamp() })),
      );
      records.push(...inserted);
    }
    count.delta += records.length;
    await audit(
      executor,
      context,
      accountId,
      ...records.map((record): Change => ({ action: 'create', id: record.id, after: present(record) })),
    );
    return records.map(view);
  }

  /**
   * Deletes the account's records with these ids and audits them, all or none: `pointer(index)` locates
   * the first id that does not exist (or repeats one already deleted) in the 404.
   */
  async function deleteAll(
    executor: Executor,
    context: ChangeContext,
    accountId: string,
    count: CountChange,
    ids: number[],
    pointer: (index: number) => string | undefined,
  ) {
    const deleted = new Map((await repository.deleteMany(executor, accountId, ids)).map((record) => [record.id, record]));
    const seen = new Set<number>();
    for (const [index, id] of ids.entries()) {
      if (!deleted.has(id) || seen.has(id)) throw notFound(notFoundMessage, pointer(index));
      seen.add(id);
    }
    count.delta -= ids.length;
    await audit(executor, context, accountId, ...ids.map((id): Change => ({ action: 'delete', id, before: present(deleted.get(id)!) })));
  }

  async function findOrThrow(executor: Executor, accountId: string, id: number, pointer?: string) {
    const record = await repository.findById(executor, accountId, id, { lock: true });
    if (!record) throw notFound(notFoundMessage, pointer);
    return record;
  }

  async function replace(
    executor: Executor,
    context: ChangeContext,
    accountId: string,
    current: StoredRecord,
    values: Values,
    prefix: string,
  ) {
    await ensureUnique(executor, accountId, values, prefix, current.id);
    const updated = (await repository.update(executor, accountId, current.id, values, nextTimestamp(current.last_modified)))!;
    await audit(executor, context, accountId, { action: 'update', id: current.id, before: present(current), after: present(updated) });
    return view(updated);
  }

  /** Fields an import compares and writes: stored, visible and not read-only. */
  const writable = fields.filter(([, spec]) => !spec.readOnly && !spec.hidden).map(([name]) => name);

  return {
    definition,
    writable,
    repository,
    present,
    /** Records are named by their uuids in this API. */
    uuidIds,
    /** The API is today's (uuid mode): records carry `modified_at`. */
    currentApi,

    /** Reads a full body as a create (or, with `current`, a put) would, checking the record's rules. */
    prepare: (body: Values, prefix: string, errors: FieldError[], current?: Values) => prepareFull(body, prefix, errors, current),

    /**
     * Applies an import's deletes, updates and creates inside the caller's transaction, each audited like
     * any change, and the account's count; returns what changed, for the caller to announce.
     */
    async applyChanges(
      executor: Executor,
      context: ChangeContext,
      accountId: string,
      plan: { deletes: StoredRecord[]; updates: { current: StoredRecord; values: Values }[]; creates: Values[] },
    ): Promise<SettingsChange[]> {
      const made: Change[] = [];
      changesOf.set(executor, made);
      if (plan.deletes.length > 0) {
        const deleted = await repository.deleteMany(
          executor,
          accountId,
          plan.deletes.map((record) => record.id),
        );
        await auditInChunks(
          executor,
          context,
          accountId,
          deleted.map((record): Change => ({ action: 'delete', id: record.id, before: present(record) })),
        );
      }
      // One statement per updated record; their audit entries, in the same order, go in multi-row inserts.
      const updates: Change[] = [];
      for (const { current, values } of plan.updates) {
        const updated = present((await repository.update(executor, accountId, current.id, values, nextTimestamp(current.last_modified)))!);
        updates.push({ action: 'update', id: current.id, before: present(current), after: updated });
      }
      if (updates.length > 0) await auditInChunks(executor, context, accountId, updates);
      const count: CountChange = { delta: -plan.deletes.length };
      if (plan.creates.length > 0) {
        const now = nextTimestamp();
        const inserted = (
          await repository.insertMany(
            executor,
            accountId,
            plan.creates.map((values) => ({ values, now })),
          )
        ).map(present);
        count.delta += inserted.length;
        await auditInChunks(
          executor,
          context,
          accountId,
          inserted.map((record): Change => ({ action: 'create', id: record.id as number, after: record })),
        );
      }
      if (count.delta !== 0) await repository.adjustCount(executor, accountId, count.delta);
      changesOf.delete(executor);
      return settingsChanges(made);
    },

    async list(accountId: string, options: ListOptions): Promise<{ result: ApiRecord[]; resultInfo: ResultInfo }> {
      const { records, total } = await repository.list(store.db, accountId, options);
      return {
        result: records.map(view),
        resultInfo: { page: options.page, per_page: options.perPage, count: records.length, total_count: total },
      };
    },

    /** Every record of the account, as the API presents them (the policy engine's input). */
    async all(accountId: string): Promise<ApiRecord[]> {
      const records: ApiRecord[] = [];
      for await (const record of repository.findAll(store.db, accountId)) records.push(present(record));
      return records;
    },

    async get(accountId: string, key: RecordKey): Promise<ApiRecord> {
      const [id] = await idsOf(store.db, accountId, [key]);
      const record = await repository.findById(store.db, accountId, id);
      if (!record) throw notFound(notFoundMessage);
      return view(record);
    },

    /**
     * Creates every body's record or none. `bulkPointer` locates the array in the request for error
     * pointers (`''` for a bare array, `/body` for the SDK's wrapper); absent for a single create.
     */
    async create(context: ChangeContext, accountId: string, bodies: Values[], bulkPointer?: string): Promise<ApiRecord[]> {
      const errors: FieldError[] = [];
      const prefixes = bodies.map((_, index) => (bulkPointer === undefined ? '' : `${bulkPointer}/${index}`));
      const items = bodies.map((body, index) => prepareFull(body, prefixes[index], errors));
      throwIfAny(errors);
      return transaction(accountId, (executor, count) => insertAll(executor, context, accountId, count, items, prefixes));
    },

    async patch(context: ChangeContext, accountId: string, key: RecordKey, body: Values): Promise<ApiRecord> {
      return transaction(accountId, async (executor) => {
        const [id] = await idsOf(executor, accountId, [key]);
        const current = await findOrThrow(executor, accountId, id);
        const errors: FieldError[] = [];
        const values = complete(readPatch(current.values, body), current.values, '', errors);
        throwIfAny(errors);
        return replace(executor, context, accountId, current, values, '');
      });
    },

    async remove(context: ChangeContext, accountId: string, key: RecordKey): Promise<{ id: RecordKey }> {
      return transaction(accountId, async (executor, count) => {
        await deleteAll(executor, context, accountId, count, await idsOf(executor, accountId, [key]), () => undefined);
        return { id: key };
      });
    },

    /** Deletes every referenced record or none (domains bulk delete). */
    async removeMany(context: ChangeContext, accountId: string, references: { id: number }[]): Promise<{ id: number }[]> {
      return transaction(accountId, async (executor, count) => {
        const ids = references.map(({ id }) => id);
        await repository.lockAll(executor, accountId, ids);
        await deleteAll(executor, context, accountId, count, ids, (index) => `/${index}/id`);
        return references.map(({ id }) => ({ id }));
      });
    },

    /**
     * Deletes → patches → puts → posts, in request order, in one transaction. Bodies that
     * are invalid on their own are rejected before anything runs; the first failure undoes everything.
     */
    async batch(context: ChangeContext, accountId: string, body: BatchBody) {
      // A deletes-only batch ignores any other array, like any unknown property.
      const full = definition.operations.batch === 'full';
      const deletes = body.deletes ?? [];
      const patches = full ? (body.patches ?? []) : [];
      const puts = full ? (body.puts ?? []) : [];
      const posts = full ? (body.posts ?? []) : [];
      const errors: FieldError[] = [];
      const postValues = posts.map((item, index) => prepareFull(item, `/posts/${index}`, errors));
      for (const [index, item] of puts.entries()) readFull(item, `/puts/${index}`, errors);
      throwIfAny(errors);

      return transaction(accountId, async (executor, count) => {
        const ids = await idsOf(
          executor,
          accountId,
          [...deletes, ...patches, ...puts].map(({ id }) => id),
        );
        const deleteIds = ids.slice(0, deletes.length);
        const patchIds = ids.slice(deletes.length, deletes.length + patches.length);
        const putIds = ids.slice(deletes.length + patches.length);
        await repository.lockAll(executor, accountId, ids);
        await deleteAll(executor, context, accountId, count, deleteIds, (index) => `/deletes/${index}/id`);
        const patched: ApiRecord[] = [];
        for (const [index, item] of patches.entries()) {
          const prefix = `/patches/${index}`;
          const current = await findOrThrow(executor, accountId, patchIds[index], `${prefix}/id`);
          const values = complete(readPatch(current.values, item), current.values, prefix, errors);
          throwIfAny(errors);
          patched.push(await replace(executor, context, accountId, current, values, prefix));
        }
        const replaced: ApiRecord[] = [];
        for (const [index, item] of puts.entries()) {
          const prefix = `/puts/${index}`;
          const current = await findOrThrow(executor, accountId, putIds[index], `${prefix}/id`);
          const values = prepareFull(item, prefix, errors, current.values);
          throwIfAny(errors);
          replaced.push(await replace(executor, context, accountId, current, values, prefix));
        }
        const created = await insertAll(
          executor,
          context,
          accountId,
          count,
          postValues,
          posts.map((_, index) => `/posts/${index}`),
        );
        const result = { deletes: deletes.map(({ id }) => ({ id: typeof id === 'string' ? id.toLowerCase() : id })) };
        return full ? { ...result, patches: patched, posts: created, puts: replaced } : result;
      });
    },
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;
