/**
 * Failed authentications per client IP. The request rate limit keys on the credential, which a
 * guesser does not have, so without this nothing slows down trying secrets. Past `max` failures in a
 * window, every credentialed request from that IP is answered 429 before its credential is even
 * checked (a right guess must not get through), until the window ends.
 *
 * The counters are the limit store's (src/limits/limit-store.ts): shared by every replica when the
 * store is Redis or PostgreSQL, so N replicas together allow `max` failures, not N × `max`.
 */
import type { WindowCounters } from '../limits/window-counters.js';

export interface FailureLimiter {
  /** Seconds until `ip` may try again, or 0 when it may try now. */
  blockedFor(ip: string): Promise<number>;
  /** Records a failed authentication from `ip`. */
  failed(ip: string): Promise<void>;
}

/** `max` failures per window of `counters`; 0 turns the limit off. */
export function createFailureLimiter(max: number, counters: WindowCounters): FailureLimiter {
  return {
    async blockedFor(ip) {
      if (max === 0) return 0;
      const { count, msLeft } = await counters.peek(ip);
      return count < max ? 0 : Math.max(1, Math.ceil(msLeft / 1000));
    },
    async failed(ip) {
      if (max !== 0) await counters.hit(ip);
    },
  };
}
