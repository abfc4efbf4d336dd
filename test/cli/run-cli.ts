/** Runs the built `mailwarden` command (`dist/cli.js`) as a user would, on a chosen DATABASE_URL. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_ENTRY = resolve(import.meta.dirname, '../../dist/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], databaseUrl: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolveRun, rejectRun) => {
    execFile(
      process.execPath,
      [CLI_ENTRY, ...args],
      { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          rejectRun(new Error(`mailwarden ${args.join(' ')} did not run`, { cause: error }));
          return;
        }
        resolveRun({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** `tokens create ...`; expects success and returns the secret (the last line of stdout). */
export async function cliCreateToken(databaseUrl: string, args: string[]): Promise<{ secret: string; result: CliResult }> {
  const result = await runCli(['tokens', 'create', ...args], databaseUrl);
  if (result.code !== 0) throw new Error(`tokens create failed (${result.code}): ${result.stderr}`);
  const lines = result.stdout.trimEnd().split('\n');
  return { secret: lines[lines.length - 1], result };
}

/** `tokens list --json`, parsed. */
export async function cliListTokens(databaseUrl: string): Promise<any[]> {
  const result = await runCli(['tokens', 'list', '--json'], databaseUrl);
  if (result.code !== 0) throw new Error(`tokens list failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}
