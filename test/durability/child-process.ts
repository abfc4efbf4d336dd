/**
 * Helpers for running the built server (`dist/server.js`) as a child process where `spawnServer` does
 * not fit: runs that must end on their own (configuration errors), and starts in a chosen working
 * directory (the default `DATABASE_URL` is relative to it).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_TOKEN, type ChildServer } from '../helpers/server.js';

const SERVER_ENTRY = resolve(import.meta.dirname, '../../dist/server.js');

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** True when the process was still listening and had to be killed at the time limit. */
  timedOut: boolean;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', MAILWARDEN_BOOTSTRAP_TOKEN: TEST_TOKEN, ...env };
}

/** Runs the server until it exits by itself (or `timeoutMs` passes: then it is killed) and returns what it printed. */
export function runToExit(env: Record<string, string>, options: { cwd?: string; timeoutMs?: number } = {}): Promise<ExitResult> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: childEnv(env),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveExit) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, output, timedOut });
    });
  });
}

/** Like `spawnServer`, but in working directory `cwd` and with exactly `env` (plus PATH/HOST/PORT). */
export function startIn(cwd: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: childEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => rejectStart(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({
          origin: match[1],
          process: child,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStart(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

/** SIGKILL: no shutdown hook runs, nothing is flushed by the process. Resolves once it is gone. */
export async function killHard(server: ChildServer): Promise<void> {
  await server.stop('SIGKILL');
  expectKilled(server);
}

function expectKilled(server: ChildServer): void {
  if (server.process.signalCode !== 'SIGKILL' && server.process.exitCode === null) {
    throw new Error('process did not die from SIGKILL');
  }
}
