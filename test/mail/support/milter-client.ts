/**
 * A small milter client: the MTA side of the milter protocol, as Postfix speaks it. Tests and the
 * mail benchmark drive a milter with it over TCP or a Unix socket.
 *
 * It honours what the milter negotiated: steps the milter asked not to receive are not sent (their
 * macros still are, as Postfix does), and steps the milter does not answer are not waited for, so
 * a whole message goes out in as few writes as the protocol allows.
 */
import { connect as netConnect, type Socket } from 'node:net';
import {
  Action,
  Command,
  encodeConnect,
  encodeMacros,
  encodeOptneg,
  encodePacket,
  encodeStrings,
  MILTER_VERSION,
  NO_REPLY_FLAG,
  NOT_SENT_FLAG,
  PacketDecoder,
  parseOptneg,
  parseStrings,
  ProtocolFlag,
  Reply,
  type Negotiation,
  type Packet,
} from '../../../src/mail/milter/protocol.js';

/** What Postfix offers: every action, every step and no-reply flag of protocol version 6. */
export const POSTFIX_ACTIONS = 0x1ff;
export const POSTFIX_PROTOCOL = 0x1fffff & ~ProtocolFlag.HDR_LEADSPC & ~ProtocolFlag.RCPT_REJ;

export type Modification =
  | { type: 'addHeader'; name: string; value: string }
  | { type: 'insertHeader'; index: number; name: string; value: string }
  | { type: 'changeHeader'; index: number; name: string; value: string }
  | { type: 'deleteRecipient'; recipient: string }
  | { type: 'addRecipient'; recipient: string }
  | { type: 'quarantine'; reason: string }
  | { type: 'other'; code: string; data: Buffer };

/** A reply that ends a step: `replycode` carries the SMTP reply text (`550 5.7.1 ...`). */
export type StepReply =
  { type: 'continue' | 'accept' | 'discard' | 'reject' | 'tempfail' | 'skip' | 'shutdown' } | { type: 'replycode'; text: string };

export interface EndOfMessageResult {
  modifications: Modification[];
  reply: StepReply;
}

export interface ClientOptions {
  /** What the client offers in negotiation (defaults: what Postfix offers). */
  version?: number;
  actions?: number;
  protocol?: number;
  /** How long to wait for any one reply before failing. */
  replyTimeoutMs?: number;
}

export interface TestMessage {
  connect?: { hostname: string; address: string; port?: number; family?: '4' | '6' };
  helo?: string;
  mailFrom: string;
  recipients: string[];
  headers: Array<[string, string]>;
  body: string | Buffer;
  /** Macros sent before each step, keyed by the step's command code (e.g. `Command.MAIL`). */
  macros?: Partial<Record<string, Record<string, string>>>;
}

const BODY_CHUNK = 65535;

