/**
 * Store benchmark: list and search latency (p50, p99) at 10k, 100k and 1M allow policies in ONE
 * account, on SQLite and PostgreSQL, measured over HTTP against a running `dist/server.js`.
 * Run by hand (not part of `npm test`):
 *
 *   npm run build && npx tsc -p bench/tsconfig.api.json
 *   node dist/bench-api/bench/store-bench.js                                   # both backends, 10k/100k/1M
 *   node dist/bench-api/bench/store-bench.js --backends sqlite --sizes 10000,100000 --samples 100
 *   (npm run bench:store -- <same options> does the build steps first)
 *
 * For each backend the account is grown in place (10k, then +90k, then +900k) by loading rows straight
 * into the store (bench/lib/seed.ts), then a fresh server is started over it and each request is sent
 * one at a time on a kept-alive connection: a few warm-up requests, then up to --samples requests or
 * --budget seconds, whichever ends first (at least 5). Requests whose median is at or above
 * --explain-ms get the SQL the repository runs for them, each statement's duration and its plan.
 * Output: the console and bench/results/<date>-store.md. PostgreSQL runs in a scratch database
 * `mailwarden_bench_store_*` created on the server of DATABASE_URL (or the local one) and dropped after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { ListOptions } from '../src/resources/resource-repository.js';
import { COMMON_TERM, SELECTIVE_TERM } from './lib/dataset.js';
import { openExplainer, type ExplainedStatement } from './lib/explain.js';
import {
  ACCOUNT_ID,
  datedResultFile,
  codeVersion,
  COLLECTION,
  createScratchDatabase,
  percentile,
  median,
  postgresAdminUrl,
  postgresReachable,
  startMailwarden,
  timedGet,
  type ScratchDatabase,
} from './lib/harness.js';
import { openBenchStore } from './lib/seed.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const SIZES = option('sizes', '10000,100000,1000000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const BACKENDS = option('backends', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const SAMPLES = Number(option('samples', '200'));
const BUDGET_MS = Number(option('budget', '10')) * 1000;
const EXPLAIN_MS = Number(option('explain-ms', '50'));
const OUTPUT = option('output', datedResultFile('store'));

interface Scenario {
  name: string;
  describe: string;
  query: (size: number) => Record<string, string>;
}

const SCENARIOS: Scenario[] = [
  { name: 'list page 1', describe: 'per_page=20, default order (id)', query: () => ({ per_page: '20' }) },
  {
    name: 'list deep page',
    describe: 'per_page=20, the middle page (offset = size/2)',
    query: (size) => ({ per_page: '20', page: String(Math.floor(size / 2 / 20)) }),
  },
  { name: 'list sorted by pattern', describe: 'per_page=20&order=pattern', query: () => ({ per_page: '20', order: 'pattern' }) },
  {
    name: 'search, selective',
    describe: `search=${SELECTIVE_TERM} (4 matches at every size)`,
    query: () => ({ per_page: '20', search: SELECTIVE_TERM }),
  },
  {
    name: 'search, common',
    describe: `search=${COMMON_TERM} (about 35% of records match)`,
    query: () => ({ per_page: '20', search: COMMON_TERM }),
  },
  {
    name: 'filter + sort',
    describe: 'pattern_type=DOMAIN&order=pattern (about 35% match)',
    query: () => ({ per_page: '20', pattern_type: 'DOMAIN', order: 'pattern' }),
  },
];

/** The repository's view of a scenario's query string (what the route hands to the service). */
function listOptions(query: Record<string, string>): ListOptions {
  const filters: Record<string, unknown> = {};
  if (query.pattern_type) filters.pattern_type = query.pattern_type;
  return {
    page: Number(query.page ?? 1),
    perPage: Number(query.per_page ?? 20),
    order: query.order,
    direction: 'asc',
    search: query.search,
    filters,
  };
}

interface Measurement {
  p50: number;
  p99: number;
  samples: number;
  totalCount: number;
  explained?: ExplainedStatement[];
}

