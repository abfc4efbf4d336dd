/**
 * The SQLite driver's group commit (src/db/sqlite-driver.ts), on a real file: concurrent
 * transactions share COMMITs, a failing one leaves the rest of its group alone, nothing is visible
 * to reads (or to another connection) before it is committed, and the file's write lock is let go
 * as soon as the writer falls idle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitSqliteDialect } from '../../src/db/sqlite-driver.js';

interface Schema {
  items: { id: Generated<number>; label: string };
}

let folder: string;
let file: string;
let dialect: GroupCommitSqliteDialect;
let db: Kysely<Schema>;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mailwarden-group-commit-'));
  file = join(folder, 'store.sqlite');
  const writer = new SQLite(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = FULL');
  const reader = new SQLite(file);
  reader.pragma('query_only = true');
  dialect = new GroupCommitSqliteDialect(writer, reader);
  db = new Kysely<Schema>({ dialect });
  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull().unique())
    .execute();
});

afterEach(async () => {
  await db.destroy();
  rmSync(folder, { recursive: true, force: true });
});

/** What another process would see: a connection of its own. */
function labelsOnDisk(): string[] {
  const other = new SQLite(file, { readonly: true });
  try {
    return (other.prepare('select label from items order by id').all() as { label: string }[]).map((row) => row.label);
  } finally {
    other.close();
  }
}

describe('group commit on SQLite', () => {
  it('concurrent transactions share COMMITs, and every one that resolved is on disk', async () => {
    const before = { ...dialect.driver.stats };
    await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        db.transaction().execute((tx) =>
          tx
            .insertInto('items')
            .values({ label: `item-${n}` })
            .execute(),
        ),
      ),
    );
    const commits = dialect.driver.stats.commits - before.commits;
    expect(dialect.driver.stats.transactions - before.transactions).toBe(100);
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(100);
    expect(labelsOnDisk()).toHaveLength(100);
  });

  it('a transaction that fails is undone alone; the others in its group commit', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, n) =>
        db.transaction().execute(async (tx) => {
          await tx
            .insertInto('items')
            .values({ label: `kept-${n}` })
            .execute();
          if (n % 3 === 0) {
            await tx
              .insertInto('items')
              .values({ label: `undone-${n}` })
              .execute();
            throw new Error(`transaction ${n} fails`);
          }
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(10);
    const labels = labelsOnDisk();
    expect(labels.filter((label) => label.startsWith('undone-'))).toEqual([]);
    expect(labels.filter((label) => label.startsWith('kept-')).sort()).toEqual(
      Array.from({ length: 30 }, (_, n) => n)
        .filter((n) => n % 3 !== 0)
        .map((n) => `kept-${n}`)
        .sort(),
    );
  });

  it('a statement error (a unique violation) inside a group rolls back only its own transaction', async () => {
    await db.insertInto('items').values({ label: 'taken' }).execute();
    const outcomes = await Promise.allSettled([
      db.transaction().execute((tx) => tx.insertInto('items').values({ label: 'first' }).execute()),
      db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ label: 'half' }).execute();
        await tx.insertInto('items').values({ label: 'taken' }).execute();
      }),
      db.transaction().execute((tx) => tx.insertInto('items').values({ label: 'last' }).execute()),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(labelsOnDisk()).toEqual(['taken', 'first', 'last']);
  });

  it('reads outside a transaction, and other connections, see nothing before it commits', async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const writing = db.transaction().execute(async (tx) => {
      await tx.insertInto('items').values({ label: 'pending' }).execute();
      // Inside the transaction its own write is visible.
      expect(await tx.selectFrom('items').select('label').execute()).toEqual([{ label: 'pending' }]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await db.selectFrom('items').select('label').execute()).toEqual([]);
    expect(labelsOnDisk()).toEqual([]);
    finish();
    await writing;
    expect(await db.selectFrom('items').select('label').execute()).toEqual([{ label: 'pending' }]);
    expect(labelsOnDisk()).toEqual(['pending']);
  });

  it('lets go of the write lock once idle, even after a rolled-back transaction, so another process can write', async () => {
    await db.transaction().execute((tx) => tx.insertInto('items').values({ label: 'committed' }).execute());
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ label: 'rolled-back' }).execute();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await new Promise((resolve) => setImmediate(resolve));
    const other = new SQLite(file);
    try {
      other.pragma('busy_timeout = 0');
      expect(() => other.prepare("insert into items (label) values ('from another process')").run()).not.toThrow();
    } finally {
      other.close();
    }
    expect(labelsOnDisk()).toEqual(['committed', 'from another process']);
  });

  it('a write outside a transaction is a transaction of its own, durable when it resolves', async () => {
    await db.insertInto('items').values({ label: 'alone' }).execute();
    expect(labelsOnDisk()).toEqual(['alone']);
    await expect(db.insertInto('items').values({ label: 'alone' }).execute()).rejects.toThrow(/UNIQUE/);
    await db.insertInto('items').values({ label: 'after the failure' }).execute();
    expect(labelsOnDisk()).toEqual(['alone', 'after the failure']);
    expect((await sql<{ n: number }>`select count(*) as n from items`.execute(db)).rows[0]?.n).toBe(2);
  });
});

