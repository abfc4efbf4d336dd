/**
 * One milter connection: negotiation, then per SMTP connection CONNECT/HELO, and per message
 * MAIL, RCPT, HEADER, EOH, BODY chunks and end of body, where the filter decides. Macros may arrive
 * before any command and are kept per stage. A packet that breaks the protocol closes this session
 * only; the MTA then applies its `milter_default_action` to the message.
 */
import type { Socket } from 'node:net';
import type { MailFilter, MailMessage, MessageDecision } from '../mail-filter.js';
import type { MailLogger } from '../mail-logger.js';
import { decisionReplies } from './decision-replies.js';
import {
  Action,
  Command,
  encodeOptneg,
  encodePacket,
  MacroStage,
  MILTER_VERSION,
  MilterProtocolError,
  NO_REPLY_FLAG,
  PacketDecoder,
  parseConnect,
  parseHeader,
  parseMacros,
  parseOptneg,
  parseStrings,
  ProtocolFlag,
  Reply,
  replies,
  stripAngleBrackets,
  type Packet,
} from './protocol.js';

export interface MilterLimits {
  /** Largest packet accepted; a longer one closes the session. */
  maxPacketBytes: number;
  /** Largest packet of any command but HEADER and BODY (macros, CONNECT, HELO, MAIL, RCPT...). */
  maxCommandBytes: number;
  /** Header bytes per message; a message with more is refused with 552 5.3.4 (never passed unfiltered). */
  maxHeaderBytes: number;
  /** Recipients per message; more is refused like oversized headers. */
  maxRecipients: number;
  /** Body bytes kept per message: the filter gets the first `maxBodyBytes`, the rest is not kept. */
  maxBodyBytes: number;
  /** A connection silent this long is closed (longer than Postfix's 300 s smtpd_timeout). */
  idleTimeoutMs: number;
  /** A filter slower than this is answered with 451 4.7.1. */
  filterTimeoutMs: number;
}

/** The actions every decision may need; an MTA that does not allow them all is refused. */
const REQUIRED_ACTIONS = Action.ADDHDRS | Action.CHGHDRS | Action.DELRCPT | Action.QUARANTINE;
/** Steps we do without (NO*) and steps we never answer (NR_*), when the MTA offers them. */
const WANTED_PROTOCOL =
  ProtocolFlag.NOUNKNOWN |
  ProtocolFlag.NODATA |
  ProtocolFlag.NOEOH |
  ProtocolFlag.SKIP |
  ProtocolFlag.NR_CONN |
  ProtocolFlag.NR_HELO |
  ProtocolFlag.NR_MAIL |
  ProtocolFlag.NR_RCPT |
  ProtocolFlag.NR_DATA |
  ProtocolFlag.NR_UNKN |
  ProtocolFlag.NR_HDR |
  ProtocolFlag.NR_EOH |
  ProtocolFlag.NR_BODY;
/** The macros we read, requested per stage so the MTA sends them whatever its milter_*_macros say. */
const WANTED_MACROS = {
  [MacroStage.CONNECT]: '{client_addr} {client_name}',
  [MacroStage.HELO]: '{tls_version} {cipher}',
  [MacroStage.ENVFROM]: 'i {tls_version} {cipher}',
  [MacroStage.EOM]: 'i',
};
/** Macro stages that belong to the SMTP connection; the others belong to one message. */
const CONNECTION_STAGES = new Set<string>([Command.CONNECT, Command.HELO]);
const STAGES = new Set<string>(Object.values(Command));
const TEMPFAIL: MessageDecision = {
  outcome: 'tempfail',
  reply: { code: '451', enhanced: '4.7.1', text: 'mailwarden: temporary failure, try again later' },
  removeRecipients: [],
  removeHeaders: [],
  addHeaders: [],
};

interface MessageState {
  mailFrom: string;
  recipients: string[];
  headers: Array<[string, string]>;
  headerBytes: number;
  body: Buffer[];
  bodyBytes: number;
  /** Why the message is refused without asking the filter (over a limit). */
  oversized?: string;
}