async function measure(url: string): Promise<Measurement> {
  // Warm-up: caches, prepared plans, JIT. Fewer when a request is slow.
  const first = await timedGet(url);
  if (first.status !== 200) throw new Error(`${url} answered ${first.status}: ${first.body.slice(0, 300)}`);
  const totalCount = (JSON.parse(first.body) as { result_info: { total_count: number } }).result_info.total_count;
  const warmups = first.ms > 500 ? 1 : first.ms > 50 ? 3 : 20;
  for (let i = 0; i < warmups; i++) await timedGet(url);
  const times: number[] = [];
  const started = performance.now();
  while (times.length < SAMPLES && (times.length < 5 || performance.now() - started < BUDGET_MS)) {
    const response = await timedGet(url);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    times.push(response.ms);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length, totalCount };
}

type Results = Map<string, Map<number, Measurement>>; // scenario → size → measurement

async function runBackend(backend: 'sqlite' | 'postgres'): Promise<{ results: Results; loads: Map<number, number>; location: string }> {
  let scratch: ScratchDatabase | undefined;
  let directory: string | undefined;
  let url: string;
  if (backend === 'sqlite') {
    directory = mkdtempSync(join(os.tmpdir(), 'mailwarden_bench_store_'));
    url = `sqlite:${join(directory, 'store.db')}`;
  } else {
    scratch = await createScratchDatabase(postgresAdminUrl(), 'store');
    url = scratch.url;
  }
  const results: Results = new Map(SCENARIOS.map((scenario) => [scenario.name, new Map<number, Measurement>()]));
  const loads = new Map<number, number>();
  try {
    const store = await openBenchStore(url);
    let loaded = 0;
    for (const size of SIZES) {
      process.stdout.write(`[${backend}] loading ${loaded} → ${size} records ... `);
      const { ms } = await store.seed(ACCOUNT_ID, loaded, size);
      loads.set(size, ms);
      loaded = size;
      const range = await store.idRange(ACCOUNT_ID);
      if (range.count !== size) throw new Error(`expected ${size} records, found ${range.count}`);
      console.log(`${(ms / 1000).toFixed(1)} s`);

      const server = await startMailwarden(url);
      const explainer = openExplainer(url);
      try {
        for (const scenario of SCENARIOS) {
          const query = scenario.query(size);
          const target = `${server.base}${COLLECTION}?${new URLSearchParams(query).toString()}`;
          const measurement = await measure(target);
          if (measurement.p50 >= EXPLAIN_MS) measurement.explained = await explainer.explainList(ACCOUNT_ID, listOptions(query));
          results.get(scenario.name)!.set(size, measurement);
          console.log(
            `[${backend}] ${String(size).padStart(7)}  ${scenario.name.padEnd(24)} p50 ${fmt(measurement.p50).padStart(8)} ms  p99 ${fmt(measurement.p99).padStart(8)} ms  (n=${measurement.samples}, total_count=${measurement.totalCount})`,
          );
        }
      } finally {
        await explainer.close();
        await server.stop();
      }
    }
    await store.close();
  } finally {
    if (scratch) await scratch.drop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
  return {
    results,
    loads,
    location:
      backend === 'sqlite'
        ? 'SQLite file (WAL, synchronous=FULL) in the temp folder'
        : `PostgreSQL scratch database on ${new URL(url).host}`,
  };
}

function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function report(all: Map<string, Awaited<ReturnType<typeof runBackend>>>, started: Date): string {
  const lines: string[] = [];
  const smallest = SIZES[0];
  const largest = SIZES[SIZES.length - 1];
  lines.push('# Store benchmark: list and search latency by account size', '');
  lines.push(
    `Generated by \`node dist/bench-api/bench/store-bench.js ${process.argv.slice(2).join(' ')}\`` +
      ` on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}; ${codeVersion()}.`,
    '',
    'One account holding all records; every figure is one request at a time over a kept-alive HTTP connection to a',
    `running \`dist/server.js\` (rate limiting off, LOG_LEVEL=warn), in milliseconds: median and 99th percentile of up to ${SAMPLES}`,
    `requests or ${BUDGET_MS / 1000} s per cell (n below). The last column is the median at ${largest.toLocaleString('en')} divided by the median at ${smallest.toLocaleString('en')}.`,
    '',
  );
  for (const scenario of SCENARIOS) lines.push(`- **${scenario.name}**: \`${scenario.describe}\``);
  lines.push('');
  for (const [backend, { results, loads, location }] of all) {
    lines.push(
      `## ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      '',
      `${location}. Load time (straight into the store): ${SIZES.map((size) => `${size.toLocaleString('en')} ${((loads.get(size) ?? NaN) / 1000).toFixed(1)} s`).join(', ')} (each size adds to the previous one).`,
      '',
    );
    const header = [
      'request',
      ...SIZES.map((size) => `${size.toLocaleString('en')} p50 / p99`),
      `${largest / smallest}× records: p50 ratio`,
      `matches at ${largest.toLocaleString('en')}`,
    ];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const scenario of SCENARIOS) {
      const bySize = results.get(scenario.name)!;
      const cells = SIZES.map((size) => {
        const m = bySize.get(size);
        return m ? `${fmt(m.p50)} / ${fmt(m.p99)}${m.samples < 50 ? ` (n=${m.samples})` : ''}` : '–';
      });
      const ratio = (bySize.get(largest)?.p50 ?? NaN) / (bySize.get(smallest)?.p50 ?? NaN);
      lines.push(
        `| ${scenario.name} | ${cells.join(' | ')} | ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : '–'} | ${bySize.get(largest)?.totalCount.toLocaleString('en') ?? '–'} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Slow requests: the SQL behind them', '');
  lines.push(`Every cell whose median is at least ${EXPLAIN_MS} ms, with the statements the repository runs for it (captured from`);
  lines.push("`createResourceRepository` through Kysely's query log), each one's duration in that run, and its plan.", '');
  let any = false;
  for (const [backend, { results }] of all) {
    for (const scenario of SCENARIOS) {
      for (const size of SIZES) {
        const m = results.get(scenario.name)!.get(size);
        if (!m?.explained) continue;
        any = true;
        lines.push(`### ${backend}, ${size.toLocaleString('en')} records, ${scenario.name} (p50 ${fmt(m.p50)} ms)`, '');
        for (const statement of m.explained) {
          lines.push(
            `${fmt(statement.ms)} ms: \`${statement.sql}\` with \`${JSON.stringify(statement.parameters)}\``,
            '',
            '```',
            statement.plan,
            '```',
            '',
          );
        }
      }
    }
  }
  if (!any) lines.push('None.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const all = new Map<string, Awaited<ReturnType<typeof runBackend>>>();
  for (const backend of BACKENDS) {
    if (backend === 'postgres' && !(await postgresReachable(postgresAdminUrl()))) {
      console.warn(`PostgreSQL is not reachable at ${postgresAdminUrl()}: skipping the PostgreSQL half.`);
      continue;
    }
    all.set(backend, await runBackend(backend));
  }
  const markdown = report(all, started);
  writeFileSync(OUTPUT, markdown);
  console.log(`\nwrote ${OUTPUT}`);
  // Medians of the per-size ratios, for a one-line summary.
  for (const [backend, { results }] of all) {
    const ratios = SCENARIOS.map(
      (s) => (results.get(s.name)!.get(SIZES[SIZES.length - 1])?.p50 ?? NaN) / (results.get(s.name)!.get(SIZES[0])?.p50 ?? NaN),
    );
    console.log(
      `${backend}: median p50 ratio ${SIZES[SIZES.length - 1]}/${SIZES[0]} over the ${SCENARIOS.length} requests: ${median(ratios.filter(Number.isFinite)).toFixed(1)}×`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
