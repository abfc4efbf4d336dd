/**
 * Two builds of the engine side by side in one process, for changes smaller than this machine's
 * noise between runs (10–20% for a cell of `bench:engine`): both compile the same settings, and
 * they take turns on the same 150 bodies of the stream (parsed afresh for each), the first turn
 * alternating, so whatever the machine does meanwhile falls on both. Reports each build's median ns
 * per message and the median of the pairs' ratios (old / new: above 1, the new build is faster), with
 * its quartiles. An A/A run (the same build twice) gives 1.02–1.03 with quartiles about ±5%. But one
 * process is one draw of V8's compilation choices for each build, and the same two builds can differ
 * by ±6% from one process to the next. Run it in both orders (OLD NEW, then NEW OLD) and more than
 * once; a difference that does not hold every time is not there.
 *
 * Each build is a `dist/bench` made by `npx tsc -p bench/tsconfig.engine.json` at some commit:
 *
 *   node dist/bench/bench/engine-ab.js OLD_DIR NEW_DIR [settings=100000] [all|nothing|something] [pairs=40] [--batch]
 *
 * `--batch` evaluates each body's messages together with `evaluateAll`, as the evaluate endpoint
 * does; without it, one at a time with `evaluate`.
 *
 * `nothing` and `something` keep the stream's messages that match nothing (disposition NONE, no match)
 * or the rest, sorted by an untimed evaluation of the old build. Both builds must give the same
 * verdicts on a sample of the stream, or the run stops.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CompiledSettings, Message, Verdict } from '../src/engine/index.js';
import { buildRequestBodies, buildSettings, matchesNothing, requestBodies, type Universe } from './engine-fixtures.js';

interface Build {
  compileSettings: (settings: Universe['settings']) => CompiledSettings;
  evaluate: (compiled: CompiledSettings, message: Message) => Verdict;
  evaluateAll: (compiled: CompiledSettings, messages: readonly Message[]) => Verdict[];
}

/** A build's engine from its public face, or, in builds whose bench did not compile the face, from compile.js and evaluate.js. */
async function load(dir: string): Promise<Build> {
  const root = path.resolve(dir);
  const face = path.join(root, 'src/engine/index.js');
  if (existsSync(face)) {
    const { compileSettings, evaluate, evaluateAll } = (await import(face)) as Build;
    return { compileSettings, evaluate, evaluateAll };
  }
  const { compileSettings } = (await import(path.join(root, 'src/engine/compile.js'))) as Pick<Build, 'compileSettings'>;
  const { evaluate, evaluateAll } = (await import(path.join(root, 'src/engine/evaluate.js'))) as Pick<Build, 'evaluate' | 'evaluateAll'>;
  return { compileSettings, evaluate, evaluateAll };
}

const BATCH = process.argv.includes('--batch');
const [oldDir, newDir, sizeArg, partArg, pairsArg] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (!oldDir || !newDir) throw new Error('usage: engine-ab.js OLD_DIR NEW_DIR [settings] [all|nothing|something] [pairs] [--batch]');
const size = Number(sizeArg ?? 100_000);
const part = partArg ?? 'all';
if (!['all', 'nothing', 'something'].includes(part)) throw new Error('the part must be all, nothing or something');
const pairs = Number(pairsArg ?? 40);
const BODIES_PER_TURN = 150;
const WARM_UP_PAIRS = 3;

const [older, newer] = [await load(oldDir), await load(newDir)];
const universe = buildSettings(size, 0);
const compiledOld = older.compileSettings(universe.settings);
const compiledNew = newer.compileSettings(universe.settings);
let bodies = buildRequestBodies(universe, 200_000, 'zipf');
if (part !== 'all') {
  const kept: Message[] = [];
  for (const body of bodies) {
    for (const message of (JSON.parse(body) as { messages: Message[] }).messages) {
      if (matchesNothing(older.evaluate(compiledOld, message)) === (part === 'nothing')) kept.push(message);
    }
  }
  bodies = requestBodies(kept);
}
const sample = (JSON.parse(bodies[0]) as { messages: Message[] }).messages;
for (const message of sample) {
  if (JSON.stringify(older.evaluate(compiledOld, message)) !== JSON.stringify(newer.evaluate(compiledNew, message))) {
    throw new Error(`the builds disagree on message ${message.id}`);
  }
}
if (BATCH && JSON.stringify(older.evaluateAll(compiledOld, sample)) !== JSON.stringify(newer.evaluateAll(compiledNew, sample))) {
  throw new Error('the builds disagree on a batch (evaluateAll)');
}

const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e3;
};
let sink = 0;
/** ns per message of one build's turn on `BODIES_PER_TURN` bodies from `start`. */
function turn(build: Build, compiled: CompiledSettings, start: number): number {
  let elapsed = 0;
  let count = 0;
  for (let b = 0; b < BODIES_PER_TURN; b++) {
    const { messages } = JSON.parse(bodies[(start + b) % bodies.length]) as { messages: Message[] };
    const began = cpu();
    if (BATCH) {
      const verdicts = build.evaluateAll(compiled, messages);
      for (let i = 0; i < verdicts.length; i++) sink += verdicts[i].matches.length;
    } else {
      for (let i = 0; i < messages.length; i++) sink += build.evaluate(compiled, messages[i]).matches.length;
    }
    elapsed += cpu() - began;
    count += messages.length;
  }
  return (elapsed / count) * 1e6;
}

const oldNs: number[] = [];
const newNs: number[] = [];
const ratios: number[] = [];
for (let pair = 0; pair < pairs + WARM_UP_PAIRS; pair++) {
  const start = pair * BODIES_PER_TURN;
  let a: number;
  let b: number;
  if (pair % 2 === 0) {
    a = turn(older, compiledOld, start);
    b = turn(newer, compiledNew, start);
  } else {
    b = turn(newer, compiledNew, start);
    a = turn(older, compiledOld, start);
  }
  if (pair < WARM_UP_PAIRS) continue;
  oldNs.push(a);
  newNs.push(b);
  ratios.push(a / b);
}
const quantile = (values: number[], q: number) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) * q)];
console.log(
  `${size.toLocaleString('en-US')} settings, ${part}${BATCH ? ' (evaluateAll per body)' : ''}, ${pairs} pairs of ${BODIES_PER_TURN} bodies: old ${quantile(oldNs, 0.5).toFixed(0)} ns, ` +
    `new ${quantile(newNs, 0.5).toFixed(0)} ns a message; old / new ${quantile(ratios, 0.5).toFixed(3)} ` +
    `(quartiles ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}; checksum ${sink % 1000})`,
);