/** One client per milter connection; steps run one at a time (await each before the next). */
export class MilterClient {
  private readonly decoder = new PacketDecoder(64 * 1024 * 1024);
  private readonly received: Packet[] = [];
  private waiter: { resolve: (packet: Packet) => void; reject: (error: Error) => void } | undefined;
  private outgoing: Buffer[] = [];
  private ended: Error | undefined;
  /** What the milter answered in negotiation (set by `negotiate`). */
  negotiated: Negotiation | undefined;
  /** Resolves when the milter closes the connection (or the client does). */
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly options: ClientOptions,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const packet of this.decoder.push(chunk)) this.deliver(packet);
      } catch (error) {
        this.fail(error as Error);
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the milter closed the connection')));
  }

  /** Connects to `host:port`, `[v6]:port`, `/path` or `unix:/path`. */
  static connect(address: string, options: ClientOptions = {}): Promise<MilterClient> {
    const path = address.startsWith('unix:') ? address.slice(5) : address.startsWith('/') ? address : undefined;
    const match = /^\[?(.*?)\]?:(\d+)$/.exec(address);
    if (!path && !match) throw new Error(`not a milter address: ${address}`);
    const socket = path ? netConnect(path) : netConnect(Number(match![2]), match![1]);
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new MilterClient(socket, options)));
      socket.once('error', reject);
    });
  }

  /** Connects and negotiates in one go. */
  static async open(address: string, options: ClientOptions = {}): Promise<MilterClient> {
    const client = await MilterClient.connect(address, options);
    await client.negotiate();
    return client;
  }

  async negotiate(): Promise<Negotiation> {
    const offer = {
      version: this.options.version ?? MILTER_VERSION,
      actions: this.options.actions ?? POSTFIX_ACTIONS,
      protocol: this.options.protocol ?? POSTFIX_PROTOCOL,
    };
    this.queue(encodePacket(Command.OPTNEG, encodeOptneg(offer)));
    const packet = await this.next();
    if (packet.code !== Reply.OPTNEG) throw new Error(`negotiation answered with ${JSON.stringify(packet.code)}`);
    this.negotiated = parseOptneg(packet.data);
    return this.negotiated;
  }

  connectInfo(hostname: string, address: string, port = 25, macros?: Record<string, string>): Promise<StepReply | undefined> {
    const family = address.includes(':') ? '6' : '4';
    return this.step(Command.CONNECT, encodeConnect({ hostname, family, port, address }), macros);
  }

  helo(name: string, macros?: Record<string, string>): Promise<StepReply | undefined> {
    return this.step(Command.HELO, encodeStrings(name), macros);
  }

  mail(sender: string, args: string[] = [], macros?: Record<string, string>): Promise<StepReply | undefined> {
    return this.step(Command.MAIL, encodeStrings(`<${sender}>`, ...args), macros);
  }

  rcpt(recipient: string, macros?: Record<string, string>): Promise<StepReply | undefined> {
    return this.step(Command.RCPT, encodeStrings(`<${recipient}>`), macros);
  }

  header(name: string, value: string): Promise<StepReply | undefined> {
    return this.step(Command.HEADER, encodeStrings(name, value));
  }

  eoh(): Promise<StepReply | undefined> {
    return this.step(Command.EOH, Buffer.alloc(0));
  }

  /** Sends the body in chunks of at most 65535 bytes; stops early when the milter answers SKIP. */
  async body(body: string | Buffer): Promise<StepReply | undefined> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    let reply: StepReply | undefined;
    for (let offset = 0; offset < bytes.length; offset += BODY_CHUNK) {
      reply = await this.step(Command.BODY, bytes.subarray(offset, offset + BODY_CHUNK));
      if (reply && reply.type !== 'continue') return reply;
    }
    return reply;
  }

  /** SMFIC_BODYEOB: collects the modification requests up to the final reply. */
  async endOfMessage(macros?: Record<string, string>): Promise<EndOfMessageResult> {
    if (macros) this.queue(encodePacket(Command.MACRO, encodeMacros(Command.BODYEOB, macros)));
    this.queue(encodePacket(Command.BODYEOB));
    const modifications: Modification[] = [];
    for (;;) {
      const packet = await this.next();
      const modification = modificationOf(packet);
      if (modification) modifications.push(modification);
      else if (packet.code !== Reply.PROGRESS) return { modifications, reply: stepReplyOf(packet) };
    }
  }

  /** One whole message, MAIL to end of body, on a negotiated connection (CONNECT/HELO too when given). */
  async sendMessage(message: TestMessage): Promise<EndOfMessageResult> {
    const macros = message.macros ?? {};
    const early = (reply: StepReply | undefined): EndOfMessageResult | undefined =>
      reply && reply.type !== 'continue' ? { modifications: [], reply } : undefined;
    if (message.connect) {
      const { hostname, address, port } = message.connect;
      const done = early(await this.connectInfo(hostname, address, port, macros[Command.CONNECT]));
      if (done) return done;
    }
    if (message.helo !== undefined) {
      const done = early(await this.helo(message.helo, macros[Command.HELO]));
      if (done) return done;
    }
    const steps: Array<() => Promise<StepReply | undefined>> = [
      () => this.mail(message.mailFrom, [], macros[Command.MAIL]),
      ...message.recipients.map((recipient) => () => this.rcpt(recipient, macros[Command.RCPT])),
      ...message.headers.map(
        ([name, value]) =>
          () =>
            this.header(name, value),
      ),
      () => this.eoh(),
      () => this.body(message.body),
    ];
    for (const step of steps) {
      const reply = await step();
      if (reply && reply.type !== 'continue' && reply.type !== 'skip') return { modifications: [], reply };
    }
    return this.endOfMessage(macros[Command.BODYEOB]);
  }

  /** SMFIC_ABORT: the current message ends; no reply. */
  abort(): void {
    this.queue(encodePacket(Command.ABORT));
    this.flush();
  }

  /** SMFIC_QUIT: the milter closes the connection. */
  async quit(): Promise<void> {
    this.queue(encodePacket(Command.QUIT));
    this.flush();
    await this.closed;
  }

  /** SMFIC_QUIT_NC: this SMTP connection ends, another follows on the same milter connection. */
  quitNewConnection(): void {
    this.queue(encodePacket(Command.QUIT_NC));
    this.flush();
  }

  /** Sends bytes as they are (for malformed-packet tests). */
  writeRaw(bytes: Buffer): void {
    this.flush();
    this.socket.write(bytes);
  }

  /** The next packet the milter sends (for tests that read replies by hand). */
  next(): Promise<Packet> {
    this.flush();
    const packet = this.received.shift();
    if (packet) return Promise.resolve(packet);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('no reply from the milter in time'));
      }, this.options.replyTimeoutMs ?? 10_000);
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
      };
      this.waiter = { resolve: (p) => (done(), resolve(p)), reject: (e) => (done(), reject(e)) };
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  /** Sends the step's macros, then the step unless the milter asked not to get it; waits for its reply unless NR. */
  private async step(command: string, data: Buffer, macros?: Record<string, string>): Promise<StepReply | undefined> {
    const protocol = this.negotiated?.protocol ?? 0;
    if (macros) this.queue(encodePacket(Command.MACRO, encodeMacros(command, macros)));
    if (protocol & (NOT_SENT_FLAG[command] ?? 0)) return undefined;
    this.queue(encodePacket(command, data));
    if (protocol & (NO_REPLY_FLAG[command] ?? 0)) return undefined;
    return stepReplyOf(await this.next());
  }

  private queue(packet: Buffer): void {
    this.outgoing.push(packet);
    // Steps that need no reply are written together with the next step that does.
    if (this.outgoing.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    if (this.outgoing.length === 0 || this.socket.destroyed) return;
    const bytes = this.outgoing.length === 1 ? this.outgoing[0] : Buffer.concat(this.outgoing);
    this.outgoing = [];
    this.socket.write(bytes);
  }

  private deliver(packet: Packet): void {
    if (this.waiter) this.waiter.resolve(packet);
    else this.received.push(packet);
  }

  private fail(error: Error): void {
    this.ended ??= error;
    this.waiter?.reject(this.ended);
  }
}

