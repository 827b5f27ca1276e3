// Reads capture files (or stdin for "-") as a stream into a CaptureParser, as a PacketSource:
// files larger than memory work. Reports progress in bytes and warns, not fails, when a capture
// is cut short.

import { closeSync, openSync, read as readCb, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { systemErrorText } from '../../common/errors.js';
import { SensorError } from '../errors.js';
import { CaptureParser, type FrameSink } from './capture-parser.js';
import type { PacketSource } from './packet-source.js';

export interface FileReadResult {
  path: string;
  format: string;
  frames: number;
  bytes: number;
  truncatedBytes: number; // bytes of an incomplete last record (capture cut short)
  linktypes: number[];
}

export interface ReadOptions {
  onProgress?: (bytesRead: number) => void;
  chunkSize?: number;
  /** An already open descriptor for `path` (opened before privileges were dropped). */
  fd?: number;
}

/** Open a capture file now (while still privileged); "-" is stdin and needs no opening. */
export function openCaptureFile(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new SensorError('CAPTURE_UNREADABLE', `${path}: ${systemErrorText(err)}`, {
      cause: err,
    });
  }
}

/** Size of a file in bytes, or null for stdin, pipes and other streams. */
export function inputSize(path: string): number | null {
  if (path === '-') return null;
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function readAsync(fd: number, b: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => readCb(fd, b, off, len, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Files are read with two buffers in turn: while the parser consumes one, the next read fills
 * the other (so the copy from the page cache overlaps parsing). Each read lands MARGIN bytes into its buffer, and the unparsed tail of the
 * previous buffer is copied in front of it; a tail longer than MARGIN (a huge pcapng block)
 * takes a slow path that concatenates. Stdin and pipes go through a stream.
 */
const MARGIN = 1 << 20;

async function readInto(
  parser: CaptureParser,
  path: string,
  opts: ReadOptions,
): Promise<{ read: number; left: number }> {
  let read = 0;
  if (path === '-') {
    for await (const chunk of process.stdin as Readable) {
      read += (chunk as Buffer).length;
      parser.push(chunk as Buffer);
      opts.onProgress?.(read);
    }
    return { read, left: parser.end() };
  }
  // a descriptor opened before privileges were dropped is used as it is (never reopened by path)
  const fd = opts.fd ?? openSync(path, 'r');
  const size = opts.chunkSize ?? 4 << 20;
  const bufs = [Buffer.allocUnsafe(MARGIN + size), Buffer.allocUnsafe(MARGIN + size)];
  let cur = 0;
  let tail: Buffer = Buffer.alloc(0); // unparsed bytes of the previous chunk
  let pending: Promise<number> | null = null;
  try {
    pending = readAsync(fd, bufs[cur], MARGIN, size);
    for (;;) {
      const n = await pending;
      pending = null;
      if (n === 0) break;
      read += n;
      let data: Buffer;
      if (tail.length <= MARGIN) {
        tail.copy(bufs[cur], MARGIN - tail.length); // before the other buffer is reused below
        data = bufs[cur].subarray(MARGIN - tail.length, MARGIN + n);
      } else {
        data = Buffer.concat([tail, bufs[cur].subarray(MARGIN, MARGIN + n)]);
      }
      pending = readAsync(fd, bufs[cur ^ 1], MARGIN, size);
      const used = parser.feed(data);
      tail = data.subarray(used);
      cur ^= 1;
      opts.onProgress?.(read);
    }
  } finally {
    // a read still in flight (the parser threw) must finish before its descriptor is closed
    await pending?.catch(() => {});
    closeSync(fd);
  }
  return { read, left: parser.end(tail.length) };
}

/** A capture file (or "-", stdin) as a PacketSource; its run() resolves to what was read. */
export function fileSource(path: string, opts: ReadOptions = {}): PacketSource<FileReadResult> {
  return { name: `pcap:${path}`, live: false, run: (sink) => readCaptureFile(path, sink, opts), stop() {} };
}

export async function readCaptureFile(path: string, sink: FrameSink, opts: ReadOptions = {}): Promise<FileReadResult> {
  const parser = new CaptureParser(sink);
  let read = 0;
  let truncatedBytes = 0;
  try {
    ({ read, left: truncatedBytes } = await readInto(parser, path, opts));
  } catch (err) {
    if (err instanceof SensorError) throw new SensorError(err.code, `${path}: ${err.message}`, { cause: err });
    throw new SensorError('CAPTURE_UNREADABLE', `${path}: ${systemErrorText(err)}`, {
      cause: err,
    });
  }
  return {
    path,
    format: parser.format ?? 'unknown',
    frames: parser.frames,
    bytes: read,
    truncatedBytes,
    linktypes: parser.linktypes(),
  };
}
