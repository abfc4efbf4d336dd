/**
 * API benchmark (`npm run bench`): mailwarden against the ceiling (a bare Fastify route) and
 * against Stoplight Prism mocking mailwarden's own OpenAPI document, side by side in one run, on
 * loopback, with the same client (autocannon, in a second process: bench/load-client.ts) and the same
 * concurrency. Writes bench/results/<date>-api.md.
 *
 *   npm run bench                                  # SQLite, + PostgreSQL when DATABASE_URL=postgres://...
 *   npm run bench -- --rounds 1 --duration 5       # a quicker pass
 *   npm run bench -- --profile get,create          # CPU profile of mailwarden under those loads
 *
 * Options: --duration <s> (10) --warmup <s> (3) --connections <n> (10) --rounds <n> (3) --sizes
 * 10000,100000 --backends sqlite,postgres --ops get,list,search,filter_sort,patch,create,delete,batch
 * --no-prism --output <file>. With --profile, mailwarden runs under `node --cpu-prof` for each named
 * operation at the largest size on each backend, and bench/results/<date>-profiles.md gets the summaries.
 *
 * Data: each backend × size gets its own store (SQLite file in the temp folder, or a PostgreSQL
 * scratch database `mailwarden_bench_api_*` created next to DATABASE_URL's and dropped afterwards),
 * loaded straight through the store (bench/lib/seed.ts). Writes made by the benchmark are removed
 * after each round, so every round starts from exactly the loaded records.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { formatSummary, summarizeProfile } from './lib/cpuprofile.js';
import { createBody, SELECTIVE_TERM } from './lib/dataset.js';
import {
  ACCOUNT_ID,
  AUTH_HEADERS,
  BENCH_DIR,
  datedResultFile,
  COLLECTION,
  COMPILED_BENCH_DIR,
  codeVersion,
  createScratchDatabase,
  freePort,
  median,
  postgresAdminUrl,
  postgresReachable,
  startMailwarden,
  startProcess,
  waitForHttp,
  type MailwardenServer,
  type RunningProcess,
  type ScratchDatabase,
} from './lib/harness.js';
import { openBenchStore, type BenchStore } from './lib/seed.js';
import type { LoadResult, LoadSpec } from './load-client.js';

// ------------------------------------------------------------------------------------------ options

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

type OpKey = 'get' | 'list' | 'search' | 'filter_sort' | 'patch' | 'create' | 'delete' | 'batch';
const ALL_OPS: OpKey[] = ['get', 'list', 'search', 'filter_sort', 'patch', 'create', 'delete', 'batch'];
const postgresConfigured = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

const DURATION = Number(option('duration', '10'));
const WARMUP = Number(option('warmup', '3'));
const CONNECTIONS = Number(option('connections', '10'));
const ROUNDS = Number(option('rounds', '3'));
const SIZES = option('sizes', '10000,100000').split(',').map(Number);
const BACKENDS = option('backends', postgresConfigured ? 'sqlite,postgres' : 'sqlite').split(',') as ('sqlite' | 'postgres')[];
const OPS = option('ops', ALL_OPS.join(',')).split(',') as OpKey[];
const WITH_PRISM = !process.argv.includes('--no-prism');
const PROFILE = option('profile', '').split(',').filter(Boolean) as OpKey[];
const OUTPUT = option('output', datedResultFile(PROFILE.length > 0 ? 'profiles' : 'api'));

for (const op of [...OPS, ...PROFILE])
  if (!ALL_OPS.includes(op)) throw new Error(`unknown operation '${op}' (known: ${ALL_OPS.join(', ')})`);

// ------------------------------------------------------------------------------------------ operations

interface Operation {
  key: OpKey;
  label: string;
  method: LoadSpec['method'];
  path: string;
  body?: string;
  /** Which ids `{id}` takes: the loaded records at random, or the pool of records to delete. */
  ids?: 'loaded' | 'pool';
}

const BATCH_POSTS = 100;
const JSON_HEADERS = { ...AUTH_HEADERS, 'content-type': 'application/json' };

