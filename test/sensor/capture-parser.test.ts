// Capture file reader: formats, byte orders, resolutions, chunking, bad and cut input; the file
// source's double-buffered reads.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureParser, frameMs } from '../../sensor/capture/capture-parser.js';
import { fileSource, readCaptureFile } from '../../sensor/capture/file-source.js';
import { SensorError } from '../../sensor/errors.js';
import { pcapFile, pcapngFile } from '../support/frames.js';

const frames = [
  { ts: 1_700_000_000_123.456, data: Uint8Array.from({ length: 60 }, (_, i) => i) },
  { ts: 1_700_000_001_000.001, data: Uint8Array.from({ length: 1514 }, (_, i) => i & 0xff) },
  { ts: 1_700_000_002_999.999, data: Uint8Array.from({ length: 42 }, () => 7), caplen: 20 },
];

function parse(file: Buffer, chunk = file.length) {
  const got: Array<{ ts: number; len: number; lt: number; first: number }> = [];
  const p = new CaptureParser((b, off, caplen, sec, nsec, lt) =>
    got.push({ ts: frameMs(sec, nsec), len: caplen, lt, first: b[off] }),
  );
  for (let i = 0; i < file.length; i += chunk) p.push(file.subarray(i, i + chunk));
  const left = p.end();
  return { got, left, p };
}

describe('CaptureParser', () => {
  for (const [name, opts] of [
    ['pcap usec little-endian', { linktype: 1 }],
    ['pcap usec big-endian', { linktype: 1, bigEndian: true }],
    ['pcap nsec little-endian', { linktype: 113, nsec: true }],
    ['pcap nsec big-endian', { linktype: 276, nsec: true, bigEndian: true }],
  ] as const) {
    it(name, () => {
      const { got, left } = parse(pcapFile(frames, opts), 7);
      expect(left).toBe(0);
      expect(got.map((g) => g.len)).toEqual([60, 1514, 20]);
      expect(got.every((g) => g.lt === opts.linktype)).toBe(true);
      const tol = 'nsec' in opts ? 1e-5 : 1e-3;
      for (const [i, g] of got.entries()) expect(Math.abs(g.ts - frames[i].ts)).toBeLessThan(tol);
    });
  }

  for (const bigEndian of [false, true]) {
    it(`pcapng ${bigEndian ? 'big' : 'little'}-endian: interfaces with own link types and resolutions`, () => {
      const ifaces = [{ linktype: 1 }, { linktype: 101, tsresol: 9 }, { linktype: 113, tsresol: 0x80 | 10 }];
      const recs = frames.map((f, i) => ({ ...f, iface: i }));
      const { got, p } = parse(pcapngFile(ifaces, recs, { bigEndian }), 5);
      expect(got.map((g) => g.lt)).toEqual([1, 101, 113]);
      for (const [i, g] of got.entries()) expect(Math.abs(g.ts - frames[i].ts)).toBeLessThan(1e-2);
      expect(p.linktypes().sort()).toEqual([1, 101, 113]);
    });
  }

  it('one byte at a time gives the same frames as one chunk', () => {
    const f = pcapngFile([{ linktype: 1 }], frames);
    expect(parse(f, 1).got).toEqual(parse(f).got);
  });

  it('refuses what is not a capture, with a code', () => {
    const p = new CaptureParser(() => {});
    expect(() => p.push(Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n'))).toThrowError(SensorError);
    try {
      new CaptureParser(() => {}).push(Buffer.from('x'.repeat(100)));
    } catch (e) {
      expect((e as SensorError).code).toBe('NOT_A_CAPTURE');
    }
    const empty = new CaptureParser(() => {});
    expect(() => empty.end()).toThrowError(/empty input/);
  });

  it('a capture cut short yields every whole record and reports the rest', () => {
    const whole = pcapFile(frames, { linktype: 1 });
    const { got, left } = parse(whole.subarray(0, whole.length - 10));
    expect(got).toHaveLength(2);
    expect(left).toBe(16 + 20 - 10);
  });

  it('a corrupt record length is an error, not an allocation', () => {
    const f = pcapFile(frames, { linktype: 1 });
    f.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(() => parse(f)).toThrowError(/corrupt record/);
  });
});

describe('readCaptureFile', () => {
  it('reads the same records whatever the chunk size, records larger than the read margin included', async () => {
    const recs = [
      ...Array.from({ length: 500 }, (_, i) => ({
        ts: 1_700_000_000_000 + i,
        data: Uint8Array.from({ length: 40 + (i % 200) }, (_, j) => (i + j) & 0xff),
      })),
      { ts: 1_700_000_001_000, data: new Uint8Array(3 << 20).fill(9) }, // 3 MiB: longer than the 1 MiB margin
      ...Array.from({ length: 50 }, (_, i) => ({ ts: 1_700_000_002_000 + i, data: new Uint8Array(60).fill(i) })),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'porthole-read-'));
    try {
      const f = join(dir, 'c.pcap');
      writeFileSync(f, pcapFile(recs, { linktype: 1, snaplen: 8 << 20 }));
      for (const chunkSize of [97, 4096, 1 << 20, 4 << 20]) {
        const got: string[] = [];
        const r = await readCaptureFile(
          f,
          (b, off, len, sec, nsec) => got.push(`${frameMs(sec, nsec)}:${len}:${b[off]}:${b[off + len - 1]}`),
          { chunkSize },
        );
        expect(r.truncatedBytes).toBe(0);
        expect(got).toEqual(recs.map((x) => `${x.ts}:${x.data.length}:${x.data[0]}:${x.data[x.data.length - 1]}`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fileSource', () => {
  it('is a PacketSource over readCaptureFile: named after the file, not live, read to its end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-source-'));
    try {
      const f = join(dir, 'c.pcap');
      writeFileSync(f, pcapFile(frames, { linktype: 1 }));
      const source = fileSource(f);
      expect(source.name).toBe(`pcap:${f}`);
      expect(source.live).toBe(false);
      const lens: number[] = [];
      source.stop(); // a file is always read to its end
      const r = await source.run((_b, _off, len) => lens.push(len));
      expect(lens).toEqual([60, 1514, 20]);
      expect(r.frames).toBe(3);
      expect(r.path).toBe(f);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
