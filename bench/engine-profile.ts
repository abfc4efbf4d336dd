/**
 * Profiling aid: compiles one size of the benchmark's settings and evaluates the message pool for a
 * while, so `node --cpu-prof dist/bench/bench/engine-profile.js 100000` shows where evaluation time goes.
 */
import { compileSettings } from '../src/engine/compile.js';
import { evaluate } from '../src/engine/evaluate.js';
import { buildMessages, buildSettings } from './engine-fixtures.js';

const size = Number(process.argv[2] ?? 100_000);
const regexShare = Number(process.argv[3] ?? 0);
const seconds = Number(process.argv[4] ?? 3);
const universe = buildSettings(size, regexShare);
const messages = buildMessages(universe, Number(process.argv[5] ?? 2000));
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