describe('rows read through the SQLite driver', () => {
  it('are plain objects keyed by column name, also after the schema changes under a cached statement', async () => {
    await db.insertInto('items').values({ label: 'one' }).execute();
    const read = () => sql<Record<string, unknown>>`select * from items`.execute(db).then((result) => result.rows);
    expect(await read()).toEqual([{ id: 1, label: 'one' }]);
    await sql`alter table items add column note text`.execute(db);
    await sql`update items set note = 'added'`.execute(db);
    expect(await read()).toEqual([{ id: 1, label: 'one', note: 'added' }]);
    const odd = await sql<Record<string, unknown>>`select 1 as "__proto__", 2 as "two words", 3 as "two words"`.execute(db);
    expect(Object.getPrototypeOf(odd.rows[0])).toBe(Object.prototype);
    expect(odd.rows[0]).toEqual(
      Object.fromEntries([
        ['__proto__', 1],
        ['two words', 3],
      ]),
    );
  });
});

describe('group commit when SQLite aborts a whole write transaction', () => {
  it('fails the group it aborted, and the next transactions run alone and whole', async () => {
    // ON CONFLICT ROLLBACK: a duplicate rolls back the whole write transaction, not just the statement.
    await sql`create table strict_items (label text not null unique on conflict rollback)`.execute(db);
    await sql`insert into strict_items (label) values ('taken')`.execute(db);
    const insert = (tx: Kysely<Schema>, label: string) => sql`insert into strict_items (label) values (${label})`.execute(tx);
    const outcomes = await Promise.allSettled([
      db.transaction().execute((tx) => insert(tx, 't1')),
      db.transaction().execute((tx) => insert(tx, 'taken')),
      db.transaction().execute(async (tx) => {
        await insert(tx, 't3-part1');
        await new Promise((resolve) => setTimeout(resolve, 30));
        await insert(tx, 't3-part2');
      }),
      db.transaction().execute((tx) => insert(tx, 't4')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    const first = outcomes[0] as PromiseRejectedResult;
    expect((first.reason as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    const other = new SQLite(file, { readonly: true });
    try {
      expect(other.prepare('select label from strict_items order by rowid').pluck().all()).toEqual(['taken', 't3-part1', 't3-part2', 't4']);
    } finally {
      other.close();
    }
  });

  it('closing waits for a running transaction and commits it whole', async () => {
    let committed = false;
    const running = db.transaction().execute(async (tx) => {
      await tx.insertInto('items').values({ label: 'first-half' }).execute();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await tx.insertInto('items').values({ label: 'second-half' }).execute();
    });
    void running.then(() => (committed = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.destroy();
    await running;
    expect(committed).toBe(true);
    expect(labelsOnDisk()).toEqual(['first-half', 'second-half']);
    db = new Kysely<Schema>({ dialect: new GroupCommitSqliteDialect(new SQLite(file), new SQLite(file)) });
  });

  it('PRAGMAs run outside the group, and a renamed column is read under its new name', async () => {
    await db.insertInto('items').values({ label: 'one' }).execute();
    const read = () => sql<Record<string, unknown>>`select * from items`.execute(db).then((result) => result.rows);
    expect(await read()).toEqual([{ id: 1, label: 'one' }]);
    await sql`alter table items rename column label to name`.execute(db);
    expect(await read()).toEqual([{ id: 1, name: 'one' }]);
    const checkpoint = await sql<Record<string, number>>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    expect(checkpoint.rows[0]?.busy).toBe(0);
  });
});
