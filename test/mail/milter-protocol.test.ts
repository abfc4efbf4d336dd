/** The milter codec alone: framing, negotiation, command data and reply encoding. No sockets. */
import { describe, expect, it } from 'vitest';
import { decisionReplies } from '../../src/mail/milter/decision-replies.js';
import {
  Command,
  encodeConnect,
  encodeMacros,
  encodeOptneg,
  encodePacket,
  MilterProtocolError,
  PacketDecoder,
  parseConnect,
  parseHeader,
  parseMacros,
  parseOptneg,
  Reply,
  replies,
  smtpReplyText,
  stripAngleBrackets,
  type Packet,
} from '../../src/mail/milter/protocol.js';

describe('framing', () => {
  it('frames as 4-byte big-endian length of code + data, then code, then data', () => {
    expect([...encodePacket('C', Buffer.from('ab'))]).toEqual([0, 0, 0, 3, 0x43, 0x61, 0x62]);
  });

  it('decodes packets split and joined at any byte boundary', () => {
    const stream = Buffer.concat([encodePacket('M', Buffer.from('<a@b>\0')), encodePacket('N'), encodePacket('B', Buffer.alloc(1000, 7))]);
    for (const size of [1, 3, 5, 64, stream.length]) {
      const decoder = new PacketDecoder(4096);
      const packets = [];
      for (let offset = 0; offset < stream.length; offset += size) packets.push(...decoder.push(stream.subarray(offset, offset + size)));
      expect(packets.map((packet) => [packet.code, packet.data.length])).toEqual([
        ['M', 6],
        ['N', 0],
        ['B', 1000],
      ]);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('refuses a zero length and an oversized length from the length bytes alone', () => {
    expect(() => new PacketDecoder(100).push(Buffer.from([0, 0, 0, 0]))).toThrow(MilterProtocolError);
    expect(() => new PacketDecoder(100).push(Buffer.from([0, 0, 0, 101]))).toThrow(/exceeds the limit of 100/);
    expect(new PacketDecoder(100).push(Buffer.from([0, 0, 0, 100]))).toEqual([]);
  });
});

describe('command data', () => {
  it('round-trips negotiation with macro lists', () => {
    const negotiation = { version: 6, actions: 0x129, protocol: 0xff000, macros: { 0: '{client_addr}', 5: 'i' } };
    expect(parseOptneg(encodeOptneg(negotiation))).toEqual(negotiation);
    expect(parseOptneg(encodeOptneg({ version: 2, actions: 1, protocol: 2 }))).toEqual({ version: 2, actions: 1, protocol: 2 });
    expect(() => parseOptneg(Buffer.alloc(8))).toThrow(MilterProtocolError);
  });

  it('parses CONNECT for IPv4, IPv6 (with or without the IPv6: prefix) and unknown families', () => {
    expect(parseConnect(encodeConnect({ hostname: 'mx.example', family: '4', port: 2525, address: '192.0.2.1' }))).toEqual({
      hostname: 'mx.example',
      family: '4',
      port: 2525,
      address: '192.0.2.1',
    });
    expect(parseConnect(encodeConnect({ hostname: '[x]', family: '6', port: 1, address: 'IPv6:2001:db8::1' })).address).toBe('2001:db8::1');
    expect(parseConnect(encodeConnect({ hostname: 'localhost', family: 'U' }))).toEqual({ hostname: 'localhost', family: 'U' });
    expect(() => parseConnect(Buffer.from('name\0X'))).toThrow(MilterProtocolError);
    expect(() => parseConnect(Buffer.from('no terminator'))).toThrow(MilterProtocolError);
  });

  it('parses macros with or without braces, and refuses a name without a value', () => {
    const { stage, macros } = parseMacros(encodeMacros(Command.MAIL, { i: 'ABC', '{mail_addr}': 'a@b', tls_version: 'TLSv1.3' }));
    expect(stage).toBe('M');
    expect([...macros]).toEqual([
      ['i', 'ABC'],
      ['mail_addr', 'a@b'],
      ['tls_version', 'TLSv1.3'],
    ]);
    expect(() => parseMacros(Buffer.from('Mi\0'))).toThrow(/without a value/);
  });

  it('parses headers and addresses', () => {
    expect(parseHeader(Buffer.from('Subject\0hi there\0'))).toEqual(['Subject', 'hi there']);
    expect(() => parseHeader(Buffer.from('\0value\0'))).toThrow(MilterProtocolError);
    expect(stripAngleBrackets('<a@b.example>')).toBe('a@b.example');
    expect(stripAngleBrackets('<>')).toBe('');
  });
});

/** A reply packet as [code, header index or -1, the NUL-separated text after the index]. */
function describePacket({ code, data }: Packet): [string, number, string] {
  const indexed = code === Reply.CHGHEADER || code === Reply.INSHEADER;
  return [code, indexed ? data.readUInt32BE(0) : -1, data.subarray(indexed ? 4 : 0).toString('latin1')];
}

describe('replies', () => {
  it('encodes reply text as one bounded line with % doubled', () => {
    expect(smtpReplyText('100% bad\r\nnext')).toBe('100%% bad next');
    expect(smtpReplyText('x'.repeat(1000))).toHaveLength(400);
    const packet = replies.replyCode('550', '5.7.1', 'no');
    expect(packet.subarray(4).toString()).toBe('y550 5.7.1 no\0');
  });

  it('orders a delivery: deletions last occurrence first, insertions reversed at index 0, DELRCPT, ACCEPT', () => {
    const packets = decisionReplies(
      {
        outcome: 'deliver',
        removeRecipients: ['c@d.example'],
        removeHeaders: ['x-a', 'X-A', 'X-Absent'],
        addHeaders: [
          ['X-First', '1'],
          ['Bad Name', 'skipped'],
          ['X-Second', '2'],
        ],
      },
      [
        ['X-A', 'one'],
        ['Subject', 's'],
        ['x-a', 'two'],
      ],
    );
    const decoded = new PacketDecoder(1 << 20).push(Buffer.concat(packets));
    expect(decoded.map(describePacket)).toEqual([
      ['m', 2, 'X-A\0\0'],
      ['m', 1, 'X-A\0\0'],
      ['i', 0, 'X-Second\x002\0'],
      ['i', 0, 'X-First\x001\0'],
      ['-', -1, '<c@d.example>\0'],
      ['a', -1, ''],
    ]);
  });

  it('falls back to a reply code of the outcome class when the decision carries a mismatched one', () => {
    const [packet] = decisionReplies(
      {
        outcome: 'tempfail',
        reply: { code: '550', enhanced: '5.7.1', text: 'odd' },
        removeRecipients: [],
        removeHeaders: [],
        addHeaders: [],
      },
      [],
    );
    expect(packet.subarray(4).toString()).toBe('y451 4.7.1 odd\0');
  });
});
