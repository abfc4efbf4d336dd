/**
 * kill -9 right after the last answered write: every write the server answered must survive, because an
 * answer is only sent after the commit is on disk. Nothing is flushed at exit (SIGKILL runs no hooks).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { spawnServer, temporaryDirectory, type ChildServer } from '../helpers/server.js';
import { killHard } from './child-process.js';

const ACCOUNT = '00000000000000000000000000c0ffee';

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

  it('100 concurrent creates, SIGKILL as soon as 10 are answered: every answered record is present, whole', async () => {
    const databaseUrl = tempDatabase();
    const first = await start(databaseUrl);

    const answered: any[] = [];
    let killed = false;
    const attempts = Array.from({ length: 100 }, (_, i) =>
      request(first.origin, 'POST', settingsPath('allow_policies', ACCOUNT), {
        body: {
          is_acceptable_sender: false,
          is_exempt_recipient: i % 2 === 0,
          is_regex: false,
          is_trusted_sender: true,
          pattern: `parallel${i}@crash.example`,
          pattern_type: 'EMAIL',
          verify_sender: true,
          comments: `parallel #${i}`,
        },
      }).then(
        (response) => {
          if (response.status === 201) answered.push(response.body.result);
          else throw new Error(`unexpected answer ${response.status}: ${response.text}`);
          if (answered.length >= 10 && !killed) {
            killed = true;
            first.process.kill('SIGKILL');
          }
        },
        () => undefined, // cut off by the kill: not answered
      ),
    );
    await Promise.all(attempts);
    await killHard(first);
    expect(killed).toBe(true);
    expect(answered.length).toBeGreaterThanOrEqual(10);

    const second = await start(databaseUrl);
    const survivors = await listAll(second.origin, 'allow_policies');
    const byId = new Map(survivors.map((record) => [record.id, record]));
    for (const record of answered) expect(byId.get(record.id)).toEqual(record);

    // Unanswered creates may or may not be there, but only as whole records from this run, each once.
    expect(survivors.length).toBeGreaterThanOrEqual(answered.length);
    expect(survivors.length).toBeLessThanOrEqual(100);
    expect(new Set(survivors.map((r) => r.pattern)).size).toBe(survivors.length);
    for (const record of survivors) {
      const i = Number(/^parallel(\d+)@crash\.example$/.exec(record.pattern)?.[1]);
      expect(record).toMatchObject({ comments: `parallel #${i}`, is_exempt_recipient: i % 2 === 0, is_trusted_sender: true });
    }

    // The restarted server keeps working and does not reuse any id.
    const next = await request(second.origin, 'POST', settingsPath('allow_policies', ACCOUNT), {
      body: {
        is_acceptable_sender: false,
        is_exempt_recipient: false,
        is_regex: false,
        is_trusted_sender: true,
        pattern: 'after@crash.example',
        pattern_type: 'EMAIL',
        verify_sender: true,
      },
    });
    expect(next.status).toBe(201);
    expect(next.body.result.id).toBeGreaterThan(Math.max(...survivors.map((r) => r.id)));
  });
});
