/**
 * The milter server: listens on TCP or a Unix socket and runs one MilterSession per connection.
 * Postfix opens one milter connection per SMTP connection and keeps it for every message on it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { MailFilter } from '../mail-filter.js';
import type { MailLogger } from '../mail-logger.js';
import type { ListenAddress } from '../listen-address.js';
import { MilterSession, type MilterLimits } from './milter-session.js';
import { listenOn, type ListeningServer } from '../listen.js';

export type { MilterLimits } from './milter-session.js';

const MiB = 1024 * 1024;
/** No packet is ever accepted above this, whatever the options say. */
const ABSOLUTE_MAX_PACKET = 64 * MiB;

export const DEFAULT_MILTER_LIMITS: MilterLimits & { maxSessions: number } = {
  maxPacketBytes: MiB,
  maxCommandBytes: 64 * 1024,
  maxHeaderBytes: MiB,
  maxRecipients: 10_000,
  maxBodyBytes: 25 * MiB,
  idleTimeoutMs: 10 * 60_000,
  filterTimeoutMs: 60_000,
  maxSessions: 2_000,
};

export interface MilterServerOptions extends Partial<MilterLimits> {
  listen: ListenAddress;
  filter: MailFilter;
  log: MailLogger;
  /** Connections beyond this many at once are closed on arrival. */
  maxSessions?: number;
}

/**
 * Starts listening; resolves once the socket accepts connections. A Unix socket path left over by
 * a dead process is removed first, and the new socket is made mode 0666 so that Postfix (another
 * user) can connect: restrict access with the permissions of the directory that holds it.
 */
export async function startMilterServer(options: MilterServerOptions): Promise<ListeningServer> {
  const { listen, filter, log, maxSessions = DEFAULT_MILTER_LIMITS.maxSessions, ...given } = options;
  const limits: MilterLimits = { ...DEFAULT_MILTER_LIMITS, ...definedOnly(given) };
  limits.maxPacketBytes = Math.min(limits.maxPacketBytes, ABSOLUTE_MAX_PACKET);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (sockets.size >= maxSessions) {
      log.warn({ sessions: sockets.size }, 'milter: too many sessions, connection refused');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new MilterSession(socket, filter, log, limits);
  });
  return listenOn(server, listen, sockets, log, 'milter');
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