function stepReplyOf(packet: Packet): StepReply {
  switch (packet.code) {
    case Reply.CONTINUE:
      return { type: 'continue' };
    case Reply.ACCEPT:
      return { type: 'accept' };
    case Reply.DISCARD:
      return { type: 'discard' };
    case Reply.REJECT:
      return { type: 'reject' };
    case Reply.TEMPFAIL:
      return { type: 'tempfail' };
    case Reply.SKIP:
      return { type: 'skip' };
    case Reply.SHUTDOWN:
      return { type: 'shutdown' };
    case Reply.REPLYCODE:
      return { type: 'replycode', text: parseStrings(packet.data, 'REPLYCODE')[0] ?? '' };
    default:
      throw new Error(`unexpected milter reply ${JSON.stringify(packet.code)}`);
  }
}

function modificationOf(packet: Packet): Modification | undefined {
  const indexed = (): [number, string[]] => [packet.data.readUInt32BE(0), parseStrings(packet.data.subarray(4), packet.code)];
  switch (packet.code) {
    case Reply.ADDHEADER: {
      const [name, value] = parseStrings(packet.data, 'ADDHEADER');
      return { type: 'addHeader', name, value };
    }
    case Reply.INSHEADER: {
      const [index, [name, value]] = indexed();
      return { type: 'insertHeader', index, name, value };
    }
    case Reply.CHGHEADER: {
      const [index, [name, value]] = indexed();
      return { type: 'changeHeader', index, name, value };
    }
    case Reply.DELRCPT:
      return { type: 'deleteRecipient', recipient: parseStrings(packet.data, 'DELRCPT')[0] };
    case Reply.ADDRCPT:
      return { type: 'addRecipient', recipient: parseStrings(packet.data, 'ADDRCPT')[0] };
    case Reply.QUARANTINE:
      return { type: 'quarantine', reason: parseStrings(packet.data, 'QUARANTINE')[0] };
    case Reply.CHGFROM:
    case Reply.ADDRCPT_PAR:
    case Reply.REPLBODY:
      return { type: 'other', code: packet.code, data: packet.data };
    default:
      return undefined;
  }
}

export { Action, Command, ProtocolFlag };
