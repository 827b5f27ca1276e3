// Writes test/sensor/sflow-fixtures.ts: one sFlow datagram per framing or failure, as hex, each
// with the line tshark's sFlow dissector gives for it (in a UDP frame to port 6343) above it and
// the outcome it was built for. Rewritten only on purpose: node dist/test/support/make-sflow-fixtures.js
// (after npm run build).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bytes, be32, cat, eth, ethTagged, F, ipv4, ipv6, pcapFile, tcp, toHex, udp } from './frames.js';
import { counterSample, extendedSwitch, flowSample, HEADER, rawHeader, sflowDatagram, sflowFrame } from './sflow.js';

interface SampleExpect {
  reason: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  flags?: number;
  rate?: number;
  vlan?: number;
  window?: number;
  mss?: number;
}
interface Case {
  name: string;
  /** datagram: the bytes are a whole datagram (the sFlow source's frames); frame: an Ethernet frame carrying one */
  framing: 'datagram' | 'frame';
  bytes: Bytes;
  expect: { status: string; samples: SampleExpect[]; counterSamples: number };
}

const C4 = '198.51.100.7';
const S4 = '192.0.2.10';
const C6 = '2001:db8:1::7';
const S6 = '2001:db8:2::10';
const synack4 = ipv4(
  { src: S4, dst: C4, proto: 6, ttl: 63 },
  tcp({ sport: 443, dport: 40000, seq: 5000, ack: 1001, flags: F.SYN | F.ACK, mss: 1460, window: 64240 }),
);
const synack6 = ipv6(
  { src: S6, dst: C6, next: 6, hlim: 57 },
  tcp({ sport: 22, dport: 50000, seq: 7000, ack: 3001, flags: F.SYN | F.ACK, mss: 1440, window: 65160 }),
);
const data4 = ipv4(
  { src: S4, dst: '198.51.100.8', proto: 6, ttl: 63 },
  tcp({
    sport: 443,
    dport: 40001,
    seq: 9000,
    ack: 2000,
    flags: F.ACK | F.PSH,
    window: 501,
    payload: new Uint8Array(600),
  }),
);
const dns = ipv4({ src: C4, dst: S4, proto: 17 }, udp(5353, 53, new Uint8Array(30)));
const e4 = eth(0x0800, synack4);
const e6 = eth(0x86dd, synack6);
const ok4 = (rate: number, extra: Partial<SampleExpect> = {}): SampleExpect => ({
  reason: 'ok',
  src: S4,
  dst: C4,
  sport: 443,
  dport: 40000,
  flags: F.SYN | F.ACK,
  rate,
  window: 64240,
  mss: 1460,
  ...extra,
});
const ok6 = (rate: number, extra: Partial<SampleExpect> = {}): SampleExpect => ({
  reason: 'ok',
  src: S6,
  dst: C6,
  sport: 22,
  dport: 50000,
  flags: F.SYN | F.ACK,
  rate,
  window: 65160,
  mss: 1440,
  ...extra,
});
const one = (rate: number, frame: Bytes, o: Parameters<typeof rawHeader>[1] = {}): Bytes =>
  sflowDatagram({ samples: [flowSample({ rate, records: [rawHeader(frame, o)] })] });
const good = (...samples: SampleExpect[]) => ({ status: 'sflow', samples, counterSamples: 0 });
const bad = (status: string, ...samples: SampleExpect[]) => ({ status, samples, counterSamples: 0 });

/** `b` with the 32-bit word at byte `at` replaced. */
function patch(b: Bytes, at: number, value: number): Bytes {
  const out = Uint8Array.from(b);
  out.set(be32(value), at);
  return out;
}

// offsets in a datagram from an IPv4 agent holding one flow sample (format 1)
const FIRST_SAMPLE = 28; // version, address type, address, sub-agent, sequence, uptime, samples
const SAMPLE_LENGTH = FIRST_SAMPLE + 4;
const SAMPLE_BODY = FIRST_SAMPLE + 8;
const RATE = SAMPLE_BODY + 8;
const FIRST_RECORD = SAMPLE_BODY + 32;
const RECORD_LENGTH = FIRST_RECORD + 4;
const HEADER_LENGTH = FIRST_RECORD + 8 + 12;

