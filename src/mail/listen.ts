/**
 * Listening for the mail interfaces (milter and policy service) on a ListenAddress, and closing
 * with every open connection.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, type Server, type Socket } from 'node:net';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import type { MailLogger } from './mail-logger.js';

export interface ListeningServer {
  /** `host:port` (the port actually bound) or the Unix socket path. */
  address: string;
  /** Open connections now. */
  sessions(): number;
  /** Stops listening, ends every connection, removes the Unix socket file. */
  close(): Promise<void>;
}

export async function listenOn(
  server: Server,
  listen: ListenAddress,
  sockets: Set<Socket>,
  log: MailLogger,
  what: string,
): Promise<ListeningServer> {
  if (listen.kind === 'unix') await removeStaleSocket(listen.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (listen.kind === 'unix') server.listen(listen.path, resolve);
    else server.listen(listen.port, listen.host, resolve);
  });
  server.on('error', (error) => log.error({ err: error }, `${what} server error`));
  let address: string;
  if (listen.kind === 'unix') {
    // Postfix connects as its own user; access is governed by the directory holding the socket.
    await chmod(listen.path, 0o666);
    address = listen.path;
  } else {
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : listen.port;
    address = formatListenAddress({ ...listen, port });
  }
  log.info({ address }, `${what} listening`);
  let closing: Promise<void> | undefined;
  return {
    address,
    sessions: () => sockets.size,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

/** A socket file nobody listens on is removed; a live one, or a file of another kind, is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => (probe.destroy(), resolve(true)));
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`${path} is in use by another process`);
  await unlink(path);
}
