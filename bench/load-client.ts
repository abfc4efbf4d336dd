/**
 * The load generator of the API benchmark, run as its own process (never inside a server under test):
 * autocannon, from bench/node_modules, with a warm-up and then a timed run. Latencies are taken from
 * every response of the timed run at full (sub-millisecond) resolution.
 *
 *   node dist/bench-api/bench/load-client.js <spec.json>
 *
 * The spec (LoadSpec) names the target, method, path (with `{id}` replaced per request from `ids`),
 * headers, body, connections and durations; the result (LoadResult) is printed as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BENCH_DIR, percentile } from './lib/harness.js';

export interface LoadSpec {
  base: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** May contain `{id}`, replaced per request from `ids`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Process id of the server under test: its CPU time during the measured run is reported. */
  serverPid?: number;
  /** `random`: a uniform id in [min, max]; `sequence`: each id of the ranges once, in order. */
  ids?: { mode: 'random'; min: number; max: number } | { mode: 'sequence'; ranges: [number, number][] };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Responses in the timed run, by status code. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Ids handed out (sequence mode): how many of the pool the run used, warm-up included. */
  idsUsed: number;
  seconds: number;
  /** CPU time (user + system) of `serverPid` per response of the measured run, in µs; NaN without a pid. */
  serverCpuMicrosPerRequest: number;
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, ms: number) => void): void;
  then: Promise<AutocannonResult>['then'];
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

const requireFromBench = createRequire(join(BENCH_DIR, 'package.json'));

/** CPU time (user + system) of a process so far, in µs (Linux /proc; NaN elsewhere). */
function cpuMicros(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

function idSource(ids: LoadSpec['ids']): { next(): number; used(): number } {
  if (!ids) return { next: () => 0, used: () => 0 };
  if (ids.mode === 'random') {
    const span = ids.max - ids.min + 1;
    return { next: () => ids.min + Math.floor(Math.random() * span), used: () => 0 };
  }
  let range = 0;
  let current = ids.ranges[0]?.[0] ?? 0;
  let used = 0;
  return {
    next() {
      // Past the end of the pool the id is 0: an invalid id, so an exhausted pool shows as 400s.
      while (range < ids.ranges.length && current > ids.ranges[range][1]) {
        range++;
        current = ids.ranges[range]?.[0] ?? 0;
      }
      if (range >= ids.ranges.length) return 0;
      used++;
      return current++;
    },
    used: () => used,
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const autocannon = requireFromBench('autocannon') as Autocannon;
  const ids = idSource(spec.ids);
  const dynamic = spec.path.includes('{id}');
  const request: Record<string, unknown> = { method: spec.method, path: spec.path.replace('{id}', '1'), headers: spec.headers };
  if (spec.body !== undefined) request.body = spec.body;
  if (dynamic) {
    request.setupRequest = (req: Record<string, unknown>) => ({ ...req, path: spec.path.replace('{id}', String(ids.next())) });
  }
  const options = { url: spec.base, connections: spec.connections, requests: [request], timeout: 30 };
  // The warm-up is a run of its own, so the server's CPU time can be read exactly around the measured run.
  if (spec.warmupSeconds > 0) {
    const warmup = autocannon({ ...options, duration: spec.warmupSeconds });
    await new Promise<AutocannonResult>((done, fail) => {
      warmup.then(done, fail);
    });
  }
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cpuBefore = cpuMicros(spec.serverPid);
  const instance = autocannon({ ...options, duration: spec.durationSeconds });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    latencies.push(ms);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await new Promise<AutocannonResult>((done, fail) => {
    instance.then(done, fail);
  });
  const cpuAfter = cpuMicros(spec.serverPid);
  const seconds = result.duration;
  return {
    serverCpuMicrosPerRequest: (cpuAfter - cpuBefore) / latencies.length,
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    idsUsed: ids.used(),
    seconds,
  };
}

// Run as a process: read the spec, print the result.
if (process.argv[2]) {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  runLoad(spec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
