/**
 * CPU time of a process and its descendants (Linux /proc): what a filter spent during a timed run, so a
 * result can say whether the filter was CPU bound (CPU seconds per wall second near 1 for one process).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of `root` and every process under it, now. */
export function cpuSeconds(root: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    parents.set(pid, s.ppid);
    ticks.set(pid, s.ticks);
  }
  let total = 0;
  for (const [pid, value] of ticks) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) {
      if (at === root) {
        total += value;
        break;
      }
    }
  }
  return total / TICKS_PER_SECOND;
}
