/**
 * Profiling aid: compiles one size of the benchmark's settings and evaluates the message pool for a
 * while, so `node --cpu-prof dist/bench/bench/engine-profile.js 100000` shows where evaluation time goes.
 * Arguments: size, regex share, seconds, pool size; `--json-messages` round-trips the messages through
 * JSON first, as the evaluate endpoint receives them (see engine-bench.ts).
 *
 * `--traffic zipf|unique` profiles the stream instead of the pool (see engine-bench.ts):
 * `--stream-messages` distinct messages (default 200,000) as JSON bodies of 100, each parsed and then
 * evaluated; the figure printed counts the CPU time of the evaluations only (a profile shows the
 * parsing too, under `JSON.parse`).
 */
import { compileSettings, evaluate, type Message } from '../src/engine/index.js';
import { buildMessages, buildRequestBodies, buildSettings, type Traffic } from './engine-fixtures.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// Positional arguments: neither an option nor an option's value.
const OPTIONS_WITH_VALUES = ['--traffic', '--stream-messages'];
const args = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !OPTIONS_WITH_VALUES.includes(all[i - 1]));
const size = Number(args[0] ?? 100_000);
const regexShare = Number(args[1] ?? 0);
const seconds = Number(args[2] ?? 3);
const traffic = option('traffic') as Traffic | undefined;
if (traffic !== undefined && traffic !== 'zipf' && traffic !== 'unique') throw new Error('--traffic must be zipf or unique');
const universe = buildSettings(size, regexShare);
const compiled = compileSettings(universe.settings);
const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

if (traffic === undefined) {
  const built = buildMessages(universe, Number(args[3] ?? 2000));
  const messages = process.argv.includes('--json-messages') ? (JSON.parse(JSON.stringify(built)) as typeof built) : built;
  const start = cpu();
  let count = 0;
  let matched = 0;
  while (cpu() - start < seconds) {
    for (let i = 0; i < 1000; i++) matched += evaluate(compiled, messages[count++ % messages.length]).matches.length;
  }
  const elapsed = cpu() - start;
  console.log(`${size} settings: ${Math.round(count / elapsed).toLocaleString('en-US')} evals per CPU second (${matched} matches)`);
} else {
  const streamMessages = Number(option('stream-messages') ?? 200_000);
  const bodies = buildRequestBodies(universe, streamMessages, traffic);
  let count = 0;
  let matched = 0;
  let elapsed = 0;
  for (let next = 0; elapsed < seconds; next = (next + 1) % bodies.length) {
    // Parsing is not the engine's cost: only the evaluations are timed.
    const { messages } = JSON.parse(bodies[next]) as { messages: Message[] };
    const start = cpu();
    for (let i = 0; i < messages.length; i++) matched += evaluate(compiled, messages[i]).matches.length;
    elapsed += cpu() - start;
    count += messages.length;
  }
  console.log(
    `${size} settings, ${traffic} stream of ${streamMessages.toLocaleString('en-US')} messages: ` +
      `${Math.round(count / elapsed).toLocaleString('en-US')} evals per CPU second of evaluation (${matched} matches)`,
  );
}
