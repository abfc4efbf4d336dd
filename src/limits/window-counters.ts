/**
 * Fixed-window counters, what both rate limits count with (requests per credential, failed
 * authentications per IP). A key's window opens at its first hit and lasts `windowSeconds`; hits inside
 * it add up; the next hit after it starts a new one.
 *
 * - `localCounters`: in this process, bounded in memory.
 * - `sharedCounters`: in a store every replica shares (rate-limiter-flexible over Redis or PostgreSQL),
 *   with local counters standing in while that store fails: see `StoreHealth`.
 */
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

export interface WindowCount {
  /** Hits in the key's current window; 0 when none is open. */
  count: number;
  /** Milliseconds until that window ends; 0 when none is open. */
  msLeft: number;
}

export interface WindowCounters {
  /** Counts one hit on `key`, and answers the window's count including it. */
  hit(key: string): Promise<WindowCount>;
  /** The window's count without counting. */
  peek(key: string): Promise<WindowCount>;
}

const NONE: WindowCount = { count: 0, msLeft: 0 };

/** Windows kept at most by local counters; past this, ended ones are dropped (and, if none has ended, the oldest). */
const MAX_TRACKED = 100_000;

export function localCounters(windowSeconds: number, now: () => number = Date.now): WindowCounters {
  const windows = new Map<string, { count: number; endsAt: number }>();
  const windowMs = windowSeconds * 1000;

  function current(key: string, time: number) {
    const window = windows.get(key);
    if (window !== undefined && window.endsAt <= time) {
      windows.delete(key);
      return undefined;
    }
    return window;
  }

  function makeRoom(time: number): void {
    for (const [key, window] of windows) if (window.endsAt <= time) windows.delete(key);
    // Maps iterate in insertion order: the first keys are the oldest windows.
    for (const key of windows.keys()) {
      if (windows.size < MAX_TRACKED) break;
      windows.delete(key);
    }
  }

  return {
    hit(key) {
      const time = now();
      let window = current(key, time);
      if (window === undefined) {
        if (windows.size >= MAX_TRACKED) makeRoom(time);
        window = { count: 0, endsAt: time + windowMs };
        windows.set(key, window);
      }
      window.count++;
      return Promise.resolve({ count: window.count, msLeft: window.endsAt - time });
    },
    peek(key) {
      const time = now();
      const window = current(key, time);
      return Promise.resolve(window === undefined ? NONE : { count: window.count, msLeft: window.endsAt - time });
    },
  };
}

/** How long a shared store may take to answer before this process counts locally instead. */
const STORE_TIMEOUT_MS = 2000;
/** After a failure, how long this process counts locally before it asks the shared store again. */
const RETRY_AFTER_MS = 5000;

interface Logger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

/**
 * Whether a shared store is usable, for every counter on it. When a call fails or takes longer than
 * STORE_TIMEOUT_MS, the store is left alone for RETRY_AFTER_MS and each process counts locally (so N
 * replicas allow up to N times a limit, as without a shared store): requests are neither refused nor
 * held up because the counters cannot be reached. One warning per outage, one line when it ends.
 */
export class StoreHealth {
  private downUntil = 0;
  private down = false;

  constructor(
    readonly store: string,
    private readonly log: Logger,
  ) {}

  usable(): boolean {
    return Date.now() >= this.downUntil;
  }

  failed(error: unknown): void {
    this.downUntil = Date.now() + RETRY_AFTER_MS;
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.log.warn({ store: this.store, reason }, 'rate-limit store unavailable: counting in this process until it answers again');
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info({ store: this.store }, 'rate-limit store answers again: counters are shared again');
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORE_TIMEOUT_MS} ms`)), STORE_TIMEOUT_MS);
  });
  promise.catch(() => {}); // a late failure after the timeout has nobody to tell
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function countOf(result: RateLimiterRes | null): WindowCount {
  if (result === null || result.consumedPoints <= 0) return NONE;
  return { count: result.consumedPoints, msLeft: Math.max(0, result.msBeforeNext) };
}

/** Counters in `limiter`'s store, with `fallback` counting while `health` says that store fails. */
export function sharedCounters(limiter: RateLimiterAbstract, fallback: WindowCounters, health: StoreHealth): WindowCounters {
  async function shared(operation: () => Promise<RateLimiterRes | null>, local: () => Promise<WindowCount>): Promise<WindowCount> {
    if (!health.usable()) return local();
    try {
      const count = countOf(await withTimeout(operation()));
      health.answered();
      return count;
    } catch (error) {
      health.failed(error);
      return local();
    }
  }
  return {
    // penalty() adds points and answers the total, never rejecting for being over the limit.
    hit: (key) =>
      shared(
        () => limiter.penalty(key, 1),
        () => fallback.hit(key),
      ),
    peek: (key) =>
      shared(
        () => limiter.get(key),
        () => fallback.peek(key),
      ),
  };
}