const OPERATIONS: Record<OpKey, Operation> = {
  get: { key: 'get', label: 'get by id', method: 'GET', path: `${COLLECTION}/{id}`, ids: 'loaded' },
  list: { key: 'list', label: 'list (per_page 20)', method: 'GET', path: `${COLLECTION}?per_page=20` },
  search: {
    key: 'search',
    label: `list + search (\`${SELECTIVE_TERM}\`)`,
    method: 'GET',
    path: `${COLLECTION}?per_page=20&search=${SELECTIVE_TERM}`,
  },
  filter_sort: {
    key: 'filter_sort',
    label: 'list + filter + sort',
    method: 'GET',
    path: `${COLLECTION}?per_page=20&pattern_type=DOMAIN&order=pattern`,
  },
  patch: {
    key: 'patch',
    label: 'patch',
    method: 'PATCH',
    path: `${COLLECTION}/{id}`,
    body: JSON.stringify({ comments: 'Reviewed by the benchmark' }),
    ids: 'loaded',
  },
  create: { key: 'create', label: 'create', method: 'POST', path: COLLECTION, body: JSON.stringify(createBody(1)) },
  delete: { key: 'delete', label: 'delete', method: 'DELETE', path: `${COLLECTION}/{id}`, ids: 'pool' },
  batch: {
    key: 'batch',
    label: `batch of ${BATCH_POSTS} posts`,
    method: 'POST',
    path: `${COLLECTION}/batch`,
    body: JSON.stringify({ deletes: [], patches: [], puts: [], posts: Array.from({ length: BATCH_POSTS }, (_, n) => createBody(n)) }),
  },
};

// ------------------------------------------------------------------------------------------ measuring

interface Sample {
  target: string;
  op: OpKey;
  round: number;
  result: LoadResult;
  /** req/s of the ceiling measured just before, in the same round: the machine's state at the time. */
  ceilingRps: number;
}

const samples: Sample[] = [];
let scratchFolder = '';

