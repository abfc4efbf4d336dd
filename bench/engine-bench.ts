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
 * (engine-fixtures.ts). Messages are seeded, so every run sees the same data; some of their senders,
 * IPs, display names and lookalike domains hit settings and most do not. Two measurements per row,
 * on the same compiled settings:
 *
 * - pool ("indexed"): a fixed pool of 2,000 messages (`--pool`), evaluated over and over: the same
 *   message objects, whose strings keep the hashes V8 computed on first use, and whatever the engine
 *   keeps between messages is warm. Kept as it always was so figures stay comparable.
 * - stream: 200,000 distinct messages (`--stream-messages`) whose senders and recipients follow a
 *   traffic model (`--traffic`: `zipf`, heavy-tailed as real mail, the default; `unique`, a fresh
 *   sender domain per message, the adversarial case; `pool`, drawn as the pool is), held as JSON
 *   request bodies of 100 messages. Each body is parsed (untimed) right before its messages are
 *   evaluated together (`evaluateAll`; `--each`: one at a time), as the evaluate endpoint does, so
 *   messages are fresh objects, in CPU cache, and only the engine's own caches carry over. CPU time
 *   is counted around the evaluations only. The stream is also split in two and each part measured
 *   as a stream of its own: the messages that match nothing (no setting, no detection), and the
 *   rest, which cost more (see `splitStream`). The fixture's
 *   messages match often (about half of them do), so the two parts tell what a flow with another
 *   share would cost. `--no-stream` skips it (and its columns).
 */
import os from 'node:os';
import { type CompiledSettings, compileSettings, evaluate, evaluateAll, type Message, type Verdict } from '../src/engine/index.js';
import { evaluateWith } from '../src/engine/rules/evaluate.js';
import { naiveMatcher } from '../test/engine/reference/naive.js';
import {
  buildMessages,
  buildRequestBodies,
  buildSettings,
  matchesNothing,
  requestBodies,
  TRAFFIC,
  type Traffic,
  type Universe,
} from './engine-fixtures.js';

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
 * Skips the pool measurement, so the stream runs in a process whose evaluation code has only seen
 * messages from `JSON.parse`, as in the evaluate endpoint. The pool's messages are built in code, with
 * other hidden classes, which widens what V8's property loads in the evaluation code must handle.
 */
const SKIP_POOL = process.argv.includes('--no-pool');
/**
 * Round-trip the message pool through JSON, as the evaluate endpoint and the CLI receive messages.
 * The seeded messages are built with template literals, which V8 keeps as rope ("cons") strings: one
 * more memory read per string than the flat strings `JSON.parse` makes. Off by default, so figures
 * stay comparable with the dated results in bench/results/.
 */
const JSON_MESSAGES = process.argv.includes('--json-messages');
/**
 * The stream's bodies are evaluated as the evaluate endpoint does, a body at a time (`evaluateAll`,
 * which works in stages over the batch); `--each` evaluates their messages one at a time with
 * `evaluate` instead.
 */
const EACH = process.argv.includes('--each');
/** The stream measurement (see the top): on unless `--no-stream`. */
const STREAM = !process.argv.includes('--no-stream');
const STREAM_MESSAGES = Number(option('stream-messages', '200000'));
const TRAFFIC_MODEL = option('traffic', 'zipf') as Traffic;
if (!TRAFFIC.includes(TRAFFIC_MODEL)) throw new Error(`--traffic must be one of ${TRAFFIC.join(', ')}, not ${TRAFFIC_MODEL}`);
if (!(STREAM_MESSAGES >= 1)) throw new Error('--stream-messages must be a positive number');
/** Messages per request body in the stream. */
const BODY_MESSAGES = 100;
/** For the footnote under the table. */
const TRAFFIC_NOTES: Record<Traffic, string> = {
  zipf:
    'sender domains Zipf(s=1) over 5,000,000 ranks, local parts Zipf over 1,000,000, bounce domains likewise, ' +
    'recipients Zipf over 50,000 mailboxes per protected domain',
  unique: 'a new sender and bounce domain in every message, local parts and recipients as in zipf',
  pool: 'drawn as the pool is (uniform sender domains), but every message distinct',
};

