import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};

describe('runtime', () => {
  it('runs on the Node.js LTS that package.json requires (the one the install brings on Linux x64)', () => {
    const minimum = /^>=(\d+)\.(\d+)/.exec(packageJson.engines.node);
    expect(minimum).not.toBeNull();
    const [major, minor] = process.versions.node.split('.').map(Number);
    const [wantMajor, wantMinor] = [Number(minimum![1]), Number(minimum![2])];
    expect(major > wantMajor || (major === wantMajor && minor >= wantMinor)).toBe(true);
    expect(major % 2).toBe(0); // even majors are the LTS lines
  });
});
