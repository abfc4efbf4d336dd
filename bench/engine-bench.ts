/**
 * Policy engine benchmark: evaluations per second on one core, in process, at 1k, 10k, 100k and 1M
 * settings, for the indexed engine and the naive scan. Run by hand (not part of `npm test`):
 *
 *   npm run bench:engine                      # every size, both mixes
 *   npm run bench:engine -- --sizes 1000,100000 --runs 5 --seconds 1
 *
 * Settings are sender patterns (block senders and allow policies) mixing EMAIL, DOMAIN and IP/CIDR
 * (IPv4 and IPv6), with 1% regexes in the "1% regex" rows and none in the "no regex" rows, plus an
 * impersonation registry, protected domains, trusted domains and sending domain restrictions
 * (engine-fixtures.ts). The messages are a fixed pool (seeded, so every run sees the same data) in
 * which some senders, IPs, display names and lookalike domains hit settings and most do not.
 */
import os from 'node:os';
import { compileSettings } from '../src/engine/compile.js';
import { evaluate, evaluateWith } from '../src/engine/evaluate.js';
import { naiveMatcher } from '../src/engine/naive.js';
import type { Message } from '../src/engine/types.js';
import { buildMessages, buildSettings } from './engine-fixtures.js';

// ------------------------------------------------------------------------------------------ options

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const SIZES = option('sizes', '1000,10000,100000,1000000').split(',').map(Number);
const RUNS = Number(option('runs', '5'));
const SECONDS = Number(option('seconds', '1'));
const NAIVE_RUNS = Number(option('naive-runs', '3'));
const POOL = Number(option('pool', '2000'));
const MIXES = option('mixes', 'mixed,no-regex').split(',');
const SKIP_NAIVE = process.argv.includes('--skip-naive');
/**
 * Round-trip the message pool through JSON, as the evaluate endpoint and the CLI receive messages.
 * The seeded messages are built with template literals, which V8 keeps as rope ("cons") strings: one
 * more memory read per string than the flat strings `JSON.parse` makes. Off by default, so figures
 * stay comparable with earlier runs.
 */
const JSON_MESSAGES = process.argv.includes('--json-messages');

// ------------------------------------------------------------------------------------------ timing

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Evaluations per second of `run` over the pool, timed for about `seconds`, best effort on one core. */
/**
 * Evaluations per second of CPU time (user + system) of this process, over about `seconds` of work or
 * `limit` evaluations. CPU time, not wall time: on a shared machine the process is descheduled at
 * times, and that is not the engine's cost. Everything runs on the main thread, so this is one core.
 */
function rate(messages: Message[], evaluateOne: (message: Message) => unknown, seconds: number, limit = Infinity): number {
  let sink = 0;
  let done = 0;
  const start = process.cpuUsage();
  const budget = seconds * 1e6;
  const used = () => {
    const usage = process.cpuUsage(start);
    return usage.user + usage.system;
  };
  for (;;) {
    for (let i = 0; i < 256 && done < limit; i++, done++) {
      const verdict = evaluateOne(messages[done % messages.length]) as { matches: unknown[] };
      sink += verdict.matches.length;
    }
    if (done >= limit || used() >= budget) break;
  }
  const elapsed = used() / 1e6;
  if (sink < 0) console.log(sink);
  return done / elapsed;
}

const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

interface Row {
  mix: string;
  size: number;
  compileMs: number;
  indexed: number;
  naive: number;
  heapMb: number;
}

function pool(size: number, mix: string) {
  const universe = buildSettings(size, mix === 'mixed' ? 0.01 : 0);
  const built = buildMessages(universe, POOL);
  const messages: Message[] = JSON_MESSAGES ? JSON.parse(JSON.stringify(built)) : built;
  return { universe, messages };
}

function indexedRow(size: number, mix: string): Row {
  const { universe, messages } = pool(size, mix);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const compiled = compileSettings(universe.settings);
  const compileMs = performance.now() - t0;
  // What the index keeps: measured after a full collection (compiling leaves garbage behind).
  global.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  rate(messages, (m) => evaluate(compiled, m), 0.3); // warm-up
  const indexed: number[] = [];
  for (let run = 0; run < RUNS; run++) indexed.push(rate(messages, (m) => evaluate(compiled, m), SECONDS));
  return { mix, size, compileMs, indexed: median(indexed), naive: NaN, heapMb };
}

/** The naive scan costs O(settings) per message: fewer messages at larger sizes (a sample of the pool). */
function naiveRate(size: number, mix: string): number {
  const { universe, messages } = pool(size, mix);
  const matcher = naiveMatcher(universe.settings);
  const naiveMessages = Math.max(20, Math.min(20_000, Math.round(2e7 / size)));
  rate(messages, (m) => evaluateWith(matcher, m), 60, Math.max(5, naiveMessages >> 3));
  const naive: number[] = [];
  for (let run = 0; run < NAIVE_RUNS; run++) naive.push(rate(messages, (m) => evaluateWith(matcher, m), 60, naiveMessages));
  return median(naive);
}

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical cores (one used), ` +
    `runs=${RUNS}x${SECONDS}s, naive runs=${NAIVE_RUNS}, pool=${POOL} messages${JSON_MESSAGES ? ' (JSON round-tripped)' : ''}`,
);
console.log('| settings | mix | compile | indexed evals/s (median) | naive evals/s (median) | indexed / naive | index heap |');
console.log('|---:|---|---:|---:|---:|---:|---:|');
// Every indexed row first, then the naive scans: the two engines share the rules' code, and once the
// naive one has run through it V8's feedback for that code covers both, which slows the indexed one.
const rows: Row[] = [];
for (const mix of MIXES) for (const size of SIZES) rows.push(indexedRow(size, mix));
if (!SKIP_NAIVE) for (const row of rows) row.naive = naiveRate(row.size, row.mix);
for (const row of rows) {
  console.log(
    `| ${row.size.toLocaleString('en-US')} | ${row.mix === 'mixed' ? '1% regex' : 'no regex'} | ${format(row.compileMs)} ms | ` +
      `${format(row.indexed)} | ${format(row.naive)} | ${format(row.indexed / row.naive)}x | ${format(row.heapMb)} MB |`,
  );
}
