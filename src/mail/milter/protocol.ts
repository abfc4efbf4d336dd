/**
 * The Sendmail milter protocol, version 6, as Postfix and Sendmail speak it: framing, command and
 * reply codes, negotiation flags, and the parsing and encoding of each packet's data. Pure functions
 * and one stream decoder; no sockets here (milter-server.ts owns those).
 *
 * A packet is a 4-byte big-endian length, then one command byte, then `length - 1` data bytes.
 * Strings inside packets are NUL-terminated. The MTA sends commands (SMFIC_*); the milter answers
 * with replies (SMFIR_*). Both directions share the framing.
 */

/** Protocol version this module speaks (Sendmail 8.14+, Postfix 2.6+). */
export const MILTER_VERSION = 6;

/** Commands, MTA → milter (one ASCII byte each). */
export const Command = {
  ABORT: 'A',
  BODY: 'B',
  CONNECT: 'C',
  MACRO: 'D',
  BODYEOB: 'E',
  HELO: 'H',
  QUIT_NC: 'K',
  HEADER: 'L',
  MAIL: 'M',
  EOH: 'N',
  OPTNEG: 'O',
  QUIT: 'Q',
  RCPT: 'R',
  DATA: 'T',
  UNKNOWN: 'U',
} as const;

/** Replies and modification requests, milter → MTA. */
export const Reply = {
  ADDRCPT: '+',
  DELRCPT: '-',
  ADDRCPT_PAR: '2',
  SHUTDOWN: '4',
  ACCEPT: 'a',
  REPLBODY: 'b',
  CONTINUE: 'c',
  DISCARD: 'd',
  CHGFROM: 'e',
  CONN_FAIL: 'f',
  ADDHEADER: 'h',
  INSHEADER: 'i',
  SETSYMLIST: 'l',
  CHGHEADER: 'm',
  PROGRESS: 'p',
  QUARANTINE: 'q',
  REJECT: 'r',
  SKIP: 's',
  TEMPFAIL: 't',
  REPLYCODE: 'y',
  /** Negotiation reply: the same code as the command. */
  OPTNEG: 'O',
} as const;

/** Actions (SMFIF_*): the modifications the milter may request at end of message. */
export const Action = {
  ADDHDRS: 0x01,
  CHGBODY: 0x02,
  ADDRCPT: 0x04,
  DELRCPT: 0x08,
  CHGHDRS: 0x10,
  QUARANTINE: 0x20,
  CHGFROM: 0x40,
  ADDRCPT_PAR: 0x80,
  SETSYMLIST: 0x100,
} as const;

/** Protocol flags (SMFIP_*): steps the MTA leaves out (NO*), and steps the milter does not answer (NR_*). */
export const ProtocolFlag = {
  NOCONNECT: 0x01,
  NOHELO: 0x02,
  NOMAIL: 0x04,
  NORCPT: 0x08,
  NOBODY: 0x10,
  NOHDRS: 0x20,
  NOEOH: 0x40,
  NR_HDR: 0x80,
  NOUNKNOWN: 0x100,
  NODATA: 0x200,
  SKIP: 0x400,
  RCPT_REJ: 0x800,
  NR_CONN: 0x1000,
  NR_HELO: 0x2000,
  NR_MAIL: 0x4000,
  NR_RCPT: 0x8000,
  NR_DATA: 0x10000,
  NR_UNKN: 0x20000,
  NR_EOH: 0x40000,
  NR_BODY: 0x80000,
  HDR_LEADSPC: 0x100000,
} as const;

/** Stages (SMFIM_*) for the macro name lists a milter may request during negotiation. */
export const MacroStage = { CONNECT: 0, HELO: 1, ENVFROM: 2, ENVRCPT: 3, DATA: 4, EOM: 5, EOH: 6 } as const;

/** Which command each NR_* flag silences: the milter sends no reply to these when the flag is negotiated. */
export const NO_REPLY_FLAG: Readonly<Record<string, number>> = {
  [Command.CONNECT]: ProtocolFlag.NR_CONN,
  [Command.HELO]: ProtocolFlag.NR_HELO,
  [Command.MAIL]: ProtocolFlag.NR_MAIL,
  [Command.RCPT]: ProtocolFlag.NR_RCPT,
  [Command.DATA]: ProtocolFlag.NR_DATA,
  [Command.UNKNOWN]: ProtocolFlag.NR_UNKN,
  [Command.HEADER]: ProtocolFlag.NR_HDR,
  [Command.EOH]: ProtocolFlag.NR_EOH,
  [Command.BODY]: ProtocolFlag.NR_BODY,
};

