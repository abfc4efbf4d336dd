/** A command's output: results on stdout, informational lines on stderr, so `| tail -1` gets the result. */
export interface Output {
  result(text: string): void;
  info(text: string): void;
}

export class UsageError extends Error {}

export const consoleOutput: Output = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};
