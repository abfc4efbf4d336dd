/**
 * `npm run bench:mail`: mailwarden's milter next to Rspamd's (rspamd_proxy, milter = yes, self_scan = yes)
 * on the same lists, corpus and local DNS server, at each settings size.
 *
 * - protocol level: mailwarden runs as its own process (`dist/server.js`, SQLite, seeded through the
 *   import endpoint), Rspamd as its own; the bench's milter client drives each over many concurrent
 *   sessions. Before timing, both must refuse the corpus's blocked senders and pass its allowed ones.
 * - end to end (at `--e2e-sizes`): a real Postfix with `smtp-source` as the load and `smtp-sink` as
 *   the sink, with no milter, mailwarden's milter and Rspamd's milter.
 *
 * Rounds alternate between the filters; the medians of the rounds are printed. Rspamd is installed from
 * Debian when missing.
 *
 * Options: --sizes 1000,100000  --rounds 3  --seconds 5  --sessions 32
 *          --e2e-sizes (the sizes; empty for none)  --e2e-messages 2000  --e2e-sessions 20  --e2e-rounds (rounds)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { startDnsServer } from '../test/mail/support/dns-server.js';
import { blockedSender, corpusMessage, corpusZone, E2E_RECIPIENT, E2E_SENDER, settingsLists } from './lib/mail-corpus.js';
import { driveLane, runSmtpSource, startLane, stopLane, type Lane, type LaneResult } from './lib/postfix-e2e.js';
import { driveMilter, type LoadResult } from './lib/milter-load.js';
import type { TestMessage } from '../test/mail/support/milter-client.js';
import { startMailwarden } from './lib/mailwarden-process.js';
import { ensureRspamdInstalled, startRspamd, stopRspamd, writeRspamdConfig } from './lib/rspamd.js';
import { checkVerdicts } from './lib/verdicts.js';
import { cpuSeconds } from './lib/process-cpu.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const sizes = option('sizes', '1000,100000').split(',').map(Number);
const rounds = Number(option('rounds', '3'));
const seconds = Number(option('seconds', '5'));
const sessions = Number(option('sessions', '32'));
const latencySeconds = Number(option('latency-seconds', '3'));
const e2eSizes = option('e2e-sizes', option('sizes', '1000,100000')).split(',').filter(Boolean).map(Number);
const e2eMessages = Number(option('e2e-messages', '2000'));
const e2eSessions = Number(option('e2e-sessions', '20'));
const e2eRounds = Number(option('e2e-rounds', String(rounds)));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type TimedResult = LoadResult & { cpuMsPerMessage: number; cpuShare: number; clientShare: number };

/** One load run against a filter, with the filter's CPU time (its process tree) over the run. */
async function timed(
  address: string,
  pid: number,
  message: (i: number) => TestMessage,
  load: { sessions: number; seconds: number },
): Promise<TimedResult> {
  const cpuBefore = cpuSeconds(pid);
  const clientBefore = process.cpuUsage();
  const result = await driveMilter(address, message, load);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  return {
    ...result,
    cpuMsPerMessage: (cpu * 1000) / Math.max(1, result.messages),
    cpuShare: cpu / result.seconds,
    clientShare: (client.user + client.system) / 1e6 / result.seconds,
  };
}

function row(name: string, size: number, results: TimedResult[], single: LoadResult): string {
  const m = (pick: (r: TimedResult) => number, digits: number) => median(results.map(pick)).toFixed(digits);
  return `| ${name} | ${size} | ${m((r) => r.messagesPerSecond, 0)} | ${m((r) => r.p50Ms, 2)} | ${m((r) => r.p99Ms, 2)} | ${single.p50Ms.toFixed(2)} | ${single.p99Ms.toFixed(2)} | ${m((r) => r.cpuMsPerMessage, 2)} | ${m((r) => r.cpuShare, 2)} | ${m((r) => r.clientShare, 2)} | ${results.reduce((n, r) => n + r.errors, 0) + single.errors} |`;
}

/** A blocked sender through a filtering Postfix is refused at SMTP and nothing reaches the sink. */
async function checkBlockedEndToEnd(lane: Lane): Promise<string> {
  const before = lane.relayed();
  const result = await runSmtpSource({ port: lane.postfix.port, messages: 1, sessions: 1, from: blockedSender(0), to: E2E_RECIPIENT });
  await new Promise((done) => setTimeout(done, 1500));
  const refusal = /\b5\d\d[ -].*/.exec(result.output)?.[0];
  if (result.status === 0 || !refusal || lane.relayed() !== before)
    throw new Error(`${lane.name}: a blocked sender was not refused end to end (smtp-source ${result.status}: ${result.output})`);
  return refusal.trim();
}

function e2eRow(name: string, size: number, results: LaneResult[], baseline?: number): string {
  const rate = median(results.map((r) => r.messagesPerSecond));
  const accepted = median(results.map((r) => r.acceptedPerSecond));
  return `| ${name} | ${size} | ${rate.toFixed(0)} | ${accepted.toFixed(0)} | ${baseline ? (rate / baseline).toFixed(2) : '1.00'} |`;
}

