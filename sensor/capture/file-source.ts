// Reads capture files (or stdin for "-") as a stream into a CaptureParser: files larger than
// memory work. Reports progress in bytes and warns, not fails, when a capture is cut short.

import { createReadStream, openSync, statSync } from 'node:fs';
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

export async function readCaptureFile(path: string, sink: FrameSink, opts: ReadOptions = {}): Promise<FileReadResult> {
  const parser = new CaptureParser(sink);
  const stream: Readable =
    path === '-' ? process.stdin : createReadStream(path, { highWaterMark: opts.chunkSize ?? 1 << 20, fd: opts.fd });
  let read = 0;
  try {
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      parser.push(chunk as Buffer);
      opts.onProgress?.(read);
    }
  } catch (err) {
    if (err instanceof SensorError) throw new SensorError(err.code, `${path}: ${err.message}`, { cause: err });
    const e = err as NodeJS.ErrnoException;
    throw new SensorError('CAPTURE_UNREADABLE', `${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
      cause: err,
    });
  }
  let truncatedBytes: number;
  try {
    truncatedBytes = parser.end();
  } catch (err) {
    throw new SensorError((err as SensorError).code, `${path}: ${(err as Error).message}`, { cause: err });
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
