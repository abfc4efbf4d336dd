/** Entry point: configuration, database, app, listen, and a graceful stop on SIGINT/SIGTERM. */
import { buildApp } from './app.js';
import { ensureInitialToken } from './auth/initial-token.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { startMailInterfaces, type MailInterfaces } from './mail/mail-interfaces.js';

/** How long a graceful stop may take before the process gives up on stragglers. */
const SHUTDOWN_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    queryTimeoutMs: config.dbQueryTimeoutMs,
  });
  const app = await buildApp(config, { database });
  app.log.info({ store: database.location }, 'database ready');
  await ensureInitialToken(database, config, app.log);

  let stopping = false;
  /** The mail interfaces, once started after listen. */
  const mail: { interfaces?: MailInterfaces } = {};
  // While stopping, every answer closes its connection, so keep-alive clients cannot hold the
  // process open once their in-flight requests are done.
  // (A callback hook: it runs on every response, and an async one costs a promise each time.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      setTimeout(() => {
        app.log.error('shutdown deadline passed; exiting with requests still open');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      // The mail interfaces stop first; close() then stops accepting, lets in-flight requests finish,
      // and closes the database (onClose).
      Promise.resolve(mail.interfaces?.close())
        .then(() => app.close())
        .then(
          () => {
            clearInterval(sweep);
            process.exit(0);
          },
          (error) => {
            app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }

  await app.listen({ host: config.host, port: config.port });
  mail.interfaces = await startMailInterfaces(config, { database, cache: app.compiledSettings, log: app.log });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
