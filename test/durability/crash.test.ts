/**
 * kill -9 right after the last answered write: every write the server answered must survive, because an
 * answer is only sent after the commit is on disk. Nothing is flushed at exit (SIGKILL runs no hooks).
 * The second test repeats it under concurrent writers for MAILWARDEN_CRASH_CYCLES cycles (default 3):
 *
 *   MAILWARDEN_CRASH_CYCLES=50 npx vitest run test/durability/crash.test.ts --project sqlite
 */
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { spawnServer, temporaryDirectory, type ChildServer } from '../helpers/server.js';
import { COLLECTIONS, createBody, expectLedger, expectOneAuditEntryPerChange, Ledger, reconcile, Writer } from '../helpers/workload.js';
import { killHard } from './child-process.js';

const ACCOUNT = '00000000000000000000000000c0ffee';
const CYCLES = Number(process.env.MAILWARDEN_CRASH_CYCLES ?? 3);
const WRITERS = 12;
const SEED = Number(process.env.MAILWARDEN_CRASH_SEED ?? Date.now() % 100_000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDatabase(): string {
  const directory = temporaryDirectory();
  cleanups.push(() => directory.remove());
  return `sqlite:${join(directory.path, 'mw.db')}`;
}

async function start(databaseUrl: string): Promise<ChildServer> {
  const server = await spawnServer({ DATABASE_URL: databaseUrl });
  cleanups.push(async () => {
    await server.stop('SIGKILL');
  });
  return server;
}

async function listAll(origin: string, resource: string): Promise<any[]> {
  const response = await request(origin, 'GET', `${settingsPath(resource, ACCOUNT)}?per_page=1000`);
  expect(response.status).toBe(200);
  return response.body.result;
}

const sender = (i: number) => ({
  is_regex: false,
  pattern: `sender${i}@crash.example`,
  pattern_type: 'EMAIL',
  comments: `write #${i}`,
});

describe('kill -9 after answered writes', () => {
  it('200 sequential creates (with edits and deletes in between) all survive a SIGKILL sent right after the last answer', async () => {
    const databaseUrl = tempDatabase();
    const first = await start(databaseUrl);

    // The expected state, built only from what the server answered.
    const expected = new Map<number, any>();
    let lastAnswered: any;
    for (let i = 0; i < 200; i++) {
      const created = await request(first.origin, 'POST', settingsPath('block_senders', ACCOUNT), { body: sender(i) });
      expect(created.status).toBe(201);
      expected.set(created.body.result.id, created.body.result);
      lastAnswered = created;
      if (i % 20 === 19) {
        // Every 20th write: edit the record created 10 writes earlier, delete the one created 15 earlier.
        const editId = [...expected.keys()].at(-10)!;
        const edited = await request(first.origin, 'PATCH', settingsPath(`block_senders/${editId}`, ACCOUNT), {
          body: { comments: `edited after write #${i}` },
        });
        expect(edited.status).toBe(200);
        expected.set(editId, edited.body.result);
        const deleteId = [...expected.keys()].at(-15)!;
        const deleted = await request(first.origin, 'DELETE', settingsPath(`block_senders/${deleteId}`, ACCOUNT));
        expect(deleted.status).toBe(200);
        expected.delete(deleteId);
      }
    }
    // The very last answer is a create; kill immediately after it.
    expect(lastAnswered.status).toBe(201);
    await killHard(first);
    expect(first.process.signalCode).toBe('SIGKILL');

    const second = await start(databaseUrl);
    const survivors = await listAll(second.origin, 'block_senders');
    expect(survivors).toHaveLength(expected.size);
    expect(survivors).toEqual([...expected.values()].sort((a, b) => a.id - b.id));
    expect(survivors.at(-1)).toEqual(lastAnswered.body.result);
  });

  it(
    `${CYCLES} kill -9 / restart cycles under ${WRITERS} concurrent writers: after each, the store opens cleanly and holds every answered write`,
    { timeout: CYCLES * 30_000 + 30_000 },
    async () => {
      const databaseUrl = tempDatabase();
      const file = databaseUrl.slice('sqlite:'.length);
      const accounts = [ACCOUNT, '00000000000000000000000000decade'];
      const ledger = new Ledger();
      const options = { origins: [] as string[], accounts, ledger, seed: SEED };
      const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(i, options));
      const highestId = new Map<string, number>();

      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        const server = await start(databaseUrl);
        expect(await request(server.origin, 'GET', '/readyz', { anonymous: true }).then((r) => r.status)).toBe(200);
        expectIntact(file);
        // The request each writer had in flight at the kill: applied whole or not at all.
        const applied = await reconcile(server.origin, ledger, writers);
        await expectLedger(server.origin, ledger, accounts);
        for (const { collection, row } of ledger.live.values()) highestId.set(collection, Math.max(highestId.get(collection) ?? 0, row.id));
        if (cycle === CYCLES) {
          // The last restart: it keeps working, and no id is handed out twice (deleted ones included).
          for (const collection of COLLECTIONS) {
            const created = await request(server.origin, 'POST', settingsPath(collection, ACCOUNT), {
              body: createBody(collection, `after-${COLLECTIONS.indexOf(collection)}`),
            });
            expect(created.status, created.text).toBe(201);
            expect(created.body.result.id).toBeGreaterThan(highestId.get(collection) ?? 0);
            ledger.audit(created, [[collection, 'create']]);
          }
          // Each change and its audit entry were committed together: none without the other, across every kill.
          await expectOneAuditEntryPerChange(server.origin, ledger, accounts);
          break;
        }

        // Writers until a random number of answers, then SIGKILL with requests in flight.
        options.origins.splice(0, options.origins.length, server.origin);
        const target = 20 + Math.floor(Math.random() * 40);
        let answered = 0;
        let killed = false;
        await Promise.all(
          writers.map(async (writer) => {
            while (await writer.step()) {
              if (++answered >= target && !killed) {
                killed = true;
                server.process.kill('SIGKILL');
              }
            }
          }),
        );
        await killHard(server);
        expect(ledger.dishonest, `cycle ${cycle}: only valid answers`).toEqual([]);
        console.info(
          `cycle ${cycle} (seed ${SEED}): ${answered} answered, then kill -9 with ${writers.filter((w) => w.inFlight).length} in flight (${applied} applied at the previous kill)`,
        );
      }
    },
  );
});

/** A second connection's view of the file while the server has it open: intact, with nothing dangling. */
function expectIntact(file: string): void {
  const reader = new SQLite(file, { readonly: true });
  try {
    expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reader.pragma('foreign_key_check')).toEqual([]);
  } finally {
    reader.close();
  }
}