/** Runs one load in a separate process (bench/load-client.js) and returns its result. */
async function load(spec: LoadSpec): Promise<LoadResult> {
  const file = join(scratchFolder, `spec-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, [join(COMPILED_BENCH_DIR, 'load-client.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  rmSync(file, { force: true });
  if (code !== 0) throw new Error(`load client failed (${code}): ${err}`);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

function describe(result: LoadResult): string {
  const bad = Object.entries(result.statuses).filter(([status]) => !status.startsWith('2'));
  const flags = [
    ...bad.map(([status, count]) => `${count}×${status}`),
    result.errors ? `${result.errors} errors` : '',
    result.timeouts ? `${result.timeouts} timeouts` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const cpu = Number.isFinite(result.serverCpuMicrosPerRequest)
    ? `  ${result.serverCpuMicrosPerRequest.toFixed(0).padStart(5)} µs CPU/req`
    : '';
  return `${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2).padStart(7)} ms  p99 ${result.p99.toFixed(2).padStart(7)} ms${cpu}${flags ? `  !! ${flags}` : ''}`;
}

interface Server {
  base: string;
  pid?: number;
}

/** The ceiling server and its latest figure, which every following measurement is compared with. */
let ceilingServer: Server | undefined;
let latestCeilingRps = NaN;
let ceilingRuns = 0;

const CEILING_OP: Operation = { key: 'get', label: 'constant envelope', method: 'GET', path: `${COLLECTION}/{id}`, ids: 'loaded' };

async function measureCeiling(): Promise<void> {
  if (!ceilingServer) return;
  const result = await measure('ceiling', ceilingServer, CEILING_OP, ++ceilingRuns, { mode: 'random', min: 1, max: 100_000 });
  latestCeilingRps = result.requestsPerSecond;
}

async function measure(target: string, server: Server, op: Operation, round: number, ids?: LoadSpec['ids']): Promise<LoadResult> {
  const base = server.base;
  const result = await load({
    serverPid: server.pid,
    base,
    method: op.method,
    path: op.path,
    headers: op.body === undefined ? AUTH_HEADERS : JSON_HEADERS,
    body: op.body,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    ids,
  });
  samples.push({ target, op: op.key, round, result, ceilingRps: target === 'ceiling' ? result.requestsPerSecond : latestCeilingRps });
  console.log(`${target.padEnd(18)} r${round} ${op.label.padEnd(28)} ${describe(result)}`);
  return result;
}

// ------------------------------------------------------------------------------------------ stores

interface Group {
  backend: 'sqlite' | 'postgres';
  size: number;
  url: string;
  store: BenchStore;
  /** Highest id of the loaded records; everything above is benchmark writes, removed after each round. */
  loadedMax: number;
  loadedMin: number;
  scratch?: ScratchDatabase;
  target: string;
}

/** Next generated-record index for topping up the delete pool (far above any loaded index). */
let topUpIndex = 50_000_000;

async function prepareGroup(backend: 'sqlite' | 'postgres', size: number): Promise<Group> {
  let url: string;
  let scratch: ScratchDatabase | undefined;
  if (backend === 'sqlite') url = `sqlite:${join(scratchFolder, `mailwarden-${size}.db`)}`;
  else {
    scratch = await createScratchDatabase(postgresAdminUrl(), 'api');
    url = scratch.url;
  }
  const store = await openBenchStore(url);
  process.stdout.write(`[${backend}] loading ${size} records ... `);
  const { ms } = await store.seed(ACCOUNT_ID, 0, size);
  // Planner statistics, as autovacuum would gather them after a load this size: without them, round 1
  // on PostgreSQL 100k planned the selective search as a scan (300 ms instead of ~1 ms).
  await store.settle();
  const range = await store.idRange(ACCOUNT_ID);
  console.log(`${(ms / 1000).toFixed(1)} s (ids ${range.min}..${range.max})`);
  return {
    backend,
    size,
    url,
    store,
    loadedMax: range.max,
    loadedMin: range.min,
    scratch,
    target: `${backend} ${size >= 1000 ? `${size / 1000}k` : size}`,
  };
}

/** The ids above the loaded ones, as [first, last] runs. */
async function poolRanges(group: Group): Promise<[number, number][]> {
  const rows = await group.store.query(
    group.backend === 'sqlite'
      ? 'select id from allow_policies where account_id = ? and id > ? order by id'
      : 'select id from allow_policies where account_id = $1 and id > $2 order by id',
    [ACCOUNT_ID, group.loadedMax],
  );
  const ranges: [number, number][] = [];
  for (const { id } of rows) {
    const value = Number(id);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === value - 1) last[1] = value;
    else ranges.push([value, value]);
  }
  return ranges;
}

async function restore(group: Group): Promise<void> {
  await group.store.deleteAbove(ACCOUNT_ID, group.loadedMax);
  await group.store.settle();
}

/** One round of every operation on one group's server; the benchmark's writes are removed afterwards. */
async function runGroupRound(group: Group, server: MailwardenServer, round: number): Promise<void> {
  const target: Server = { base: server.base, pid: server.process.child.pid };
  let createRate = 0;
  for (const key of OPS) {
    const op = OPERATIONS[key];
    let ids: LoadSpec['ids'];
    if (op.ids === 'loaded') ids = { mode: 'random', min: group.loadedMin, max: group.loadedMax };
    let poolSize = 0;
    if (op.ids === 'pool') {
      // Enough records to delete for the whole run, at up to twice the create rate (or 3000/s).
      const needed = Math.ceil(Math.max(createRate * 2, 3000) * (WARMUP + DURATION) * 1.2);
      let ranges = await poolRanges(group);
      const have = ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
      if (have < needed) {
        await group.store.seed(ACCOUNT_ID, topUpIndex, topUpIndex + (needed - have));
        topUpIndex += needed - have;
        await group.store.settle();
        ranges = await poolRanges(group);
      }
      poolSize = ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
      ids = { mode: 'sequence', ranges };
    }
    const result = await measure(group.target, target, op, round, ids);
    if (key === 'create') createRate = result.requestsPerSecond;
    if (key === 'delete' && result.idsUsed >= poolSize) console.warn('!! the delete pool ran out: raise the margin in runGroupRound');
  }
  await restore(group);
}

// ------------------------------------------------------------------------------------------ side servers

async function startCeiling(bodyFile: string): Promise<{ base: string; pid?: number; process: RunningProcess }> {
  const port = await freePort();
  const running = startProcess(process.execPath, [join(COMPILED_BENCH_DIR, 'ceiling-server.js')], {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    CEILING_BODY_FILE: bodyFile,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, running);
  return { base, pid: running.child.pid, process: running };
}

async function startPrism(specFile: string): Promise<{ base: string; pid?: number; process: RunningProcess }> {
  const port = await freePort();
  const cli = join(BENCH_DIR, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  // Static examples (Prism's default); logging at warn, as mailwarden runs here.
  const running = startProcess(
    process.execPath,
    [cli, 'mock', '-h', '127.0.0.1', '-p', String(port), '-v', 'warn', specFile],
    process.env,
    { quiet: true },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}${COLLECTION}?per_page=20`, running, 120_000);
  return { base, pid: running.child.pid, process: running };
}