// ------------------------------------------------------------------------------------------ timing

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

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

/** The stream's request bodies and the next one to take: each run goes on where the last one stopped. */
interface Stream {
  bodies: string[];
  next: number;
}

/**
 * Evaluations per second of CPU time (as `rate`) over the stream's bodies, over about `seconds` of
 * evaluation. Each body is parsed outside the timed part (that is the endpoint's cost, and the bench is
 * about the engine's), then its messages are evaluated inside it: one `process.cpuUsage` pair per 100
 * evaluations, a fraction of a percent of their time. Collecting the garbage of the parsed bodies is
 * counted where the collector happens to run.
 */
function streamRate(stream: Stream, evaluateBody: (messages: Message[]) => Verdict[], seconds: number): number {
  let sink = 0;
  let done = 0;
  let cpu = 0;
  const budget = seconds * 1e6;
  while (cpu < budget) {
    const body = stream.bodies[stream.next];
    stream.next = (stream.next + 1) % stream.bodies.length;
    const { messages } = JSON.parse(body) as { messages: Message[] };
    const start = process.cpuUsage();
    const verdicts = evaluateBody(messages);
    for (let i = 0; i < verdicts.length; i++) sink += verdicts[i].matches.length;
    const usage = process.cpuUsage(start);
    cpu += usage.user + usage.system;
    done += messages.length;
  }
  if (sink < 0) console.log(sink);
  return done / (cpu / 1e6);
}

const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

interface Row {
  mix: string;
  size: number;
  compileMs: number;
  indexed: number;
  stream: number;
  /** The stream's messages that match nothing (see `splitStream`), and the rest. */
  quiet: number;
  matching: number;
  /** Share of the stream's messages that match nothing. */
  quietShare: number;
  naive: number;
  heapMb: number;
  /** What the row's stream measurement needs, kept from `indexedRow` until it has run. */
  held?: { universe: Universe; compiled: CompiledSettings };
}

function pool(size: number, mix: string) {
  const universe = buildSettings(size, mix === 'mixed' ? 0.01 : 0);
  const built = buildMessages(universe, POOL);
  const messages = JSON_MESSAGES ? (JSON.parse(JSON.stringify(built)) as Message[]) : built;
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
  const indexed: number[] = [];
  if (!SKIP_POOL) {
    rate(messages, (m) => evaluate(compiled, m), 0.3); // warm-up
    for (let run = 0; run < RUNS; run++) indexed.push(rate(messages, (m) => evaluate(compiled, m), SECONDS));
  }
  const held = STREAM ? { universe, compiled } : undefined;
  return {
    mix,
    size,
    compileMs,
    indexed: SKIP_POOL ? NaN : median(indexed),
    stream: NaN,
    quiet: NaN,
    matching: NaN,
    quietShare: NaN,
    naive: NaN,
    heapMb,
    held,
  };
}

/**
 * The stream's messages in two streams of their own: those that match nothing (no setting, no
 * detection: disposition NONE and no match, the bulk of a real mail flow) and the rest, which cost more
 * (the rules run, and the settings they match are read from memory). Sorted by an untimed evaluation.
 */
function splitStream(stream: Stream, compiled: CompiledSettings): { quiet: Stream; matching: Stream; quietShare: number } {
  const quiet: Message[] = [];
  const matching: Message[] = [];
  for (const body of stream.bodies) {
    for (const message of (JSON.parse(body) as { messages: Message[] }).messages) {
      (matchesNothing(evaluate(compiled, message)) ? quiet : matching).push(message);
    }
  }
  const bodies = (messages: Message[]): Stream => ({ bodies: requestBodies(messages, BODY_MESSAGES), next: 0 });
  return { quiet: bodies(quiet), matching: bodies(matching), quietShare: quiet.length / (quiet.length + matching.length) };
}

