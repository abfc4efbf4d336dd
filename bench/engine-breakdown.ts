/**
 * Where an evaluation's time goes, without a profiler's sampling: the stream of fresh messages (see
 * engine-bench.ts) run through growing prefixes of the evaluation, each timed on its own (CPU time
 * of the evaluations only, median of 7 rounds), so each step's cost is the difference to the one
 * before:
 *
 *   read     prepareMessage: the sender addresses and the IP, read and hashed
 *   senders  + the sender lookups (exact addresses, domains and parents, IP blocks)
 *   rcpts    + each recipient read and looked up (exempt recipients, its protected domain)
 *   lookalk  + is the From domain protected, and what does it imitate
 *   names    + the display name against the impersonation registry
 *   full     evaluate(): the above, the rules and the verdict with its explanation
 *
 * and, apart, a floor: a bare loop over every character of the message's addresses (what any engine
 * that reads them pays), with the characters per message.
 *
 * `--by-kind` times whole evaluations instead, by kind of message: the stream's messages grouped by
 * what they matched (nothing; only a failed DMARC; a blocked sender; …, sorted by an untimed first
 * evaluation), each group evaluated as a stream of its own; and next to it the group's first 50
 * messages over and over (parsed afresh each time), whose settings stay in cache: the difference is
 * what waiting on memory costs that kind of message.
 *
 *   node dist/bench/bench/engine-breakdown.js [settings=100000] [traffic=zipf|unique] [--by-kind]
 */
import { normalizeAddress } from '../src/engine/address/address.js';
import { compileSettings, evaluate, type Message } from '../src/engine/index.js';
import { prepareMessage, type PreparedMessage } from '../src/engine/message/prepared.js';
import type { Matcher } from '../src/engine/rules/matcher.js';
import { buildRequestBodies, buildSettings, matchesNothing, requestBodies, type Traffic } from './engine-fixtures.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const size = Number(args[0] ?? 100_000);
const traffic = (args[1] ?? 'zipf') as Traffic;
const BY_KIND = process.argv.includes('--by-kind');
const universe = buildSettings(size, 0);
const compiled = compileSettings(universe.settings);
const matcher: Matcher = compiled.matcher;
const bodies = buildRequestBodies(universe, 100_000, traffic);

function recipients(prepared: PreparedMessage): number {
  let found = 0;
  for (const value of prepared.addresses) {
    const address = normalizeAddress(value);
    if (address === undefined) continue;
    found += matcher.exemptPolicies(address).length;
    if (address.labels > 0 && matcher.recipientDomain(address) !== undefined) found++;
  }
  return found;
}

function lookalikes(prepared: PreparedMessage): number {
  const from = prepared.from;
  return from !== undefined && from.labels > 0 && !matcher.isProtected(from) ? matcher.lookalikes(from).length : 0;
}

/** Sums the characters of `value`: the cheapest way to read every one. */
function touch(value: string | undefined): number {
  let sum = 0;
  if (value !== undefined) for (let i = 0; i < value.length; i++) sum = (sum + value.charCodeAt(i)) | 0;
  return sum;
}

let characters = 0;
function floor(message: Message): number {
  let sum = touch(message.from) + touch(message.reply_to);
  let count = (message.from?.length ?? 0) + (message.reply_to?.length ?? 0);
  if (message.envelope_from !== message.from) {
    sum += touch(message.envelope_from);
    count += message.envelope_from?.length ?? 0;
  }
  for (const recipient of message.recipients) {
    sum += touch(recipient);
    count += recipient.length;
  }
  characters += count;
  return sum;
}

const steps: Record<string, (message: Message) => number> = {
  floor,
  read: (message) => prepareMessage(message).ipv4,
  senders: (message) => matcher.senderMatches(prepareMessage(message)).blocked.length,
  rcpts: (message) => {
    const prepared = prepareMessage(message);
    return matcher.senderMatches(prepared).blocked.length + recipients(prepared);
  },
  lookalk: (message) => {
    const prepared = prepareMessage(message);
    return matcher.senderMatches(prepared).blocked.length + recipients(prepared) + lookalikes(prepared);
  },
  names: (message) => {
    const prepared = prepareMessage(message);
    const named = prepared.fromName ? matcher.displayNames(prepared.fromName).length : 0;
    return matcher.senderMatches(prepared).blocked.length + recipients(prepared) + lookalikes(prepared) + named;
  },
  full: (message) => evaluate(compiled, message).matches.length,
};

