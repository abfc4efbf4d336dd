/**
 * Imports settings into one account, all or nothing: every row is checked first (schema and record
 * rules, as a create would), then matched to the stored records by natural key (`diff.ts`), and the
 * creates, updates and deletes run in one transaction, each audited like any change. A dry run plans
 * the same way and changes nothing. Collections the source leaves out are left alone.
 */
import type { ValidateFunction } from 'ajv';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChangeContext } from '../audit/audit-log.js';
import type { SettingsChange } from '../engine/index.js';
import { conflict, unavailable, validationError, type FieldError } from '../http/errors.js';
import type { StoredRecord, Values } from '../resources/definition.js';
import type { Executor } from '../db/executor.js';
import type { ResourceService, SettingsChanges, Store } from '../resources/resource-service.js';
import { bodyAjv, toFieldErrors } from '../validation/schema-validator.js';
import { COLLECTION_FORMATS } from './collections.js';
import { countsOf, pick, planCollection, totalCounts, type CollectionDiff, type ImportDiff, type ImportMode, type Keyed } from './diff.js';

/** One row of an import, and where it is in the file (a JSON pointer for a field, `field` left out for the row). */
export interface SourceRow {
  body: Values;
  /** Problems found reading the row (CSV cells), already placed in the file. */
  problems?: FieldError[];
  pointer(field?: string): string;
}

/** Collection name → its rows, in file order. */
export type ImportSource = Map<string, SourceRow[]>;

export interface ImportOptions {
  mode: ImportMode;
  dryRun: boolean;
}

/** Past this many, further problems are not listed (the file is refused either way). */
const MAX_REPORTED_ERRORS = 100;
const MAX_ATTEMPTS = 5;

interface PreparedRow extends SourceRow {
  values: Values;
}

export function createImporter(store: Store, services: readonly ResourceService[], changes: SettingsChanges) {
  const byName = new Map(services.map((service) => [service.definition.name, service]));
  const validators = new Map<string, ValidateFunction>();

  function validatorOf(service: ResourceService): ValidateFunction {
    let validate = validators.get(service.definition.name);
    if (!validate) {
      validate = bodyAjv.compile(service.definition.schemas.create);
      validators.set(service.definition.name, validate);
    }
    return validate;
  }

  /** A record-relative pointer (`/exclude/0`) placed at the row's position in the file. */
  function locate(row: SourceRow, error: FieldError): FieldError {
    const [, field, ...rest] = error.pointer.split('/');
    const at = field ? row.pointer(field) : row.pointer();
    return { pointer: rest.length > 0 && at.startsWith('/lines/') === false ? `${at}/${rest.join('/')}` : at, message: error.message };
  }

  /** Checks every row as a create body; throws the 400 listing the problems (with their lines) if any. */
  function prepareAll(source: ImportSource): Map<ResourceService, PreparedRow[]> {
    const errors: FieldError[] = [];
    const prepared = new Map<ResourceService, PreparedRow[]>();
    for (const [name, rows] of source) {
      const service = byName.get(name)!;
      const validate = validatorOf(service);
      const keys = new Set<string>();
      const unique = service.definition.unique?.field;
      const list: PreparedRow[] = [];
      for (const row of rows) {
        if (errors.length >= MAX_REPORTED_ERRORS) break;
        if (row.problems && row.problems.length > 0) {
          errors.push(...row.problems);
          continue;
        }
        if (!validate(row.body)) {
          for (const error of toFieldErrors(validate.errors ?? [], '')) errors.push(locate(row, error));
          continue;
        }
        const rowErrors: FieldError[] = [];
        const values = service.prepare(row.body, '', rowErrors);
        for (const error of rowErrors) errors.push(locate(row, error));
        if (rowErrors.length > 0) continue;
        if (unique) {
          const key = String(values[unique]).toLowerCase();
          if (keys.has(key))
            errors.push({ pointer: row.pointer(unique), message: `${unique} ${String(values[unique])} appears twice in the file` });
          keys.add(key);
        }
        list.push({ ...row, values });
      }
      prepared.set(service, list);
    }
    if (errors.length > 0) throw validationError(errors.slice(0, MAX_REPORTED_ERRORS));
    return prepared;
  }

  async function storedOf(executor: Executor, service: ResourceService, accountId: string): Promise<Keyed<StoredRecord>[]> {
    const format = COLLECTION_FORMATS[service.definition.name];
    const stored: Keyed<StoredRecord>[] = [];
    for await (const record of service.repository.findAll(executor, accountId)) {
      stored.push({ key: format.naturalKey(record.values), values: pick(record.values, service.writable), item: record });
    }
    return stored;
  }

  async function plan(executor: Executor, accountId: string, prepared: Map<ResourceService, PreparedRow[]>, mode: ImportMode) {
    const plans = [];
    for (const [service, rows] of prepared) {
      const format = COLLECTION_FORMATS[service.definition.name];
      const keyed = rows.map((row) => ({ key: format.naturalKey(row.values), values: pick(row.values, service.writable), item: row }));
      plans.push({ service, plan: planCollection(await storedOf(executor, service, accountId), keyed, mode) });
    }
    return plans;
  }

  function diffOf(plans: Awaited<ReturnType<typeof plan>>, options: ImportOptions): ImportDiff {
    const collections: Record<string, CollectionDiff> = {};
    for (const { service, plan: collectionPlan } of plans) {
      collections[service.definition.name] = {
        counts: countsOf(collectionPlan),
        create: collectionPlan.creates.map((row) => row.values),
        update: collectionPlan.updates.map(({ row, stored }) => ({ id: stored.item.id, before: stored.values, after: row.values })),
        delete: collectionPlan.deletes.map((stored) => ({ id: stored.item.id, ...stored.values })),
      };
    }
    return { mode: options.mode, dry_run: options.dryRun, counts: totalCounts(collections), collections };
  }

  return {
    collections: [...byName.keys()],

    async run(context: ChangeContext, accountId: string, source: ImportSource, options: ImportOptions): Promise<ImportDiff> {
      const prepared = prepareAll(source);
      if (options.dryRun) return diffOf(await plan(store.db, accountId, prepared, options.mode), options);
      for (let attempt = 1; ; attempt++) {
        try {
          let changed: SettingsChange[] = [];
          const diff = await store.db.transaction().execute(async (executor) => {
            const plans = await plan(executor, accountId, prepared, options.mode);
            for (const { service, plan: collectionPlan } of plans) {
              const updates = collectionPlan.updates.map(({ row, stored }) => {
                const errors: FieldError[] = [];
                // A full replacement of the writable fields; read-only and derived ones follow the stored record.
                return { current: stored.item, values: service.prepare(row.item.body, '', errors, stored.item.values) };
              });
              const made = await service.applyChanges(executor, context, accountId, {
                deletes: collectionPlan.deletes.map((stored) => stored.item),
                updates,
                creates: collectionPlan.creates.map((row) => row.item.values),
              });
              changed = changed.concat(made);
            }
            if (changed.length > 0) await changes.publish(executor, accountId, changed);
            return diffOf(plans, options);
          });
          if (changed.length > 0) changes.committed(accountId, changed);
          return diff;
        } catch (error) {
          // A domain created by another request while the import ran: the import did not happen.
          if (store.adapter.isUniqueViolation(error))
            throw conflict('A setting in the file was created by another request meanwhile; nothing was imported, try again');
          if (!store.adapter.isRetryable(error)) throw error;
          if (attempt >= MAX_ATTEMPTS) throw unavailable();
          await delay(Math.random() * 20 * attempt);
        }
      }
    },
  };
}

export type Importer = ReturnType<typeof createImporter>;