/** The stream measurements of a row, on the settings `indexedRow` compiled: the whole stream, then each part. */
function streamRow(row: Row): void {
  const { universe, compiled } = row.held!;
  row.held = undefined;
  const stream: Stream = { bodies: buildRequestBodies(universe, STREAM_MESSAGES, TRAFFIC_MODEL, BODY_MESSAGES), next: 0 };
  const { quiet, matching, quietShare } = splitStream(stream, compiled);
  // A body's messages together, as the evaluate endpoint does, or one at a time (`--each`).
  const evaluateBody = EACH
    ? (messages: Message[]) => messages.map((m) => evaluate(compiled, m))
    : (messages: Message[]) => evaluateAll(compiled, messages);
  const measure = (part: Stream) => {
    global.gc?.();
    streamRate(part, evaluateBody, 0.3); // warm-up
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) rates.push(streamRate(part, evaluateBody, SECONDS));
    return median(rates);
  };
  row.stream = measure(stream);
  row.quiet = measure(quiet);
  row.matching = measure(matching);
  row.quietShare = quietShare;
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
    `runs=${RUNS}x${SECONDS}s, naive runs=${NAIVE_RUNS}, pool=${POOL} messages${JSON_MESSAGES ? ' (JSON round-tripped)' : ''}` +
    (STREAM ? `, stream=${STREAM_MESSAGES.toLocaleString('en-US')} messages (${TRAFFIC_MODEL} traffic)` : ''),
);
console.log(
  `| settings | mix | compile | indexed evals/s (median) |` +
    `${STREAM ? ' stream evals/s (median) | stream, matching nothing | stream, matching something |' : ''} ` +
    'naive evals/s (median) | indexed / naive | index heap |',
);
console.log(`|---:|---|---:|---:|${STREAM ? '---:|---:|---:|' : ''}---:|---:|---:|`);
// Every indexed row first, then the naive scans: the two engines share the rules' code, and once the
// naive one has run through it V8's feedback for that code covers both, which slows the indexed one.
// The stream measurements come between, for a like reason: their messages come from `JSON.parse`, with
// other hidden classes than the pool's, and a pool row measured after them would no longer be the
// figure it always was. So each row's compiled settings are kept until its stream has run.
const rows: Row[] = [];
for (const mix of MIXES) for (const size of SIZES) rows.push(indexedRow(size, mix));
if (STREAM) for (const row of rows) streamRow(row);
if (!SKIP_NAIVE) for (const row of rows) row.naive = naiveRate(row.size, row.mix);
for (const row of rows) {
  console.log(
    `| ${row.size.toLocaleString('en-US')} | ${row.mix === 'mixed' ? '1% regex' : 'no regex'} | ${format(row.compileMs)} ms | ` +
      `${format(row.indexed)} |` +
      `${STREAM ? ` ${format(row.stream)} | ${format(row.quiet)} (${Math.round(row.quietShare * 100)}%) | ${format(row.matching)} |` : ''} ` +
      `${format(row.naive)} | ` +
      `${format(row.indexed / row.naive)}x | ${format(row.heapMb)} MB |`,
  );
}
if (STREAM) {
  console.log(
    `\nStream: ${STREAM_MESSAGES.toLocaleString('en-US')} distinct messages, ${TRAFFIC_MODEL} traffic ` +
      `(${TRAFFIC_NOTES[TRAFFIC_MODEL]}; hit shares as in the pool), as JSON bodies of ${BODY_MESSAGES} messages, ` +
      'each parsed untimed then evaluated; CPU time of the evaluations only; runs go on through the stream and wrap around at its end. ' +
      '"Matching nothing": the stream\'s messages that match no setting and no detection (disposition NONE, no match; their share ' +
      'in brackets), measured as a stream of their own; "matching something": the rest.',
  );
}
