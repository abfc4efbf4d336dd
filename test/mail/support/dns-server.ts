/**
 * A local DNS server for mail tests and benches: answers TXT, A, AAAA, MX and PTR from a zone the test
 * sets at runtime, over UDP and TCP on the same loopback port (node's resolver retries truncated UDP
 * answers over TCP). Names not in the zone answer NXDOMAIN, so SPF/DKIM/DMARC lookups never leave the
 * machine. `address` is what MAILWARDEN_DNS_SERVER takes.
 */
import dns2 from 'dns2';

export type RecordType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'PTR';

/** Record values by type: TXT a string (split into 255-byte strings), MX `PRIORITY HOST` or a host, others the text. */
export type Zone = Record<string, Partial<Record<RecordType, string[]>>>;

export interface DnsServer {
  /** `127.0.0.1:PORT`. */
  address: string;
  port: number;
  /** Replaces the values of one name and type (an empty list removes them). */
  set(name: string, type: RecordType, values: string[]): void;
  /** How many questions were answered, for tests that check a lookup happened or not. */
  queries(): number;
  close(): Promise<void>;
}

const { Packet } = dns2;
/** RFC 1035 response code for a name that does not exist. */
const NXDOMAIN = 3;
const TYPE_NAMES = new Map<number, RecordType>([
  [Packet.TYPE.TXT, 'TXT'],
  [Packet.TYPE.A, 'A'],
  [Packet.TYPE.AAAA, 'AAAA'],
  [Packet.TYPE.MX, 'MX'],
  [Packet.TYPE.PTR, 'PTR'],
]);

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function txtStrings(value: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < value.length; start += 255) parts.push(value.slice(start, start + 255));
  return parts.length > 0 ? parts : [''];
}

function answer(name: string, type: RecordType, value: string): Record<string, unknown> {
  const base = { name, type: Packet.TYPE[type], class: Packet.CLASS.IN, ttl: 60 };
  switch (type) {
    case 'TXT':
      return { ...base, data: txtStrings(value) };
    case 'MX': {
      const [priority, exchange] = value.includes(' ') ? value.split(/\s+/, 2) : ['10', value];
      return { ...base, priority: Number(priority), exchange };
    }
    case 'PTR':
      return { ...base, domain: value };
    default:
      return { ...base, address: value };
  }
}

export async function startDnsServer(zone: Zone = {}): Promise<DnsServer> {
  const records = new Map<string, Partial<Record<RecordType, string[]>>>();
  for (const [name, types] of Object.entries(zone)) records.set(normalName(name), { ...types });
  let answered = 0;

  const handle: dns2.DnsHandler = (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    answered += 1;
    const type = question ? TYPE_NAMES.get(question.type) : undefined;
    const entry = question ? records.get(normalName(question.name)) : undefined;
    if (!question || !entry) {
      response.header.rcode = NXDOMAIN;
    } else if (type) {
      for (const value of entry[type] ?? []) response.answers.push(answer(question.name, type, value) as never);
    }
    void send(response).catch(() => undefined);
  };

  // UDP first on a free port, then TCP on the same one; another process may hold that TCP port, so retry.
  for (let attempt = 0; ; attempt += 1) {
    const server = dns2.createServer({ udp: true, tcp: true, handle });
    server.on('requestError', () => undefined);
    // dns2 re-emits each socket's errors on the server; unheard, that throws, and a port taken on the TCP
    // side (EADDRINUSE) would escape listenBoth's own listener and leave the start hanging.
    server.on('error', () => undefined);
    try {
      const addresses = await listenBoth(server);
      return {
        address: `127.0.0.1:${addresses}`,
        port: addresses,
        set(name, type, values) {
          const key = normalName(name);
          const entry = records.get(key) ?? {};
          if (values.length === 0) delete entry[type];
          else entry[type] = [...values];
          if (Object.keys(entry).length === 0) records.delete(key);
          else records.set(key, entry);
        },
        queries: () => answered,
        close: async () => {
          await server.close();
        },
      };
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** Binds UDP on an ephemeral loopback port and TCP on the same port; resolves to the port. */
async function listenBoth(server: ReturnType<typeof dns2.createServer>): Promise<number> {
  const servers = (server as unknown as { servers: { udp: import('node:dgram').Socket; tcp: import('node:net').Server } }).servers;
  await new Promise<void>((resolve, reject) => {
    servers.udp.once('error', reject);
    servers.udp.bind(0, '127.0.0.1', () => {
      servers.udp.off('error', reject);
      resolve();
    });
  });
  const port = servers.udp.address().port;
  try {
    await new Promise<void>((resolve, reject) => {
      servers.tcp.once('error', reject);
      servers.tcp.listen(port, '127.0.0.1', () => {
        servers.tcp.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    servers.udp.close();
    throw error;
  }
  return port;
}
