/**
 * The check both filters pass before they are timed: on the corpus, a blocked sender's message is refused
 * with a 5xx and an allowed sender's and a neutral one's are not, so the timed runs measure a filter that
 * acts on its lists.
 */
import { MilterClient, type StepReply } from '../../test/mail/support/milter-client.js';
import { corpusMessage } from './mail-corpus.js';

export function refused(reply: StepReply): boolean {
  return reply.type === 'reject' || (reply.type === 'replycode' && reply.text.startsWith('5'));
}

function describe(reply: StepReply): string {
  return reply.type === 'replycode' ? reply.text.trim() : reply.type;
}

/** Throws unless corpus messages of each kind get the expected answer; returns the answers seen. */
export async function checkVerdicts(name: string, address: string, size: number): Promise<string[]> {
  const seen: string[] = [];
  // Indexes 0 and 10 are blocked senders, 1 and 11 allowed ones, 2 and 3 in no list (mail-corpus.ts).
  for (const [index, expectRefused] of [
    [0, true],
    [10, true],
    [1, false],
    [11, false],
    [2, false],
    [3, false],
  ] as const) {
    const client = await MilterClient.open(address, { replyTimeoutMs: 30_000 });
    try {
      const { reply } = await client.sendMessage(corpusMessage(index, size));
      seen.push(`${index}: ${describe(reply)}`);
      if (refused(reply) !== expectRefused)
        throw new Error(`${name}: corpus message ${index} got ${describe(reply)}, expected ${expectRefused ? 'a 5xx' : 'no 5xx'}`);
    } finally {
      await client.close();
    }
  }
  return seen;
}