function ensureBenchDependencies(): void {
  const needed = ['autocannon/package.json', '@stoplight/prism-cli/package.json'];
  if (needed.every((file) => existsSync(join(BENCH_DIR, 'node_modules', file)))) return;
  console.log('installing the benchmark tools into bench/node_modules (npm install --prefix bench) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', BENCH_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm install --prefix bench failed');
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// ------------------------------------------------------------------------------------------ report

interface Figure {
  rps: number;
  p50: number;
  p99: number;
  /** Median over rounds of (req/s ÷ the ceiling's req/s measured just before, in the same round). */
  share: number;
  cpu: number;
  min: number;
  max: number;
  runs: number;
  flags: string;
}

function figure(target: string, op: OpKey): Figure | undefined {
  const runs = samples.filter((sample) => sample.target === target && sample.op === op);
  if (runs.length === 0) return undefined;
  const rates = runs.map((run) => run.result.requestsPerSecond);
  const bad = runs.flatMap((run) =>
    Object.entries(run.result.statuses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, count]) => `${count}×${status}`),
  );
  const errors = runs.reduce((sum, run) => sum + run.result.errors + run.result.timeouts, 0);
  return {
    rps: median(rates),
    p50: median(runs.map((run) => run.result.p50)),
    p99: median(runs.map((run) => run.result.p99)),
    share: median(runs.map((run) => run.result.requestsPerSecond / run.ceilingRps)),
    cpu: median(runs.map((run) => run.result.serverCpuMicrosPerRequest)),
    min: Math.min(...rates),
    max: Math.max(...rates),
    runs: runs.length,
    flags: [...bad, errors ? `${errors} errors/timeouts` : ''].filter(Boolean).join(', '),
  };
}

