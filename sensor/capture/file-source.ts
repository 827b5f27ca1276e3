// Reads capture files (or stdin for "-") as a stream into a CaptureParser: files larger than
// memory work. Reports progress in bytes and warns, not fails, when a capture is cut short.

import { closeSync, openSync, read as readCb, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { SensorError } from '../errors.js';
import { CaptureParser, type FrameSink } from './capture-parser.js';

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
    const e = err as NodeJS.ErrnoException;
    throw new SensorError('CAPTURE_UNREADABLE', `${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { cause: err });
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
 * Files are read into one buffer that the parser consumes in place (the unparsed tail moves to
 * the front; no concatenation per chunk); stdin and pipes go through a stream.
 */
async function readInto(parser: CaptureParser, path: string, opts: ReadOptions): Promise<{ read: number; left: number }> {
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
  let buf = Buffer.allocUnsafe(opts.chunkSize ?? 4 << 20);
  let have = 0;
  try {
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // a record larger than the buffer
      const bytesRead = await readAsync(fd, buf, have, buf.length - have);
      if (bytesRead === 0) break;
      read += bytesRead;
      have += bytesRead;
      const used = parser.feed(buf.subarray(0, have));
      buf.copyWithin(0, used, have);
      have -= used;
      opts.onProgress?.(read);
    }
  } finally {
    closeSync(fd);
  }
  return { read, left: parser.end(have) };
}

export async function readCaptureFile(path: string, sink: FrameSink, opts: ReadOptions = {}): Promise<FileReadResult> {
  const parser = new CaptureParser(sink);
  let read = 0;
  let truncatedBytes = 0;
  try {
    ({ read, left: truncatedBytes } = await readInto(parser, path, opts));
  } catch (err) {
    if (err instanceof SensorError) throw new SensorError(err.code, `${path}: ${err.message}`, { cause: err });
    const e = err as NodeJS.ErrnoException;
    throw new SensorError('CAPTURE_UNREADABLE', `${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
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
