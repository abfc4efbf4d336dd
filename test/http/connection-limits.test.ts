/**
 * One client cannot hold the service: from real sockets against real servers configured with small
 * limits, slow headers and endless bodies are answered 408, over-long URLs and header lines 431 (in the
 * error envelope, then the connection is closed), idle kept-alive connections are closed, and open
 * connections are capped per client address and in all while others are still served.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, type ConnectionLimits } from '../../src/config.js';
import { ON_POSTGRES } from '../auth/support.js';
import { settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

function open(origin: string, localAddress = '127.0.0.1'): Promise<RawConnection> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolveClose) => socket.once('close', () => resolveClose()));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunk` one byte every `everyMs`, until the socket closes. */
function trickle(connection: RawConnection, chunk: string, everyMs = 100): void {
  let index = 0;
  const timer = setInterval(() => {
    if (connection.socket.destroyed) return clearInterval(timer);
    connection.socket.write(chunk[index % chunk.length]);
    index++;
  }, everyMs);
  void connection.closed.then(() => clearInterval(timer));
}

function parse(raw: string): { status: number; body: any } {
  const [head, body] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: body ? JSON.parse(body) : undefined };
}

function expectEnvelope(raw: string, status: number, code: number): void {
  const response = parse(raw);
  expect(response.status, raw).toBe(status);
  expect(response.body).toEqual({ success: false, errors: [{ code, message: expect.any(String) }], messages: [], result: null });
  expect(raw.toLowerCase()).toContain('connection: close');
}

const BASE: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 0,
  maxConnectionsPerIp: 0,
};

// Store-independent: both describe blocks run on the SQLite half of the suite.
describe.skipIf(ON_POSTGRES)('timeouts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      connections: { ...BASE, headersTimeoutMs: 600, requestTimeoutMs: 1500, keepAliveTimeoutMs: 500, maxHeaderBytes: 2048 },
    });
  });
  afterAll(() => server.close());

  it('a header sent a byte at a time is answered 408 and closed', async () => {
    const connection = await open(server.origin);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    trickle(connection, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    await connection.closed;
    expectEnvelope(connection.received(), 408, 1008);
  });

  it('a connection that sends nothing is closed', async () => {
    const connection = await open(server.origin);
    await connection.closed;
  });

  it('a body that never ends (declared length or chunked) is answered 408 and closed', async () => {
    for (const framing of ['Content-Length: 100000', 'Transfer-Encoding: chunked']) {
      const connection = await open(server.origin);
      const headers = `Host: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\n${framing}`;
      connection.socket.write(`POST ${settingsPath('block_senders')} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (framing.startsWith('Transfer')) connection.socket.write('1000\r\n');
      trickle(connection, '{');
      await connection.closed;
      expectEnvelope(connection.received(), 408, 1008);
    }
  });

  it('a request answered before its body (no credential) gets that one answer, then is closed when the body never ends', async () => {
    const connection = await open(server.origin);
    connection.socket.write(
      `POST ${settingsPath('block_senders')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
    );
    trickle(connection, '{');
    await connection.closed;
    const raw = connection.received();
    expect(parse(raw)).toMatchObject({ status: 400, body: { errors: [{ code: 9106 }] } });
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('an over-long URL or header line is answered 431 and closed; a normal request still works', async () => {
    for (const request of [
      `GET /healthz?q=${'a'.repeat(4096)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(4096)}\r\n\r\n`,
    ]) {
      const connection = await open(server.origin);
      connection.socket.write(request);
      await connection.closed;
      expectEnvelope(connection.received(), 431, 1009);
    }
    const ok = await fetch(`${server.origin}/healthz`);
    expect(ok.status).toBe(200);
  });

  it('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const connection = await open(server.origin);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await connection.closed;
    expect(parse(connection.received()).status).toBe(200);
  });

  it('malformed HTTP is a 400 in the envelope', async () => {
    const connection = await open(server.origin);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    await connection.closed;
    expectEnvelope(connection.received(), 400, 1001);
  });
});

describe.skipIf(ON_POSTGRES)('connection caps', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ connections: { ...BASE, maxConnections: 6, maxConnectionsPerIp: 3 } });
  });
  afterAll(() => server.close());

  /** True when the server closes a fresh connection from `address` without answering its request. */
  async function refused(address: string): Promise<boolean> {
    const connection = await open(server.origin, address);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await connection.closed;
    return connection.received() === '';
  }

  it('caps open connections per client address, and in all; other clients are still served', async () => {
    const hog = await Promise.all([1, 2, 3].map(() => open(server.origin, '127.0.0.2')));
    expect(await refused('127.0.0.2')).toBe(true);
    // Another address is served while the first holds its share.
    expect(await refused('127.0.0.1')).toBe(false);
    // A connection given back can be used again.
    hog[0].socket.destroy();
    await hog[0].closed;
    await sleep(200); // the server sees the close a moment after the client
    expect(await refused('127.0.0.2')).toBe(false);

    // In all: 2 + 3 held, a sixth may open, a seventh not.
    const more = await Promise.all([1, 2, 3].map(() => open(server.origin, '127.0.0.3')));
    const sixth = await open(server.origin, '127.0.0.4');
    expect(await refused('127.0.0.5')).toBe(true);
    for (const connection of [...hog, ...more, sixth]) connection.socket.destroy();
  });
});

describe.skipIf(ON_POSTGRES)('configuration', () => {
  it('reads the limits from their MAILWARDEN_ variables, with defaults', () => {
    expect(loadConfig({}).connections).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      maxHeaderBytes: 16_384,
      maxConnections: 1000,
      maxConnectionsPerIp: 100,
    });
    const config = loadConfig({
      MAILWARDEN_HEADERS_TIMEOUT_MS: '500',
      MAILWARDEN_REQUEST_TIMEOUT_MS: '900',
      MAILWARDEN_KEEP_ALIVE_TIMEOUT_MS: '300',
      MAILWARDEN_MAX_HEADER_BYTES: '4096',
      MAILWARDEN_MAX_CONNECTIONS: '0',
      MAILWARDEN_MAX_CONNECTIONS_PER_IP: '7',
    });
    expect(config.connections).toEqual({
      headersTimeoutMs: 500,
      requestTimeoutMs: 900,
      keepAliveTimeoutMs: 300,
      maxHeaderBytes: 4096,
      maxConnections: 0,
      maxConnectionsPerIp: 7,
    });
  });

  it('refuses a header deadline past the request deadline, and values that are not whole numbers', () => {
    expect(() => loadConfig({ MAILWARDEN_HEADERS_TIMEOUT_MS: '5000', MAILWARDEN_REQUEST_TIMEOUT_MS: '1000' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAILWARDEN_MAX_CONNECTIONS: '-1' })).toThrow(/MAILWARDEN_MAX_CONNECTIONS/);
    expect(() => loadConfig({ MAILWARDEN_MAX_HEADER_BYTES: '100' })).toThrow(ConfigError);
  });
});
