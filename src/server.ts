/** Entry point: configuration, database, app, listen, and a graceful stop on SIGINT/SIGTERM. */
import { buildApp } from './app.js';
import { ensureInitialToken } from './auth/initial-token.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl, { poolSize: config.dbPoolSize });
  const app = await buildApp(config, { database });
  app.log.info({ store: database.location }, 'database ready');
  await ensureInitialToken(database, config, app.log);

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      // close() stops accepting, lets in-flight requests finish, then closes the database (onClose).
      app.close().then(
        () => process.exit(0),
        (error) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
