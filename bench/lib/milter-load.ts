/**
 * Drives one milter over many concurrent sessions with the test milter client: each session opens a
 * connection per message (as Postfix does for each SMTP session), and times each message from opening the
 * connection to the end-of-message reply.
 */
import { MilterClient, type TestMessage } from '../../test/mail/support/milter-client.js';

export interface LoadResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

export async function driveMilter(
  address: string,
  message: (i: number) => TestMessage,
  options: { sessions: number; seconds: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const session = async () => {
    while (performance.now() < deadline) {
      let client: MilterClient | undefined;
      try {
        const t0 = performance.now();
        client = await MilterClient.open(address, { replyTimeoutMs: 30_000 });
        await client.sendMessage(message(next++));
        latencies.push(performance.now() - t0);
        await client.quit();
      } catch {
        errors++;
        await client?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: options.sessions }, session));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    messages: latencies.length,
    seconds,
    messagesPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}
