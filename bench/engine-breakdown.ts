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
 *   node dist/bench/bench/engine-breakdown.js [settings=100000] [traffic=zipf|unique]
 */
import { compileSettings } from '../src/engine/compile.js';
import { evaluate, type Matcher } from '../src/engine/evaluate.js';
import { normalizeAddress, prepareMessage, type PreparedMessage } from '../src/engine/normalize.js';
import type { Message } from '../src/engine/types.js';
import { buildRequestBodies, buildSettings, type Traffic } from './engine-fixtures.js';

const size = Number(process.argv[2] ?? 100_000);
const traffic = (process.argv[3] ?? 'zipf') as Traffic;
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
const nanoseconds: Record<string, number[]> = {};
let sink = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, step] of Object.entries(steps)) {
    let elapsed = 0;
    let count = 0;
    for (let b = 0; b < BODIES_PER_ROUND; b++) {
      // Parsed right before use, as the endpoint does; the parse is not timed.
      const { messages } = JSON.parse(bodies[(round * BODIES_PER_ROUND + b) % bodies.length]) as { messages: Message[] };
      const start = cpu();
      for (let i = 0; i < messages.length; i++) sink += step(messages[i]);
      elapsed += cpu() - start;
      count += messages.length;
    }
    (nanoseconds[name] ??= []).push((elapsed / count) * 1e9);
  }
}

console.log(`${size.toLocaleString('en-US')} settings, ${traffic} stream; ns per message, median of ${ROUNDS} rounds (checksum ${sink % 1000}):`);
console.log('| step | cumulative ns | this step ns | share of full |');
console.log('|---|--:|--:|--:|');
const medians = Object.fromEntries(Object.entries(nanoseconds).map(([name, values]) => [name, values.sort((a, b) => a - b)[ROUNDS >> 1]]));
const { floor: floorNs, ...cumulative } = medians;
let previous = 0;
for (const [name, value] of Object.entries(cumulative)) {
  console.log(`| ${name} | ${value.toFixed(0)} | ${(value - previous).toFixed(0)} | ${(((value - previous) / medians.full) * 100).toFixed(0)}% |`);
  previous = value;
}
const perMessage = characters / (ROUNDS * BODIES_PER_ROUND * 100);
console.log(
  `\nFloor: a bare loop over the ${perMessage.toFixed(0)} address characters of a message takes ${floorNs.toFixed(0)} ns ` +
    `(${(floorNs / perMessage).toFixed(2)} ns a character).`,
);
