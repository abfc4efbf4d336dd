/**
 * What keeps one client from holding the service: deadlines for the headers and for the whole request
 * (a header sent a byte a second, a body that never ends: 408), a size cap on the request line and
 * headers (a very long URL or header line: 431), an idle timeout for kept-alive connections, and caps
 * on open connections, in all and per client address. Node's own answers to such clients (408, 431,
 * 400 for unparseable HTTP) are rendered as the API's error envelope.
 */
import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../config.js';
import { failure } from './envelope.js';
import { ErrorCode } from './errors.js';
import { isDiscardingBody } from './unread-body.js';

interface ServerLimitOptions {
  http: ServerOptions;
  requestTimeout: number;
  keepAliveTimeout: number;
  clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => void;
}

/** Fastify's server options for `limits`. */
export function connectionServerOptions(limits: Readonly<ConnectionLimits>): ServerLimitOptions {
  const http: ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // Node checks the two deadlines on this interval (30 s by default): check often enough for them to hold.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  return {
    http,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    clientErrorHandler: answerClientError,
  };
}

function clientErrorAnswer(error: NodeJS.ErrnoException): { status: number; code: number; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: ErrorCode.requestTimeout, message: 'The request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: ErrorCode.headersTooLarge, message: 'The request line and headers are larger than the server accepts' };
    default:
      return { status: 400, code: ErrorCode.validation, message: 'Malformed HTTP request' };
  }
}

/** Answers a request Node could not parse or that ran out of time, then closes its connection. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A request already answered (its response under way or sent, its body being discarded) gets no second answer.
  const answered = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent || isDiscardingBody(socket);
  if (socket.writable && !answered) {
    const { status, code, message } = clientErrorAnswer(error);
    const body = JSON.stringify(failure([{ code, message }]));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Applies the connection caps to the listening server. */
export function applyConnectionCaps(server: Server, limits: Readonly<ConnectionLimits>, { trustProxy }: { trustProxy: boolean }): void {
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  // Behind a trusted proxy every connection comes from the proxy: a per-address cap would cap the proxy.
  if (limits.maxConnectionsPerIp === 0 || trustProxy) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