const num = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
const ms = (value: number) => (value >= 100 ? num(value, 0) : value >= 10 ? num(value, 1) : num(value, 2));
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%` : '–');
const times = (value: number) =>
  Number.isFinite(value) ? `${value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)}×` : '–';

interface TargetCheck {
  what: string;
  value: string;
  /** The same figure from CPU per request, as a second opinion on a noisy machine. */
  cpuValue: string;
  goal: string;
  met: boolean;
}

function buildReport(
  groups: Group[],
  context: { started: Date; finished: Date; ceilingBytes: number; recordBytes: number },
): { markdown: string; checks: TargetCheck[] } {
  const ceiling = figure('ceiling', 'get')!;
  const prism = new Map(OPS.map((op) => [op, figure('prism', op)]));
  // Median over rounds of (req/s ÷ Prism's req/s for the same operation in the same round).
  const vsPrism = (target: string, op: OpKey) =>
    median(
      samples
        .filter((sample) => sample.target === target && sample.op === op)
        .map((sample) => {
          const other = samples.find((p) => p.target === 'prism' && p.op === op && p.round === sample.round);
          return other ? sample.result.requestsPerSecond / other.result.requestsPerSecond : NaN;
        })
        .filter(Number.isFinite),
    );
  // The same comparison in server CPU per request, which moves less with the machine's load.
  const cpuShare = (f: Figure) => ceiling.cpu / f.cpu;
  const lines: string[] = [];
  const cpus = os.cpus();
  lines.push('# API benchmark: mailwarden vs. the ceiling vs. Prism', '');
  lines.push(
    `Generated by \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${context.started.toISOString().slice(0, 16).replace('T', ' ')} UTC ` +
      `(${Math.round((context.finished.getTime() - context.started.getTime()) / 60000)} min); ${codeVersion()}.`,
    '',
    `- Machine: **${cpus.length} cores** (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; **Node ${process.version}**; load average at the start ${os.loadavg()[0].toFixed(1)} (shared machine).`,
    `- Client: autocannon ${packageVersion('autocannon')} in its own process, ${CONNECTIONS} connections, no pipelining, ${WARMUP} s warm-up then ${DURATION} s measured, ` +
      `${ROUNDS} round${ROUNDS === 1 ? '' : 's'} per figure (medians shown; the req/s range over rounds in the last column). Everything on 127.0.0.1: client, servers and PostgreSQL share the cores.`,
    `- Ceiling: bench/ceiling-server.ts, bare Fastify, one GET route answering a constant ${context.ceilingBytes}-byte envelope ` +
      `(mailwarden's own answer for that record is ${context.recordBytes} bytes). It is measured at the start of every round of every target (${ceiling.runs} runs, median ${num(ceiling.rps)} req/s, ` +
      `range ${num(ceiling.min)}–${num(ceiling.max)}); **"of ceiling" is the median over rounds of req/s ÷ the ceiling run just before**; **"× Prism" is the median over rounds of req/s ÷ Prism's req/s for the same operation in the same round**. ` +
      'Every round visits every target in turn (Prism, then each mailwarden store), so busy and quiet stretches of the shared machine fall on all of them.',
    `- Prism: @stoplight/prism-cli ${packageVersion('@stoplight/prism-cli')} \`mock\` (static examples, log level warn) over mailwarden's own /openapi.json; it is stateless, so its writes store nothing.`,
    `- mailwarden: dist/server.js, MAILWARDEN_RATE_LIMIT=0, LOG_LEVEL=warn, bearer-token auth, over ${BACKENDS.map((b) => (b === 'sqlite' ? 'SQLite (WAL, synchronous=FULL: every commit fsynced)' : 'PostgreSQL on the same machine')).join(' and ')}, ` +
      `${SIZES.map((s) => s.toLocaleString('en')).join(' and ')} allow policies in the account (mixed EMAIL/DOMAIN/IP, ~40% with comments), each store loaded straight through the database.`,
    `- Operations: get by id (a random loaded id); list \`per_page=20\`; list + search \`search=${SELECTIVE_TERM}\` (4 matches); list + filter + sort \`pattern_type=DOMAIN&order=pattern\` (~35% match); ` +
      `patch \`{"comments": ...}\` of a random loaded id; create one policy; delete (every request a different existing id); batch \`{"posts": [${BATCH_POSTS} policies]}\` (records/s = req/s × ${BATCH_POSTS}). ` +
      'Writes are removed after each round.',
    '- "CPU µs/req": CPU time (user + system) of the server process during the measured run divided by its responses; it moves much less with the load of the machine than req/s does. ' +
      '"CPU share" = the ceiling\'s CPU µs/req ÷ this one: the share of the ceiling that this operation would reach if CPU were the only limit. For PostgreSQL both count the Node process only, not the database.',
    '',
  );
  lines.push(
    '| target | operation | req/s | p50 ms | p99 ms | of ceiling | × Prism | CPU µs/req | CPU share | req/s range |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  const row = (target: string, label: string, f: Figure | undefined, ratio: number) => {
    if (!f) return;
    lines.push(
      `| ${target} | ${label} | ${num(f.rps)} | ${ms(f.p50)} | ${ms(f.p99)} | ${pct(f.share)} | ${times(ratio)} | ${num(f.cpu)} | ${pct(cpuShare(f))} | ${num(f.min)}–${num(f.max)}${f.flags ? ` ⚠ ${f.flags}` : ''} |`,
    );
  };
  row('ceiling', 'constant envelope', ceiling, ceiling.rps / (prism.get('get')?.rps ?? NaN));
  for (const op of OPS) row('Prism', OPERATIONS[op].label, prism.get(op), 1);
  for (const group of groups)
    for (const op of OPS) row(`mailwarden ${group.target}`, OPERATIONS[op].label, figure(group.target, op), vsPrism(group.target, op));
  lines.push('');

  const checks: TargetCheck[] = [];
  for (const group of groups) {
    const get = figure(group.target, 'get');
    if (get)
      checks.push({
        what: `${group.target}: get by id`,
        value: pct(get.share),
        cpuValue: pct(cpuShare(get)),
        goal: '≥ 50% of ceiling',
        met: get.share >= 0.5,
      });
    const list = figure(group.target, 'list');
    if (list && group.size >= 100_000) {
      checks.push({
        what: `${group.target}: list`,
        value: pct(list.share),
        cpuValue: pct(cpuShare(list)),
        goal: '≥ 25% of ceiling',
        met: list.share >= 0.25,
      });
    }
    const create = figure(group.target, 'create');
    if (create)
      checks.push({
        what: `${group.target}: create`,
        value: pct(create.share),
        cpuValue: pct(cpuShare(create)),
        goal: '≥ 20% of ceiling',
        met: create.share >= 0.2,
      });
  }
  for (const group of groups) {
    for (const op of OPS) {
      const f = figure(group.target, op);
      const p = prism.get(op);
      if (f && p) {
        const ratio = vsPrism(group.target, op);
        checks.push({
          what: `${group.target}: ${OPERATIONS[op].label}`,
          value: times(ratio),
          cpuValue: times(p.cpu / f.cpu),
          goal: '≥ 10× Prism',
          met: ratio >= 10,
        });
      }
    }
  }
  lines.push('## Targets', '', '| figure | measured (req/s) | same from CPU µs/req | target | |', '|---|--:|--:|---|---|');
  for (const check of checks)
    lines.push(`| ${check.what} | ${check.value} | ${check.cpuValue} | ${check.goal} | ${check.met ? 'met' : '**missed**'} |`);
  const prismGet = prism.get('get');
  if (prismGet) {
    lines.push(
      '',
      `Note: the ceiling itself is ${times(1 / prismGet.share)} Prism's get on this machine (${times(prismGet.cpu / ceiling.cpu)} in CPU per request), so "≥ 10× Prism" asks for at least ${pct(10 * prismGet.share)} of the ceiling.`,
    );
  }
  lines.push(
    '',
    'Ratios are what to track: absolute figures move with the machine. bench/README.md explains how to run and read this.',
    '',
  );
  return { markdown: lines.join('\n'), checks };
}