const plain = one(512, e4);

const cases: Case[] = [
  {
    name: 'flow sample, Ethernet header: IPv4 SYN+ACK',
    framing: 'datagram',
    bytes: plain,
    expect: good(ok4(512)),
  },
  {
    name: 'expanded flow sample from an IPv6 agent: IPv6 SYN+ACK',
    framing: 'datagram',
    bytes: sflowDatagram({
      agent: '2001:db8:ff::2',
      samples: [flowSample({ expanded: true, rate: 1024, records: [rawHeader(e6)] })],
    }),
    expect: good(ok6(1024)),
  },
  {
    name: 'raw IPv4 header (header protocol 11)',
    framing: 'datagram',
    bytes: one(2048, synack4, { protocol: HEADER.IPV4 }),
    expect: good(ok4(2048)),
  },
  {
    name: 'raw IPv6 header (header protocol 12)',
    framing: 'datagram',
    bytes: one(4096, synack6, { protocol: HEADER.IPV6 }),
    expect: good(ok6(4096)),
  },
  {
    name: 'extended switch record, then an 802.1Q tagged header',
    framing: 'datagram',
    bytes: sflowDatagram({
      samples: [
        flowSample({ rate: 256, records: [extendedSwitch(42), rawHeader(ethTagged([[0x8100, 42]], 0x0800, synack4))] }),
      ],
    }),
    expect: good(ok4(256, { vlan: 42 })),
  },
  {
    name: 'counter samples skipped between flow samples',
    framing: 'datagram',
    bytes: sflowDatagram({
      samples: [
        counterSample(),
        flowSample({ rate: 512, records: [rawHeader(e4)] }),
        counterSample({ expanded: true }),
        flowSample({ expanded: true, rate: 512, seq: 2, records: [rawHeader(e6)] }),
      ],
    }),
    expect: { status: 'sflow', samples: [ok4(512), ok6(512)], counterSamples: 2 },
  },
  {
    name: 'header cut by the switch after 14 bytes of TCP',
    framing: 'datagram',
    bytes: one(512, e4, { maxHeader: 14 + 20 + 14 }),
    expect: good(ok4(512, { window: -1, mss: -1 })),
  },
  {
    name: 'samples of a data segment and of a UDP packet',
    framing: 'datagram',
    bytes: sflowDatagram({
      samples: [
        flowSample({ rate: 512, records: [rawHeader(eth(0x0800, data4))] }),
        flowSample({ rate: 512, seq: 2, records: [rawHeader(eth(0x0800, dns))] }),
      ],
    }),
    expect: good(
      {
        reason: 'ok',
        src: S4,
        dst: '198.51.100.8',
        sport: 443,
        dport: 40001,
        flags: F.ACK | F.PSH,
        rate: 512,
        window: 501,
        mss: -1,
      },
      { reason: 'non_tcp' },
    ),
  },
  {
    name: 'unsupported header protocol (FDDI)',
    framing: 'datagram',
    bytes: one(512, e4, { protocol: HEADER.FDDI }),
    expect: good({ reason: 'unsupported_linktype' }),
  },
  {
    name: 'a sampled sFlow datagram is not followed',
    framing: 'datagram',
    bytes: one(512, sflowFrame(plain)),
    expect: good({ reason: 'non_tcp' }),
  },
  { name: 'in a captured UDP frame to port 6343', framing: 'frame', bytes: sflowFrame(plain), expect: good(ok4(512)) },
  {
    name: 'in a captured IPv6 UDP frame, with Ethernet padding',
    framing: 'frame',
    bytes: cat(sflowFrame(one(1000, e6), { agent: '2001:db8:ff::2' }), new Uint8Array(6)),
    expect: good(ok6(1000)),
  },
  { name: 'version 4', framing: 'datagram', bytes: patch(plain, 0, 4), expect: bad('bad_sflow_version') },
  { name: 'datagram header cut', framing: 'datagram', bytes: plain.subarray(0, 20), expect: bad('truncated_sflow') },
  {
    name: 'unknown agent address type',
    framing: 'datagram',
    bytes: patch(plain, 4, 3),
    expect: bad('bad_sflow_record'),
  },
  {
    name: 'fewer samples than announced',
    framing: 'datagram',
    bytes: patch(plain, FIRST_SAMPLE - 4, 3),
    expect: bad('truncated_sflow', ok4(512)),
  },
  {
    name: 'sample length past the datagram',
    framing: 'datagram',
    bytes: patch(plain, SAMPLE_LENGTH, plain.length),
    expect: bad('bad_sflow_record'),
  },
  {
    name: 'record length past its sample',
    framing: 'datagram',
    bytes: patch(plain, RECORD_LENGTH, plain.length - FIRST_RECORD),
    expect: bad('bad_sflow_record'),
  },
  {
    name: 'header length past its record',
    framing: 'datagram',
    bytes: patch(plain, HEADER_LENGTH, e4.length + 4),
    expect: bad('bad_sflow_record'),
  },
  { name: 'sampling rate 0', framing: 'datagram', bytes: patch(plain, RATE, 0), expect: bad('bad_sflow_record') },
  {
    name: 'more records than the sample holds',
    framing: 'datagram',
    bytes: patch(plain, FIRST_RECORD - 4, 2),
    expect: bad('bad_sflow_record', ok4(512)),
  },
];

