/**
 * Profiling aid: compiles one size of the benchmark's settings and evaluates the message pool for a
 * while, so `node --cpu-prof dist/bench/bench/engine-profile.js 100000` shows where evaluation time goes.
 * Arguments: size, regex share, seconds, pool size; `--json-messages` round-trips the messages through
 * JSON first, as the evaluate endpoint receives them (see engine-bench.ts).
 */
import { compileSettings } from '../src/engine/compile.js';
import { evaluate } from '../src/engine/evaluate.js';
import { buildMessages, buildSettings } from './engine-fixtures.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const size = Number(args[0] ?? 100_000);
const regexShare = Number(args[1] ?? 0);
const seconds = Number(args[2] ?? 3);
const universe = buildSettings(size, regexShare);
const built = buildMessages(universe, Number(args[3] ?? 2000));
const messages: typeof built = process.argv.includes('--json-messages') ? JSON.parse(JSON.stringify(built)) : built;
const compiled = compileSettings(universe.settings);
const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const start = cpu();
let count = 0;
let matched = 0;
while (cpu() - start < seconds) {
  for (let i = 0; i < 1000; i++) matched += evaluate(compiled, messages[count++ % messages.length]).matches.length;
}
const elapsed = cpu() - start;
console.log(`${size} settings: ${Math.round(count / elapsed).toLocaleString('en-US')} evals per CPU second (${matched} matches)`);