/** Which command each NO* flag leaves out: the MTA does not send these when the flag is negotiated. */
export const NOT_SENT_FLAG: Readonly<Record<string, number>> = {
  [Command.CONNECT]: ProtocolFlag.NOCONNECT,
  [Command.HELO]: ProtocolFlag.NOHELO,
  [Command.MAIL]: ProtocolFlag.NOMAIL,
  [Command.RCPT]: ProtocolFlag.NORCPT,
  [Command.BODY]: ProtocolFlag.NOBODY,
  [Command.HEADER]: ProtocolFlag.NOHDRS,
  [Command.EOH]: ProtocolFlag.NOEOH,
  [Command.UNKNOWN]: ProtocolFlag.NOUNKNOWN,
  [Command.DATA]: ProtocolFlag.NODATA,
};

/** A packet whose framing or content breaks the protocol. The session that received it is closed. */
export class MilterProtocolError extends Error {}

export interface Packet {
  /** The command or reply code, one character. */
  code: string;
  data: Buffer;
}

/** Frames one packet: length (code + data), code, data. */
export function encodePacket(code: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const packet = Buffer.allocUnsafe(5 + data.length);
  packet.writeUInt32BE(1 + data.length, 0);
  packet.write(code, 4, 1, 'latin1');
  data.copy(packet, 5);
  return packet;
}

/**
 * Splits a byte stream into packets. `push` takes whatever the socket delivered and returns the
 * complete packets; a partial packet waits for more. A length of 0 or over `maxPacketBytes` throws
 * as soon as the 4 length bytes arrive, before any of the oversized data is buffered.
 */
export class PacketDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPacketBytes: number) {}

  /** Bytes received but not yet part of a complete packet. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Packet[] {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Packet[] = [];
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length === 0) throw new MilterProtocolError('packet of length 0');
      if (length > this.maxPacketBytes)
        throw new MilterProtocolError(`packet of ${length} bytes exceeds the limit of ${this.maxPacketBytes}`);
      if (buffer.length < 4 + length) break;
      // Each packet owns its bytes, so that a retained packet does not pin the whole socket chunk.
      packets.push({ code: String.fromCharCode(buffer[4]), data: Buffer.from(buffer.subarray(5, 4 + length)) });
      buffer = buffer.subarray(4 + length);
    }
    this.pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
    return packets;
  }
}

/** NUL-terminated strings, every one terminated (a trailing unterminated string is malformed). */
export function parseStrings(data: Buffer, what: string): string[] {
  if (data.length === 0) return [];
  if (data[data.length - 1] !== 0) throw new MilterProtocolError(`${what}: missing NUL terminator`);
  return data.toString('utf8', 0, data.length - 1).split('\0');
}

/** Each value NUL-terminated; a NUL inside a value is dropped, since it would shift every later field. */
export function encodeStrings(...values: string[]): Buffer {
  return Buffer.from(values.map((value) => `${value.replaceAll('\0', '')}\0`).join(''), 'utf8');
}

/** SMFIC_OPTNEG data (both directions): version, actions, protocol flags, then optional macro lists. */
export interface Negotiation {
  version: number;
  actions: number;
  protocol: number;
  /** Macro names requested per stage (SMFIM_*), space-separated, as the milter sends them. */
  macros?: Partial<Record<number, string>>;
}

export function parseOptneg(data: Buffer): Negotiation {
  if (data.length < 12) throw new MilterProtocolError(`OPTNEG: ${data.length} bytes, needs 12`);
  const negotiation: Negotiation = { version: data.readUInt32BE(0), actions: data.readUInt32BE(4), protocol: data.readUInt32BE(8) };
  let offset = 12;
  while (offset < data.length) {
    const end = data.indexOf(0, offset + 4);
    if (offset + 4 > data.length || end < 0) throw new MilterProtocolError('OPTNEG: malformed macro list');
    negotiation.macros ??= {};
    negotiation.macros[data.readUInt32BE(offset)] = data.toString('utf8', offset + 4, end);
    offset = end + 1;
  }
  return negotiation;
}

export function encodeOptneg(negotiation: Negotiation): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(negotiation.version >>> 0, 0);
  head.writeUInt32BE(negotiation.actions >>> 0, 4);
  head.writeUInt32BE(negotiation.protocol >>> 0, 8);
  const lists = Object.entries(negotiation.macros ?? {}).map(([stage, names]) => {
    const stageBytes = Buffer.alloc(4);
    stageBytes.writeUInt32BE(Number(stage), 0);
    return Buffer.concat([stageBytes, encodeStrings(names ?? '')]);
  });
  return Buffer.concat([head, ...lists]);
}

/** SMFIC_CONNECT: host name, address family (`4`, `6`, `L` local socket, `U` unknown), port, address. */
export interface ConnectInfo {
  hostname: string;
  family: '4' | '6' | 'L' | 'U';
  port?: number;
  address?: string;
}

