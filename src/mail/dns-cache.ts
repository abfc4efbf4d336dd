/**
 * A bounded cache of DNS answers for authentication lookups. Mail from one sender arrives in bursts,
 * and each message asks the same questions (the SPF record and its includes, `_dmarc`, the DKIM key):
 * without a cache every message pays for every lookup, which costs more CPU than the rest of the filter.
 *
 * Answers and "no such record" (NXDOMAIN, NODATA) are kept for `seconds` (a fixed time: node's resolver
 * does not report TTLs for TXT records, so this is an upper bound on how stale a record can be); other
 * failures (timeouts, SERVFAIL, refused) are not kept, so the next message asks again. Concurrent
 * identical questions share one lookup. The oldest entries go first when `maxEntries` is reached.
 */
export type Resolve = (name: string, type: string) => Promise<string[]>;

/** Error codes of node's resolver that say the record does not exist: worth remembering. */
const NEGATIVE = new Set(['ENODATA', 'ENOTFOUND']);

export function cachedResolve(resolve: Resolve, { seconds, maxEntries = 10_000 }: { seconds: number; maxEntries?: number }): Resolve {
  if (seconds <= 0) return resolve;
  const entries = new Map<string, { answer: Promise<string[]>; expires: number }>();
  return (name, type) => {
    const key = `${type} ${name.toLowerCase()}`;
    const now = Date.now();
    const kept = entries.get(key);
    if (kept && kept.expires > now) return kept.answer;
    if (kept) entries.delete(key);
    const answer = resolve(name, type);
    entries.set(key, { answer, expires: now + seconds * 1000 });
    answer.catch((error: { code?: string }) => {
      if (!NEGATIVE.has(error?.code ?? '') && entries.get(key)?.answer === answer) entries.delete(key);
    });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return answer;
  };
}