export class MilterSession {
  private readonly decoder: PacketDecoder;
  private protocol = 0;
  private negotiated = false;
  private readonly macros = new Map<string, Map<string, string>>();
  private connection: { clientAddress?: string; clientName?: string; helo?: string } = {};
  private message: MessageState | undefined;
  /** Set while the filter decides; an ABORT meanwhile makes its answer stale. */
  private pending: object | undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly filter: MailFilter,
    private readonly log: MailLogger,
    private readonly limits: MilterLimits,
  ) {
    this.decoder = new PacketDecoder(limits.maxPacketBytes);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => this.end('idle timeout'));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.log.debug({ err: error }, 'milter connection error'));
    socket.on('close', () => {
      this.closed = true;
      this.message = undefined;
      this.pending = undefined;
      this.macros.clear();
    });
  }

  private receive(chunk: Buffer): void {
    try {
      for (const packet of this.decoder.push(chunk)) {
        if (this.closed) return;
        this.handle(packet);
      }
    } catch (error) {
      if (!(error instanceof MilterProtocolError)) this.log.error({ err: error }, 'milter session failed');
      this.end(error instanceof Error ? error.message : String(error));
    }
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.log.warn({ client: this.socket.remoteAddress ?? 'unix', reason }, 'milter session closed');
    this.closed = true;
    this.socket.destroy();
  }

  private handle({ code, data }: Packet): void {
    if (code !== Command.HEADER && code !== Command.BODY && code !== Command.BODYEOB && data.length > this.limits.maxCommandBytes) {
      throw new MilterProtocolError(`${JSON.stringify(code)} packet of ${data.length} bytes exceeds ${this.limits.maxCommandBytes}`);
    }
    if (code === Command.OPTNEG) return this.negotiate(data);
    if (!this.negotiated) throw new MilterProtocolError(`${JSON.stringify(code)} before negotiation`);
    if (this.pending && code !== Command.ABORT && code !== Command.QUIT && code !== Command.QUIT_NC && code !== Command.MACRO) {
      throw new MilterProtocolError(`${JSON.stringify(code)} while the end-of-message reply is pending`);
    }
    switch (code) {
      case Command.MACRO: {
        const { stage, macros } = parseMacros(data);
        if (!STAGES.has(stage)) throw new MilterProtocolError(`macros for unknown command ${JSON.stringify(stage)}`);
        this.macros.set(stage, macros);
        return;
      }
      case Command.CONNECT: {
        const info = parseConnect(data);
        this.resetConnection(Command.CONNECT);
        const named = this.macro('client_name') ?? info.hostname;
        this.connection = {
          clientAddress: info.family === '4' || info.family === '6' ? info.address : this.macro('client_addr'),
          // Postfix writes an unresolved client as `[address]`; the contract calls that `unknown`.
          clientName: /^\[.*\]$/.test(named) ? 'unknown' : named,
        };
        return this.reply(code);
      }
      case Command.HELO:
        this.connection.helo = parseStrings(data, 'HELO')[0] ?? '';
        return this.reply(code);
      case Command.MAIL: {
        const [sender] = parseStrings(data, 'MAIL');
        if (sender === undefined) throw new MilterProtocolError('MAIL without a sender');
        this.resetMessage(Command.MAIL);
        this.message = { mailFrom: stripAngleBrackets(sender), recipients: [], headers: [], headerBytes: 0, body: [], bodyBytes: 0 };
        return this.reply(code);
      }
      case Command.RCPT: {
        const message = this.inMessage(code);
        const [recipient] = parseStrings(data, 'RCPT');
        if (recipient === undefined) throw new MilterProtocolError('RCPT without a recipient');
        if (message.recipients.length >= this.limits.maxRecipients) message.oversized ??= 'Too many recipients';
        else message.recipients.push(stripAngleBrackets(recipient));
        return this.reply(code);
      }
      case Command.HEADER: {
        const message = this.inMessage(code);
        const header = parseHeader(data);
        message.headerBytes += data.length;
        if (message.headerBytes > this.limits.maxHeaderBytes) message.oversized ??= 'Message header section too large';
        else message.headers.push(header);
        return this.reply(code);
      }
      case Command.DATA:
      case Command.EOH:
        this.inMessage(code);
        return this.reply(code);
      case Command.BODY: {
        const message = this.inMessage(code);
        this.keepBody(message, data);
        const over = message.bodyBytes >= this.limits.maxBodyBytes;
        if (over && this.protocol & ProtocolFlag.SKIP && !(this.protocol & ProtocolFlag.NR_BODY)) return this.write(replies.skip());
        return this.reply(code);
      }
      case Command.BODYEOB: {
        const message = this.inMessage(code);
        this.keepBody(message, data);
        this.message = undefined;
        return this.decide(message);
      }
      case Command.ABORT:
        this.resetMessage();
        return;
      case Command.QUIT:
        this.closed = true;
        this.socket.end();
        return;
      case Command.QUIT_NC:
        this.resetConnection();
        return;
      case Command.UNKNOWN:
        return this.reply(code);
      default:
        throw new MilterProtocolError(`unknown command ${JSON.stringify(code)}`);
    }
  }

  private negotiate(data: Buffer): void {
    if (this.message || this.pending) throw new MilterProtocolError('OPTNEG inside a message');
    const offer = parseOptneg(data);
    if (offer.version < 2) throw new MilterProtocolError(`MTA protocol version ${offer.version} is too old`);
    if ((offer.actions & REQUIRED_ACTIONS) !== REQUIRED_ACTIONS) {
      throw new MilterProtocolError(
        `MTA allows actions 0x${offer.actions.toString(16)}; mailwarden needs ADDHDRS, CHGHDRS, DELRCPT, QUARANTINE`,
      );
    }
    const version = Math.min(offer.version, MILTER_VERSION);
    const symlist = version >= 6 && offer.actions & Action.SETSYMLIST ? Action.SETSYMLIST : 0;
    this.protocol = offer.protocol & WANTED_PROTOCOL;
    this.negotiated = true;
    const answer = { version, actions: REQUIRED_ACTIONS | symlist, protocol: this.protocol, macros: symlist ? WANTED_MACROS : undefined };
    this.write(encodePacket(Reply.OPTNEG, encodeOptneg(answer)));
  }

  /** CONTINUE, unless the step's no-reply flag was negotiated. */
  private reply(command: string): void {
    if (!(this.protocol & (NO_REPLY_FLAG[command] ?? 0))) this.write(replies.continue());
  }

  private write(...packets: Buffer[]): void {
    if (!this.closed) this.socket.write(packets.length === 1 ? packets[0] : Buffer.concat(packets));
  }

  private inMessage(command: string): MessageState {
    if (!this.message) throw new MilterProtocolError(`${JSON.stringify(command)} outside a message (no MAIL)`);
    return this.message;
  }

  private keepBody(message: MessageState, chunk: Buffer): void {
    const room = this.limits.maxBodyBytes - message.bodyBytes;
    if (room <= 0 || chunk.length === 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    message.body.push(kept);
    message.bodyBytes += kept.length;
  }

  /** A new message (or none): message-stage macros go, except those of `keep` (sent just before it). */
  private resetMessage(keep?: string): void {
    this.message = undefined;
    this.pending = undefined;
    for (const stage of [...this.macros.keys()]) if (!CONNECTION_STAGES.has(stage) && stage !== keep) this.macros.delete(stage);
  }

  private resetConnection(keep?: string): void {
    this.resetMessage();
    this.connection = {};
    for (const stage of [...this.macros.keys()]) if (stage !== keep) this.macros.delete(stage);
  }

  /** A macro's value, the most recent stage first. */
  private macro(name: string): string | undefined {
    for (const stage of [Command.BODYEOB, Command.EOH, Command.DATA, Command.RCPT, Command.MAIL, Command.HELO, Command.CONNECT]) {
      const value = this.macros.get(stage)?.get(name);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  }

  private decide(state: MessageState): void {
    if (state.oversized) return this.write(replies.replyCode('552', '5.3.4', state.oversized));
    const message: MailMessage = {
      ...this.connection,
      tls: this.macro('tls_version') !== undefined || this.macro('cipher') !== undefined,
      queueId: this.macro('i'),
      mailFrom: state.mailFrom,
      recipients: state.recipients,
      headers: state.headers,
      body: state.body.length === 1 ? state.body[0] : Buffer.concat(state.body),
    };
    const token = {};
    this.pending = token;
    void this.filtered(message).then((decision) => {
      if (this.closed || this.pending !== token) return;
      this.pending = undefined;
      this.write(...decisionReplies(decision, state.headers));
    });
  }

  /** The filter's decision, or TEMPFAIL when it throws or takes longer than `filterTimeoutMs`. */
  private async filtered(message: MailMessage): Promise<MessageDecision> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`filter took longer than ${this.limits.filterTimeoutMs} ms`)), this.limits.filterTimeoutMs);
    });
    try {
      return await Promise.race([this.filter.filterMessage(message), timeout]);
    } catch (error) {
      this.log.error({ err: error, queueId: message.queueId }, 'mail filter failed: answering 451 4.7.1');
      return TEMPFAIL;
    } finally {
      clearTimeout(timer);
    }
  }
}