const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const ROUNDS = 7;
const BODIES_PER_ROUND = 300;
let sink = 0;

/** ns per message of `step` over one round: `BODIES_PER_ROUND` bodies of `source`, from where round `round` starts. */
function timeRounds(source: readonly string[], step: (message: Message) => number, round: number): number {
  let elapsed = 0;
  let count = 0;
  for (let b = 0; b < BODIES_PER_ROUND; b++) {
    // Parsed right before use, as the endpoint does; the parse is not timed.
    const { messages } = JSON.parse(source[(round * BODIES_PER_ROUND + b) % source.length]) as { messages: Message[] };
    const start = cpu();
    for (let i = 0; i < messages.length; i++) sink += step(messages[i]);
    elapsed += cpu() - start;
    count += messages.length;
  }
  return (elapsed / count) * 1e9;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];

/** What a verdict matched, as a kind of message: `nothing`, `DMARC failed`, or the resources and effects of its matches. */
function kindOf(message: Message): string {
  const verdict = evaluate(compiled, message);
  if (matchesNothing(verdict)) return 'nothing';
  if (verdict.matches.length > 0)
    return [...new Set(verdict.matches.map((match) => `${match.resource}/${match.effect}`))].sort().join(' + ');
  return verdict.explanation[0].replace(/ is \d+ days old/, ' is N days old').replace(/\.$/, '');
}

if (BY_KIND) {
  const kinds = new Map<string, Message[]>();
  let total = 0;
  for (const body of bodies) {
    for (const message of (JSON.parse(body) as { messages: Message[] }).messages) {
      const kind = kindOf(message);
      const list = kinds.get(kind);
      if (list === undefined) kinds.set(kind, [message]);
      else list.push(message);
      total++;
    }
  }
  const rows = [...kinds].filter(([, messages]) => messages.length >= 1000).sort((a, b) => b[1].length - a[1].length);
  console.log(
    `${size.toLocaleString('en-US')} settings, ${traffic} stream; whole evaluations by kind of message, ns per message, median of ${ROUNDS} rounds:`,
  );
  console.log('| kind of message (what it matched) | share | ns, distinct messages | ns, 50 of them over and over | difference |');
  console.log('|---|--:|--:|--:|--:|');
  for (const [kind, messages] of rows) {
    const distinct = requestBodies(messages);
    const recurring = requestBodies(Array.from({ length: 5000 }, (_, i) => messages[i % 50]));
    const full = (message: Message) => evaluate(compiled, message).matches.length;
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      a.push(timeRounds(distinct, full, round));
      b.push(timeRounds(recurring, full, round));
    }
    const [many, few] = [median(a), median(b)];
    console.log(
      `| ${kind} | ${((messages.length / total) * 100).toFixed(1)}% | ${many.toFixed(0)} | ${few.toFixed(0)} | ${(many - few).toFixed(0)} |`,
    );
  }
  console.log(`(checksum ${sink % 1000}; kinds under 1,000 of the ${total.toLocaleString('en-US')} messages left out)`);
} else {
  const nanoseconds: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, step] of Object.entries(steps)) (nanoseconds[name] ??= []).push(timeRounds(bodies, step, round));
  }
  console.log(
    `${size.toLocaleString('en-US')} settings, ${traffic} stream; ns per message, median of ${ROUNDS} rounds (checksum ${sink % 1000}):`,
  );
  console.log('| step | cumulative ns | this step ns | share of full |');
  console.log('|---|--:|--:|--:|');
  const medians = Object.fromEntries(Object.entries(nanoseconds).map(([name, values]) => [name, median(values)]));
  const { floor: floorNs, ...cumulative } = medians;
  let previous = 0;
  for (const [name, value] of Object.entries(cumulative)) {
    console.log(
      `| ${name} | ${value.toFixed(0)} | ${(value - previous).toFixed(0)} | ${(((value - previous) / medians.full) * 100).toFixed(0)}% |`,
    );
    previous = value;
  }
  const perMessage = characters / (ROUNDS * BODIES_PER_ROUND * 100);
  console.log(
    `\nFloor: a bare loop over the ${perMessage.toFixed(0)} address characters of a message takes ${floorNs.toFixed(0)} ns ` +
      `(${(floorNs / perMessage).toFixed(2)} ns a character).`,
  );
}
