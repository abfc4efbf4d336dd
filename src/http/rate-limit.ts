/**
 * Per-credential rate limiting (default 1,200 requests per 5 minutes, as the real API) with
 * @fastify/rate-limit, answering in Cloudflare's header style:
 *   Ratelimit: "default";r=<remaining>;t=<seconds to reset>
 *   Ratelimit-Policy: "default";q=<limit>;w=<window seconds>
 * and, on 429 (code 971), Retry-After.
 * The plugin computes those from the counters of the limit store (src/limits/limit-store.ts), shared
 * by every replica when it is Redis or PostgreSQL.
 */
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { WindowCount, WindowCounters } from '../limits/window-counters.js';
import { ApiError, ErrorCode } from './errors.js';

export interface RateLimitOptions {
  max: number;
  windowSeconds: number;
  counters: WindowCounters;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** @fastify/rate-limit's store interface over window counters (which never fail: see sharedCounters). */
function counterStore(counters: WindowCounters): FastifyRateLimitStoreCtor {
  const answer = (callback: StoreCallback) => (count: WindowCount) => callback(null, { current: count.count, ttl: count.msLeft });
  class CounterStore implements FastifyRateLimitStore {
    incr(key: string, callback: StoreCallback): void {
      counters.hit(key).then(answer(callback), callback);
    }
    read(key: string, callback: StoreCallback): void {
      counters.peek(key).then(answer(callback), callback);
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return CounterStore;
}

const DRAFT_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'] as const;

export async function registerRateLimit(app: FastifyInstance, { max, windowSeconds, counters }: RateLimitOptions): Promise<void> {
  if (max === 0) return;
  const everyHeader = { 'ratelimit-limit': true, 'ratelimit-remaining': true, 'ratelimit-reset': true, 'retry-after': true };
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowSeconds * 1000,
    store: counterStore(counters),
    // After authentication (onRequest), before the body is read.
    hook: 'preParsing',
    enableDraftSpec: true,
    addHeaders: everyHeader,
    addHeadersOnExceeding: everyHeader,
    keyGenerator: (request) => (request.principal?.tokenId ? `token:${request.principal.tokenId}` : `ip:${request.ip}`),
    errorResponseBuilder: () =>
      new ApiError(429, [{ code: ErrorCode.rateLimited, message: 'Please wait and consider throttling your request speed' }]),
  });
  // Rewrite the plugin's draft-7 headers into the structured form the real API sends.
  const policy = `"default";q=${max};w=${windowSeconds}`;
  // A callback hook, not an async one: no promise per response.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const remaining = reply.getHeader('ratelimit-remaining');
    if (remaining !== undefined) {
      const reset = reply.getHeader('ratelimit-reset');
      reply.header('ratelimit', `"default";r=${String(remaining)};t=${String(reset)}`);
      reply.header('ratelimit-policy', policy);
      for (const name of DRAFT_HEADERS) reply.removeHeader(name);
    }
    done(null, payload);
  });
}
