/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and says where the time went: self time by
 * function and by package/file, and inclusive time of the service's own functions (dist/), as shares
 * of the busy (non-idle) time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  selfByFunction: { key: string; ms: number; share: number }[];
  selfByGroup: { key: string; ms: number; share: number }[];
  inclusiveOwn: { key: string; ms: number; share: number }[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path;
}

/** Which package or area a frame belongs to. */
function groupOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[url.startsWith('node:internal') ? 1 : 0]}`;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return shortUrl(url);
}

function keyOf(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url ? `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + delta);
  }
  let idleMs = 0;
  let busyMs = 0;
  const selfByFunction = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    selfByFunction.set(keyOf(frame), (selfByFunction.get(keyOf(frame)) ?? 0) + ms);
    selfByGroup.set(groupOf(frame), (selfByGroup.get(groupOf(frame)) ?? 0) + ms);
  }

  // Inclusive time of the service's own functions: each sample counts once per distinct function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      if (!frame.url.includes('/dist/') || frame.url.includes('/node_modules/')) continue;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }

  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => ({ key, ms, share: busyMs > 0 ? ms / busyMs : 0 }));
  return { busyMs, idleMs, selfByFunction: ranked(selfByFunction), selfByGroup: ranked(selfByGroup), inclusiveOwn: ranked(inclusive) };
}

export function formatSummary(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`.padStart(6);
  const lines = [
    `busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s (shares below are of busy time)`,
    '',
    'self time by package / file:',
    ...summary.selfByGroup.map((row) => `  ${pct(row.share)}  ${row.key}`),
    '',
    'self time by function:',
    ...summary.selfByFunction.map((row) => `  ${pct(row.share)}  ${row.key}`),
    '',
    "inclusive time of mailwarden's own functions (dist/):",
    ...summary.inclusiveOwn.map((row) => `  ${pct(row.share)}  ${row.key}`),
  ];
  return lines.join('\n');
}
