/**
 * Through HTTP: evaluations per second of `POST .../email-security/evaluate` against a running
 * `dist/server.js` (one Node process, so one core), with 1k, 10k, 100k (and 1M) settings in the account,
 * next to the same engine in process. Settings come from bench/engine-fixtures.ts (the in-process
 * benchmark's generator) and are written straight into the store.
 *
 * Then what a write costs the next evaluation: the first request's latency (it loads and compiles every
 * setting, as every write made the next request do before writes were applied in place), next to the
 * latency of a request right after each of `--writes` API writes (a blocked sender, every other one a
 * regex, whose list's RE2 sets are built again).
 *
 *   npm run bench:evaluate -- [--sizes 1000,10000,100000] [--batch 100] [--seconds 10] [--writes 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.js';
import { compileSettings, evaluate, type Message } from '../src/engine/index.js';
import { RESOURCES } from '../src/resources/index.js';
import { createResourceRepository } from '../src/resources/resource-repository.js';
import { buildMessages, buildSettings } from './engine-fixtures.js';
import { ACCOUNT_ID, AUTH_HEADERS, COMPILED_BENCH_DIR, median, startMailwarden } from './lib/harness.js';
import type { LoadResult, LoadSpec } from './load-client.js';

const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    batch: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    regex: { type: 'string', default: '0.01' },
    writes: { type: 'string', default: '20' },
  },
});
const sizes = options.sizes.split(',').map(Number);
const batch = Number(options.batch);
const seconds = Number(options.seconds);
const regexShare = Number(options.regex);
const writes = Number(options.writes);

/** Writes every generated setting straight into the store (no API validation: the engine reads what is stored). */
async function seedSettings(databaseUrl: string, size: number) {
  const universe = buildSettings(size, regexShare);
  const database = await openDatabase(databaseUrl);
  const now = new Date().toISOString();
  for (const definition of RESOURCES) {
    const repository = createResourceRepository(definition, database.adapter);
    const records = universe.settings[definition.name as keyof typeof universe.settings] as unknown as Record<string, unknown>[];
    for (let start = 0; start < records.length; start += 5000) {
      await database.db.transaction().execute(async (executor) => {
        for (const record of records.slice(start, start + 5000)) {
          const values: Record<string, unknown> = {};
          for (const [name, spec] of Object.entries(definition.fields)) {
            values[name] = record[name] ?? spec.default?.() ?? null;
          }
          await repository.insert(executor, ACCOUNT_ID, definition.derive ? definition.derive(values, undefined) : values, now);
        }
      });
    }
  }
  await database.close();
  return universe;
}

function inProcessRate(settings: ReturnType<typeof buildSettings>['settings'], messages: Message[]): number {
  const compiled = compileSettings(settings);
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = process.cpuUsage();
    let done = 0;
    do {
      for (const message of messages) evaluate(compiled, message);
      done += messages.length;
    } while ((process.cpuUsage(started).user + process.cpuUsage(started).system) / 1e6 < 1);
    const used = process.cpuUsage(started);
    rates.push(done / ((used.user + used.system) / 1e6));
  }
  return median(rates);
}

async function load(folder: string, spec: LoadSpec): Promise<LoadResult> {
  const file = join(folder, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, [join(COMPILED_BENCH_DIR, 'load-client.js'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`load client failed (${code})`);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

const rows: string[] = [];
const writeRows: string[] = [];

/** Latencies of an evaluate request right after each of `count` writes through the API. */
async function evaluateAfterWrites(
  base: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  count: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const pattern =
      i % 2 === 0
        ? { pattern: `writer${i}@bench-writes.example`, is_regex: false }
        : { pattern: `.*@bench-writes${i}\\.example`, is_regex: true };
    const written = await fetch(`${base}/client/v4/accounts/${ACCOUNT_ID}/email-security/settings/block_senders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...pattern, pattern_type: 'EMAIL' }),
    });
    if (written.status !== 201) throw new Error(`write answered ${written.status}`);
    const started = performance.now();
    const answered = await fetch(base + path, { method: 'POST', headers, body });
    await answered.arrayBuffer();
    latencies.push(performance.now() - started);
  }
  return latencies;
}
for (const size of sizes) {
  const folder = mkdtempSync(join(tmpdir(), 'mailwarden-evaluate-bench-'));
  const databaseUrl = `sqlite:${join(folder, 'mw.db')}`;
  const universe = await seedSettings(databaseUrl, size);
  const messages = buildMessages(universe, batch);
  const server = await startMailwarden(databaseUrl);
  try {
    const body = JSON.stringify({ messages });
    const path = `/client/v4/accounts/${ACCOUNT_ID}/email-security/evaluate`;
    const headers = { ...AUTH_HEADERS, 'content-type': 'application/json' };
    // The first evaluation compiles the account's settings; the warm-up absorbs it.
    const coldStart = performance.now();
    await fetch(server.base + path, { method: 'POST', headers, body }).then((r) => r.arrayBuffer());
    const cold = performance.now() - coldStart;
    const result = await load(folder, {
      base: server.base,
      method: 'POST',
      path,
      headers,
      body,
      connections: 4,
      durationSeconds: seconds,
      warmupSeconds: 3,
      serverPid: server.process.child.pid,
    });
    const httpRate = result.requestsPerSecond * batch;
    const localRate = inProcessRate(universe.settings, buildMessages(universe, 2000));
    const bad = Object.entries(result.statuses).filter(([status]) => status !== '200');
    rows.push(
      `| ${size.toLocaleString('en-US')} | ${Math.round(httpRate).toLocaleString('en-US')} | ${result.p50.toFixed(1)} / ${result.p99.toFixed(1)} | ${Math.round(localRate).toLocaleString('en-US')} | ${((httpRate / localRate) * 100).toFixed(0)}% |${bad.length ? ` non-200: ${JSON.stringify(bad)}` : ''}`,
    );
    console.error(rows[rows.length - 1]);
    if (writes > 0) {
      const afterWrites = await evaluateAfterWrites(server.base, path, headers, body, writes);
      writeRows.push(
        `| ${size.toLocaleString('en-US')} | ${cold.toFixed(0)} | ${median(afterWrites).toFixed(1)} / ${Math.max(...afterWrites).toFixed(1)} | ${(cold / median(afterWrites)).toFixed(0)}x |`,
      );
      console.error(writeRows[writeRows.length - 1]);
    }
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

console.log(`Evaluate through HTTP vs in process (${regexShare * 100}% regex settings), ${batch} messages per request,`);
console.log(
  `autocannon 4 connections, ${seconds} s after a 3 s warm-up; ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}.`,
);
console.log('');
console.log(
  '| settings | HTTP evaluations/s | request p50 / p99 ms | in-process evaluations/s (median of 5, CPU time) | HTTP / in-process |',
);
console.log('|--:|--:|--:|--:|--:|');
for (const row of rows) console.log(row);
if (writeRows.length > 0) {
  console.log('');
  console.log(
    `A request of ${batch} messages right after a write (${writes} writes through the API, every other one a regex), next to the first request (which compiles):`,
  );
  console.log('');
  console.log(
    '| settings | first request ms (loads and compiles) | request right after a write, median / max ms | first / after a write |',
  );
  console.log('|--:|--:|--:|--:|');
  for (const row of writeRows) console.log(row);
}
