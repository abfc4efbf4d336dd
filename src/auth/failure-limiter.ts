/**
 * Failed authentications per client IP. The request rate limit keys on the credential, which a
 * guesser does not have, so without this nothing slows down trying secrets. Past `max` failures in a
 * window, every credentialed request from that IP is answered 429 before its credential is even
 * checked (a right guess must not get through), until the window ends.
 *
 * Counters live in this process (like the request rate limit): N replicas allow N× the failures.
 */
export interface FailureLimiter {
  /** Seconds until `ip` may try again, or 0 when it may try now. */
  blockedFor(ip: string): number;
  /** Records a failed authentication from `ip`. */
  failed(ip: string): void;
}

interface Window {
  failures: number;
  endsAt: number;
}

/** Windows kept at most; past this, ended ones are dropped (and, if none has ended, the oldest). */
const MAX_TRACKED = 100_000;

export function createFailureLimiter(max: number, windowSeconds: number, now: () => number = Date.now): FailureLimiter {
  const windows = new Map<string, Window>();

  function current(ip: string): Window | undefined {
    const window = windows.get(ip);
    if (window !== undefined && window.endsAt <= now()) {
      windows.delete(ip);
      return undefined;
    }
    return window;
  }

  function makeRoom(): void {
    const time = now();
    for (const [ip, window] of windows) if (window.endsAt <= time) windows.delete(ip);
    // Maps iterate in insertion order: the first keys are the oldest windows.
    for (const ip of windows.keys()) {
      if (windows.size < MAX_TRACKED) break;
      windows.delete(ip);
    }
  }

  return {
    blockedFor(ip) {
      if (max === 0) return 0;
      const window = current(ip);
      if (window === undefined || window.failures < max) return 0;
      return Math.max(1, Math.ceil((window.endsAt - now()) / 1000));
    },
    failed(ip) {
      if (max === 0) return;
      const window = current(ip);
      if (window !== undefined) {
        window.failures++;
        return;
      }
      if (windows.size >= MAX_TRACKED) makeRoom();
      windows.set(ip, { failures: 1, endsAt: now() + windowSeconds * 1000 });
    },
  };
}