export function parseConnect(data: Buffer): ConnectInfo {
  const nameEnd = data.indexOf(0);
  if (nameEnd < 0 || nameEnd + 1 >= data.length) throw new MilterProtocolError('CONNECT: malformed');
  const hostname = data.toString('utf8', 0, nameEnd);
  const family = String.fromCharCode(data[nameEnd + 1]);
  if (family === 'U') return { hostname, family };
  if (family !== '4' && family !== '6' && family !== 'L')
    throw new MilterProtocolError(`CONNECT: unknown family ${JSON.stringify(family)}`);
  const rest = data.subarray(nameEnd + 2);
  if (rest.length < 3 || rest[rest.length - 1] !== 0) throw new MilterProtocolError('CONNECT: malformed address');
  // Sendmail writes IPv6 addresses as `IPv6:2001:db8::1`; Postfix writes them plain.
  const address = rest.toString('utf8', 2, rest.length - 1).replace(/^IPv6:/i, '');
  return { hostname, family, port: rest.readUInt16BE(0), address };
}

export function encodeConnect(info: ConnectInfo): Buffer {
  const name = encodeStrings(info.hostname);
  if (info.family === 'U') return Buffer.concat([name, Buffer.from('U', 'latin1')]);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(info.port ?? 0, 0);
  return Buffer.concat([name, Buffer.from(info.family, 'latin1'), port, encodeStrings(info.address ?? '')]);
}

/** SMFIC_MACRO: the command the macros belong to, then name/value pairs. Names lose their braces. */
export function parseMacros(data: Buffer): { stage: string; macros: Map<string, string> } {
  if (data.length < 1) throw new MilterProtocolError('MACRO: empty');
  const stage = String.fromCharCode(data[0]);
  const values = parseStrings(data.subarray(1), 'MACRO');
  if (values.length % 2 !== 0) throw new MilterProtocolError('MACRO: a name without a value');
  const macros = new Map<string, string>();
  for (let i = 0; i < values.length; i += 2) macros.set(macroName(values[i]), values[i + 1]);
  return { stage, macros };
}

export function encodeMacros(stage: string, macros: Record<string, string>): Buffer {
  const pairs = Object.entries(macros).flatMap(([name, value]) => [name.length > 1 && !name.startsWith('{') ? `{${name}}` : name, value]);
  return Buffer.concat([Buffer.from(stage, 'latin1'), encodeStrings(...pairs)]);
}

/** `{client_addr}` and `client_addr` name the same macro. */
export function macroName(name: string): string {
  return name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
}

/** SMFIC_HEADER: name, value. */
export function parseHeader(data: Buffer): [name: string, value: string] {
  const values = parseStrings(data, 'HEADER');
  if (values.length !== 2 || values[0] === '') throw new MilterProtocolError('HEADER: needs a name and a value');
  return [values[0], values[1]];
}

/** `<user@example.com>` → `user@example.com`; `<>` → `` (the null sender). */
export function stripAngleBrackets(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
}

function indexed(index: number, ...values: string[]): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(index >>> 0, 0);
  return Buffer.concat([head, encodeStrings(...values)]);
}

/** Reply packets a milter sends; each returns one framed packet. */
export const replies = {
  continue: (): Buffer => encodePacket(Reply.CONTINUE),
  accept: (): Buffer => encodePacket(Reply.ACCEPT),
  discard: (): Buffer => encodePacket(Reply.DISCARD),
  skip: (): Buffer => encodePacket(Reply.SKIP),
  tempfail: (): Buffer => encodePacket(Reply.TEMPFAIL),
  /** `550 5.7.1 text`: the code, the enhanced code and the text, sanitised by `smtpReplyText`. */
  replyCode: (code: string, enhanced: string, text: string): Buffer =>
    encodePacket(Reply.REPLYCODE, encodeStrings(`${code} ${enhanced} ${smtpReplyText(text)}`)),
  quarantine: (reason: string): Buffer => encodePacket(Reply.QUARANTINE, encodeStrings(oneLine(reason) || 'quarantined')),
  addHeader: (name: string, value: string): Buffer => encodePacket(Reply.ADDHEADER, encodeStrings(name, value)),
  /** Index 0 inserts above the first header. */
  insertHeader: (index: number, name: string, value: string): Buffer => encodePacket(Reply.INSHEADER, indexed(index, name, value)),
  /** Index 1 is the first occurrence of `name`; an empty value deletes that occurrence. */
  changeHeader: (index: number, name: string, value: string): Buffer => encodePacket(Reply.CHGHEADER, indexed(index, name, value)),
  deleteRecipient: (recipient: string): Buffer => encodePacket(Reply.DELRCPT, encodeStrings(`<${stripAngleBrackets(recipient)}>`)),
};

function oneLine(text: string): string {
  return text.replace(/[\0\r\n]+/g, ' ').trim();
}

/**
 * Reply text as the MTA expects it: one line, bounded, and `%` doubled (Sendmail uses the text as
 * a format string; Postfix turns `%%` back into `%`).
 */
export function smtpReplyText(text: string): string {
  return oneLine(text).slice(0, 400).replaceAll('%', '%%');
}
