/**
 * Import and export at 100,000 records, on SQLite and PostgreSQL, over HTTP against `dist/server.js`.
 * Run by hand (not part of `npm test`):
 *
 *   npm run bench:transfer                                  # both stores, 100k records
 *   npm run bench:transfer -- --backends sqlite --records 20000
 *   npm run bench:transfer -- --body-limit 536870912         # commits before MAILWARDEN_IMPORT_BODY_LIMIT
 *
 * The servers run with the default configuration (the import route's own 256 MiB body limit takes the
 * 20 MiB document); `--body-limit BYTES` sets MAILWARDEN_BODY_LIMIT, which commits without the import
 * route's own limit need for a 100k-row import.
 *
 * For each store, each phase runs in a fresh server process, so its peak resident memory (VmHWM from
 * /proc) is that phase's own:
 *   1. import 100k allow policies as JSON (POST .../import, one request) into an empty account;
 *   2. import the same 100k as dashboard CSV (`?resource=allow_policies`) into another empty account;
 *   3. export the first account (GET .../export, JSON, streamed) and, to see whether memory grows with
 *      size, export an account holding a tenth of the records; then the first again with V8's old
 *      space capped at 64 MiB (peak RSS alone reflects when V8 chooses to collect, not what it must keep).
 * Prints a Markdown table: seconds and peak RSS per phase. PostgreSQL runs in a scratch database.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  AUTH_HEADERS,
  createScratchDatabase,
  postgresAdminUrl,
  postgresReachable,
  startMailwarden,
  type MailwardenServer,
} from './lib/harness.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const RECORDS = Number(option('records', '100000'));
const BACKENDS = option('backends', 'sqlite,postgres').split(',');
const ACCOUNTS = { json: 'a'.repeat(32), csv: 'b'.repeat(32), small: 'c'.repeat(32) };
const BODY_LIMIT = option('body-limit', '');
const ENV: Record<string, string> = BODY_LIMIT ? { MAILWARDEN_BODY_LIMIT: BODY_LIMIT } : {};

function policies(count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => ({
    pattern: `${prefix}${i}@sender${i % 997}.example`,
    pattern_type: 'EMAIL',
    is_regex: false,
    verify_sender: i % 2 === 0,
    is_trusted_sender: i % 3 === 0,
    is_exempt_recipient: i % 5 === 0,
    is_acceptable_sender: i % 7 === 0,
    comments: i % 4 === 0 ? `imported, row ${i}` : null,
  }));
}

function csvOf(rows: ReturnType<typeof policies>): string {
  const lines = ['Pattern,Pattern Type,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender,Notes'];
  for (const p of rows) {
    lines.push(
      [
        p.pattern,
        p.pattern_type,
        p.verify_sender,
        p.is_trusted_sender,
        p.is_exempt_recipient,
        p.is_acceptable_sender,
        p.comments ? `"${p.comments}"` : '',
      ].join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Peak resident set of a process so far, in MiB. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

async function phase(
  databaseUrl: string,
  work: (server: MailwardenServer) => Promise<string>,
  nodeArgs: string[] = [],
): Promise<{ seconds: number; rss: number; note: string }> {
  const server = await startMailwarden(databaseUrl, { env: ENV, nodeArgs });
  try {
    const started = performance.now();
    const note = await work(server);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rss: peakRss(server.process.child.pid!), note };
  } finally {
    await server.stop();
  }
}

async function post(server: MailwardenServer, account: string, query: string, body: string, contentType: string): Promise<string> {
  const response = await fetch(`${server.base}/client/v4/accounts/${account}/email-security/import${query}`, {
    method: 'POST',
    headers: { ...AUTH_HEADERS, 'content-type': contentType },
    body,
  });
  const answer = (await response.json()) as { success: boolean; result?: { counts: { create: number } }; errors?: unknown };
  if (!answer.success) throw new Error(`import failed: ${response.status} ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return `${answer.result!.counts.create} created`;
}

async function exportBytes(server: MailwardenServer, account: string): Promise<string> {
  const response = await fetch(`${server.base}/client/v4/accounts/${account}/email-security/export`, { headers: AUTH_HEADERS });
  let bytes = 0;
  for await (const chunk of response.body!) bytes += (chunk as Uint8Array).length;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function runBackend(backend: string, databaseUrl: string): Promise<string[]> {
  const rows = policies(RECORDS, 'json');
  const json = JSON.stringify({ allow_policies: rows });
  const csv = csvOf(policies(RECORDS, 'csv'));
  const small = JSON.stringify({ allow_policies: policies(RECORDS / 10, 'small') });
  const results: [string, Awaited<ReturnType<typeof phase>>][] = [];
  results.push([
    `import ${RECORDS} JSON (${(json.length / 1024 / 1024).toFixed(1)} MiB)`,
    await phase(databaseUrl, (s) => post(s, ACCOUNTS.json, '', json, 'application/json')),
  ]);
  results.push([
    `import ${RECORDS} CSV (${(csv.length / 1024 / 1024).toFixed(1)} MiB)`,
    await phase(databaseUrl, (s) => post(s, ACCOUNTS.csv, '?resource=allow_policies', csv, 'text/csv')),
  ]);
  await phase(databaseUrl, (s) => post(s, ACCOUNTS.small, '', small, 'application/json'));
  results.push([`export ${RECORDS / 10} JSON`, await phase(databaseUrl, (s) => exportBytes(s, ACCOUNTS.small))]);
  results.push([`export ${RECORDS} JSON`, await phase(databaseUrl, (s) => exportBytes(s, ACCOUNTS.json))]);
  // Streamed, the export needs no more heap than a chunk: it completes with the heap capped far below its size.
  results.push([
    `export ${RECORDS} JSON, heap capped at 64 MiB`,
    await phase(databaseUrl, (s) => exportBytes(s, ACCOUNTS.json), ['--max-old-space-size=64']),
  ]);
  return results.map(([name, r]) => `| ${backend} | ${name} | ${r.seconds.toFixed(2)} | ${r.rss.toFixed(0)} | ${r.note} |`);
}

async function main() {
  const lines = ['| store | phase | seconds | peak RSS (MiB) | result |', '|---|---|---|---|---|'];
  for (const backend of BACKENDS) {
    if (backend === 'sqlite') {
      const directory = mkdtempSync(join(os.tmpdir(), 'mailwarden-transfer-'));
      try {
        lines.push(...(await runBackend('sqlite', `sqlite:${join(directory, 'bench.db')}`)));
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    } else {
      const admin = postgresAdminUrl();
      if (!(await postgresReachable(admin))) {
        console.error(`PostgreSQL not reachable at ${admin}; skipped`);
        continue;
      }
      const scratch = await createScratchDatabase(admin, 'transfer');
      try {
        lines.push(...(await runBackend('postgres', scratch.url)));
      } finally {
        await scratch.drop();
      }
    }
  }
  console.log(`${lines.join('\n')}\n`);
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(BODY_LIMIT ? `MAILWARDEN_BODY_LIMIT=${BODY_LIMIT}` : 'default configuration');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