// ------------------------------------------------------------------------------------------ profile mode

async function profile(groups: Group[]): Promise<void> {
  const sections: string[] = [
    '# CPU profiles of mailwarden under load',
    '',
    `Generated by \`npm run bench -- ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${os.cpus().length} cores, Node ${process.version}; ${codeVersion()}. ` +
      `${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up, \`node --cpu-prof\` on dist/server.js. The profile covers the whole process (start-up included: ` +
      'module loading, schema compilation); shares are of the time the main thread was not idle, and time blocked in a system call (socket writes, fsync) counts as busy.',
    '',
  ];
  for (const group of groups)
    for (const key of PROFILE) {
      const directory = mkdtempSync(join(scratchFolder, `profile-${key}-`));
      const server = await startMailwarden(group.url, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', directory] });
      try {
        let ids: LoadSpec['ids'];
        const op = OPERATIONS[key];
        if (op.ids === 'loaded') ids = { mode: 'random', min: group.loadedMin, max: group.loadedMax };
        if (op.ids === 'pool') {
          await group.store.seed(ACCOUNT_ID, topUpIndex, topUpIndex + 60_000);
          topUpIndex += 60_000;
          ids = { mode: 'sequence', ranges: await poolRanges(group) };
        }
        await measure(`${group.target} (profiled)`, { base: server.base, pid: server.process.child.pid }, op, 1, ids);
      } finally {
        await server.stop();
        await restore(group);
      }
      const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no .cpuprofile written in ${directory}`);
      const text = formatSummary(summarizeProfile(join(directory, file)));
      const last = samples[samples.length - 1].result;
      const heading = `${group.target}: ${OPERATIONS[key].label} (${num(last.requestsPerSecond)} req/s, ${num(last.serverCpuMicrosPerRequest)} µs CPU/req while profiled)`;
      console.log(`\n== ${heading}\n${text}\n`);
      sections.push(`## ${heading}`, '', '```', text, '```', '');
    }
  writeFileSync(OUTPUT, sections.join('\n'));
  console.log(`wrote ${OUTPUT}`);
}

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const started = new Date();
  ensureBenchDependencies();
  scratchFolder = mkdtempSync(join(os.tmpdir(), 'mailwarden_bench_api_'));
  const groups: Group[] = [];
  const side: RunningProcess[] = [];
  try {
    for (const backend of BACKENDS) {
      if (backend === 'postgres' && !(await postgresReachable(postgresAdminUrl()))) {
        throw new Error(`PostgreSQL is not reachable at ${postgresAdminUrl()}`);
      }
      for (const size of PROFILE.length > 0 ? [Math.max(...SIZES)] : SIZES) groups.push(await prepareGroup(backend, size));
    }
    if (PROFILE.length > 0) {
      await profile(groups);
      return;
    }

    // The ceiling serves exactly what mailwarden answers for a loaded record; Prism mocks its document.
    const first = await startMailwarden(groups[0].url);
    let recordBody: string;
    try {
      const record = await fetch(`${first.base}${COLLECTION}/2`, { headers: AUTH_HEADERS });
      recordBody = await record.text();
      if (!record.ok) throw new Error(`GET record answered ${record.status}: ${recordBody}`);
      writeFileSync(join(scratchFolder, 'ceiling-body.json'), recordBody);
      const document = await fetch(`${first.base}/openapi.json`);
      writeFileSync(join(scratchFolder, 'openapi.json'), await document.text());
    } finally {
      await first.stop();
    }
    const ceiling = await startCeiling(join(scratchFolder, 'ceiling-body.json'));
    side.push(ceiling.process);
    const ceilingBody = await (await fetch(`${ceiling.base}${COLLECTION}/1`)).text();
    const prism = WITH_PRISM ? await startPrism(join(scratchFolder, 'openapi.json')) : undefined;
    if (prism) side.push(prism.process);

    ceilingServer = { base: ceiling.base, pid: ceiling.pid };

    // All servers stay up; every round visits every target, each visit starting with a ceiling run, so a
    // busy or quiet stretch of the shared machine falls on all targets alike and ratios compare close runs.
    const servers = new Map<Group, MailwardenServer>();
    for (const group of groups) servers.set(group, await startMailwarden(group.url));
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        if (prism) {
          await measureCeiling();
          for (const key of OPS)
            await measure(
              'prism',
              prism,
              OPERATIONS[key],
              round,
              OPERATIONS[key].ids ? { mode: 'random', min: 1, max: 100_000 } : undefined,
            );
        }
        for (const group of groups) {
          await measureCeiling();
          await runGroupRound(group, servers.get(group)!, round);
        }
      }
    } finally {
      for (const server of servers.values()) await server.stop();
    }
    if (prism) await prism.process.stop();

    const { markdown, checks } = buildReport(groups, {
      started,
      finished: new Date(),
      ceilingBytes: Buffer.byteLength(ceilingBody),
      recordBytes: Buffer.byteLength(recordBody),
    });
    writeFileSync(OUTPUT, markdown);
    console.log(`\n${markdown}`);
    console.log(`wrote ${OUTPUT}`);
    const missed = checks.filter((check) => !check.met);
    if (missed.length > 0) console.log(`${missed.length} of ${checks.length} targets missed (see the Targets table).`);
  } finally {
    for (const running of side) await running.stop();
    for (const group of groups) {
      await group.store.close().catch(() => {});
      await group.scratch?.drop().catch((error: unknown) => console.warn(`could not drop ${group.scratch?.name}: ${String(error)}`));
    }
    rmSync(scratchFolder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