async function endToEnd(size: number, milters: { mailwarden: string; rspamd: string }): Promise<string[]> {
  const lanes = [
    await startLane('Postfix, no milter', undefined),
    await startLane("Postfix + mailwarden's milter", `inet:${milters.mailwarden}`),
    await startLane("Postfix + Rspamd's milter", `inet:${milters.rspamd}`),
  ];
  try {
    for (const lane of lanes.slice(1)) console.log(`  ${lane.name}: blocked sender refused: ${await checkBlockedEndToEnd(lane)}`);
    const results: LaneResult[][] = lanes.map(() => []);
    const load = { messages: e2eMessages, sessions: e2eSessions, from: E2E_SENDER, to: E2E_RECIPIENT };
    for (let round = 0; round < e2eRounds; round++) {
      // Each round starts from a different lane, so no configuration always runs first.
      for (let k = 0; k < lanes.length; k++) {
        const index = (round + k) % lanes.length;
        results[index].push(await driveLane(lanes[index], load));
      }
      console.log(
        `  e2e round ${round + 1}: ${lanes.map((lane, i) => `${lane.name} ${results[i][round].messagesPerSecond.toFixed(0)}/s`).join(', ')}`,
      );
    }
    const baseline = median(results[0].map((r) => r.messagesPerSecond));
    return lanes.map((lane, i) => e2eRow(lane.name, size, results[i], i === 0 ? undefined : baseline));
  } finally {
    for (const lane of lanes) await stopLane(lane);
  }
}

async function main(): Promise<void> {
  ensureRspamdInstalled();
  const dns = await startDnsServer(corpusZone());
  console.log(`mail bench: node ${process.version}, ${sessions} sessions, ${rounds} rounds of ${seconds}s, DNS ${dns.address}`);
  const summary: string[] = [];
  const e2eSummary: string[] = [];
  try {
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'mailwarden-mail-bench-'));
      const lists = settingsLists(size);
      const mailwarden = await startMailwarden({ dir, dnsServer: dns.address });
      const rspamdPort = 20000 + Math.floor(Math.random() * 20000);
      const rspamd = startRspamd(writeRspamdConfig({ dir, milterPort: rspamdPort, dnsServer: dns.address, lists }));
      try {
        const seeded = await mailwarden.seed(lists);
        console.log(
          `size ${size}: mailwarden (pid ${mailwarden.pid}) seeded ${seeded.created} settings in ${(seeded.ms / 1000).toFixed(1)} s`,
        );
        await waitForPort(rspamdPort, 60_000);
        const rspamdAddress = `127.0.0.1:${rspamdPort}`;
        console.log(`  mailwarden verdicts: ${(await checkVerdicts('mailwarden', mailwarden.milter, size)).join('; ')}`);
        console.log(`  rspamd verdicts: ${(await checkVerdicts('rspamd', rspamdAddress, size)).join('; ')}`);
        const message = (i: number) => corpusMessage(i, size);
        const rspamdPid = rspamd.pid!;
        // Warm-up (caches, JIT, Rspamd's SPF LRU) before anything is timed.
        await driveMilter(mailwarden.milter, message, { sessions, seconds: 1 });
        await driveMilter(rspamdAddress, message, { sessions, seconds: 1 });
        const ours: TimedResult[] = [];
        const theirs: TimedResult[] = [];
        for (let round = 0; round < rounds; round++) {
          ours.push(await timed(mailwarden.milter, mailwarden.pid, message, { sessions, seconds }));
          theirs.push(await timed(rspamdAddress, rspamdPid, message, { sessions, seconds }));
          console.log(
            `  round ${round + 1}: mailwarden ${ours[round].messagesPerSecond.toFixed(0)}/s p99 ${ours[round].p99Ms.toFixed(2)} ms, rspamd ${theirs[round].messagesPerSecond.toFixed(0)}/s p99 ${theirs[round].p99Ms.toFixed(2)} ms`,
          );
        }
        // The latency one message adds with no queueing in front of it: one session at a time.
        const oursSingle = await driveMilter(mailwarden.milter, message, { sessions: 1, seconds: latencySeconds });
        const theirsSingle = await driveMilter(rspamdAddress, message, { sessions: 1, seconds: latencySeconds });
        console.log(
          `  one session: mailwarden p50 ${oursSingle.p50Ms.toFixed(2)} p99 ${oursSingle.p99Ms.toFixed(2)} ms, rspamd p50 ${theirsSingle.p50Ms.toFixed(2)} p99 ${theirsSingle.p99Ms.toFixed(2)} ms`,
        );
        summary.push(
          row('mailwarden milter (dist/server.js)', size, ours, oursSingle),
          row('rspamd_proxy milter (self_scan)', size, theirs, theirsSingle),
        );
        const ratio = median(ours.map((r) => r.messagesPerSecond)) / median(theirs.map((r) => r.messagesPerSecond));
        summary.push(`| ratio mailwarden/rspamd messages/s | ${size} | ${ratio.toFixed(2)} | | | | | | | | |`);
        if (e2eSizes.includes(size)) e2eSummary.push(...(await endToEnd(size, { mailwarden: mailwarden.milter, rspamd: rspamdAddress })));
      } finally {
        await stopRspamd(rspamd);
        await mailwarden.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await dns.close();
  }
  console.log(
    `\nprotocol level (medians of ${rounds} rounds of ${seconds}s at ${sessions} sessions; one session for ${latencySeconds}s):\n| filter | settings | messages/s | p50 ms | p99 ms | p50 ms, 1 session | p99 ms, 1 session | filter CPU ms/message | filter CPU s per s | bench client CPU s per s | errors |\n|---|---|---|---|---|---|---|---|---|---|---|`,
  );
  for (const line of summary) console.log(line);
  if (e2eSummary.length > 0) {
    console.log(
      `\nend to end, ${e2eMessages} messages over ${e2eSessions} smtp-source sessions per run (medians):\n| configuration | settings | relayed messages/s | accepted messages/s | ratio to no milter |\n|---|---|---|---|---|`,
    );
    for (const line of e2eSummary) console.log(line);
  }
}

await main();
