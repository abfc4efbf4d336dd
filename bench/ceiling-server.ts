/**
 * The ceiling of the API benchmark: a bare Fastify server whose one route answers a
 * constant JSON envelope the size of an allow-policy record envelope. No plugins, no hooks, no
 * validation, no database, no logging: what Fastify on this machine can do at most for a response
 * of that size, so mailwarden's figures can be given as a share of it.
 *
 *   HOST=127.0.0.1 PORT=8790 node dist/bench-api/bench/ceiling-server.js
 *
 * CEILING_BODY_FILE names a JSON file to serve instead of the built-in envelope; `npm run bench`
 * passes the exact envelope a running mailwarden returned for a record of the benchmark account.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/** An allow-policy record envelope as mailwarden emits it (GET by id), with a typical comment. */
export const SAMPLE_ENVELOPE = {
  success: true,
  errors: [],
  messages: [],
  result: {
    comments: 'Vendor silverline invoices',
    created_at: '2023-01-01T00:01:00.000Z',
    id: 2,
    is_acceptable_sender: false,
    is_exempt_recipient: false,
    is_recipient: false,
    is_regex: false,
    is_sender: true,
    is_spoof: false,
    is_trusted_sender: true,
    last_modified: '2023-01-01T00:01:00.000Z',
    pattern: 'niaj.miller1@thunderbay-payroll.net',
    pattern_type: 'EMAIL',
    verify_sender: false,
  },
};

const body: unknown = process.env.CEILING_BODY_FILE ? JSON.parse(readFileSync(process.env.CEILING_BODY_FILE, 'utf8')) : SAMPLE_ENVELOPE;

const app = Fastify({ logger: false });
// The same path shape as mailwarden's get-by-id route, so the router does comparable work.
app.get('/client/v4/accounts/:account_id/email-security/settings/allow_policies/:policy_id', () => body);
app.get('/healthz', () => ({ status: 'ok' }));

const port = Number(process.env.PORT ?? 8790);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