/** tshark's reading of `c` as the payload of a UDP frame to port 6343: its fields, one line. */
function tsharkLine(c: Case, dir: string): string {
  const f = join(dir, 'one.pcap');
  const frame = c.framing === 'frame' ? c.bytes : sflowFrame(c.bytes);
  writeFileSync(f, pcapFile([{ ts: 1_767_225_600_000, data: frame }], { linktype: 1 }));
  const fields = [
    '_ws.col.Info',
    'sflow_245.numsamples',
    'sflow.flow_sample.sampling_rate',
    'sflow_245.header_protocol',
    'ip.src',
    'ipv6.src',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.flags.str',
    '_ws.malformed',
  ];
  const r = spawnSync('tshark', ['-r', f, '-T', 'fields', '-E', 'occurrence=a', ...fields.flatMap((x) => ['-e', x])], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\t')
    .map((v, i) => `${fields[i].replace(/^(sflow_245|sflow\.flow_sample|_ws\.col|_ws)\./, '')}=${v || '-'}`)
    .join(' ');
}

const dir = mkdtempSync(join(tmpdir(), 'porthole-sflow-fixtures-'));
const lines = [
  '// Generated by test/support/make-sflow-fixtures.ts: sFlow v5 datagrams as hex, the fields tshark',
  "// reads in each (in a UDP frame to port 6343; '_ws.malformed' set where it finds it malformed),",
  '// and the outcome each was built for. Rewrite only on purpose.',
  '',
  'export interface SflowFixture {',
  '  name: string;',
  "  framing: 'datagram' | 'frame';",
  '  hex: string;',
  '  expect: {',
  '    status: string;',
  '    samples: Array<{ reason: string; src?: string; dst?: string; sport?: number; dport?: number; flags?: number; rate?: number; vlan?: number; window?: number; mss?: number }>;',
  '    counterSamples: number;',
  '  };',
  '}',
  '',
  'export const sflowFixtures: SflowFixture[] = [',
];
for (const c of cases) {
  lines.push(`  // tshark: ${tsharkLine(c, dir)}`);
  lines.push(
    `  { name: ${JSON.stringify(c.name)}, framing: '${c.framing}', hex: '${toHex(c.bytes)}', expect: ${JSON.stringify(c.expect)} },`,
  );
}
lines.push('];', '');
rmSync(dir, { recursive: true, force: true });
writeFileSync(new URL('../../../test/sensor/sflow-fixtures.ts', import.meta.url), lines.join('\n'));
console.log(`wrote ${cases.length} fixtures`);
