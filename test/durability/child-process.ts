/**
 * Runs the built server (`dist/server.js`) to completion, for runs that must end on their own
 * (configuration errors), where `spawnServer` waits for it to listen.
 */
import { spawn } from 'node:child_process';
import { SERVER_ENTRY, serverEnvironment, type ChildServer } from '../helpers/server.js';

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** True when the process was still listening and had to be killed at the time limit. */
  timedOut: boolean;
}

/** Runs the server until it exits by itself (or `timeoutMs` passes: then it is killed) and returns what it printed. */
export function runToExit(env: Record<string, string>, options: { cwd?: string; timeoutMs?: number } = {}): Promise<ExitResult> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: serverEnvironment(env),
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

/** SIGKILL: no shutdown hook runs, nothing is flushed by the process. Resolves once it is gone. */
export async function killHard(server: ChildServer): Promise<void> {
  await server.stop('SIGKILL');
  if (server.process.signalCode !== 'SIGKILL' && server.process.exitCode === null) {
    throw new Error('process did not die from SIGKILL');
  }
}
