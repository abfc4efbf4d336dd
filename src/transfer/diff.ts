/**
 * What an import changes in one collection: rows are matched to stored records by natural key (as a
 * multiset: the second row with a key matches the second record with it, in id order), then
 * - merge: unmatched rows are created, matched ones updated where a writable field differs;
 * - replace: the same, and records no row matched are deleted, so the collection equals the file.
 * Pure: the importer and `mailwarden push` (against a remote API) both use it.
 */
import type { Values } from '../resources/definition.js';

export type ImportMode = 'merge' | 'replace';

export interface Keyed<T> {
  key: string;
  /** The writable fields, compared to tell an update from an unchanged record. */
  values: Values;
  item: T;
}

export interface CollectionPlan<Row, Stored> {
  creates: Keyed<Row>[];
  updates: { row: Keyed<Row>; stored: Keyed<Stored> }[];
  deletes: Keyed<Stored>[];
  unchanged: number;
}

export interface DiffCounts {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

/** Writable fields in a fixed order, absent ones as null, so equal settings compare equal. */
export function pick(values: Values, fields: readonly string[]): Values {
  const picked: Values = {};
  for (const field of fields) picked[field] = values[field] ?? null;
  return picked;
}

const same = (a: Values, b: Values) => JSON.stringify(a) === JSON.stringify(b);

export function planCollection<Row, Stored>(stored: Keyed<Stored>[], rows: Keyed<Row>[], mode: ImportMode): CollectionPlan<Row, Stored> {
  const byKey = new Map<string, Keyed<Stored>[]>();
  for (const record of stored) {
    const list = byKey.get(record.key);
    if (list) list.push(record);
    else byKey.set(record.key, [record]);
  }
  const plan: CollectionPlan<Row, Stored> = { creates: [], updates: [], deletes: [], unchanged: 0 };
  for (const row of rows) {
    const match = byKey.get(row.key)?.shift();
    if (match === undefined) plan.creates.push(row);
    else if (same(match.values, row.values)) plan.unchanged++;
    else plan.updates.push({ row, stored: match });
  }
  if (mode === 'replace') for (const left of byKey.values()) plan.deletes.push(...left);
  return plan;
}

export function countsOf(plan: CollectionPlan<unknown, unknown>): DiffCounts {
  return { create: plan.creates.length, update: plan.updates.length, delete: plan.deletes.length, unchanged: plan.unchanged };
}

/** The diff an import answers, per collection: counts, and the settings to create, update and delete. */
export interface CollectionDiff {
  counts: DiffCounts;
  create: Values[];
  update: { id: number; before: Values; after: Values }[];
  delete: ({ id: number } & Values)[];
}

export interface ImportDiff {
  mode: ImportMode;
  dry_run: boolean;
  counts: DiffCounts;
  collections: Record<string, CollectionDiff>;
}

export function totalCounts(collections: Record<string, CollectionDiff>): DiffCounts {
  const total: DiffCounts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const { counts } of Object.values(collections)) {
    for (const key of Object.keys(total) as (keyof DiffCounts)[]) total[key] += counts[key];
  }
  return total;
}
