// sFlow datagrams received from switches (UDP), as a PacketSource: each datagram is one frame
// of link type SFLOW_DATAGRAM, timed when it arrived (sFlow carries no time of day), for the
// packet path to walk its samples. The socket is bound when opened (while still privileged, a
// port below 1024 needing it), and datagrams that arrive before run() are held, a bounded number.
// Limits: what the kernel drops from a full receive buffer is not counted here (netstat -su
// shows it as receive buffer errors); its size is capture.bufferMb, capped by net.core.rmem_max.

import { createSocket, type Socket } from 'node:dgram';
import { systemErrorText } from '../../common/errors.js';
import type { ListenAddress } from '../../schemas/config-values.js';
import { SFLOW_DATAGRAM } from '../decode/sflow.js';
import { SensorError } from '../errors.js';
import type { FrameSink } from './capture-parser.js';
import type { PacketSource } from './packet-source.js';

/** Datagrams held between the bind and run() at most; later ones are dropped (and counted). */
const HELD_MAX = 4096;

export interface SflowSource extends PacketSource<null> {
  /** where it listens (the port the system chose when 0 was asked) */
  readonly address: ListenAddress;
  /** datagrams dropped before run() (more than it holds) */
  readonly droppedBeforeRun: number;
}

/** Bind a UDP socket on `listen` now; datagrams flow to the sink from run() on. */
export async function openSflowSource(listen: ListenAddress, opts: { bufferBytes: number }): Promise<SflowSource> {
  const socket: Socket = createSocket({ type: listen.host.includes(':') ? 'udp6' : 'udp4' });
  const held: Array<[Buffer, number]> = []; // with the time each came
  let dropped = 0;
  let sink: FrameSink | null = null;
  const deliver = (msg: Buffer, ms: number): void => {
    sink!(msg, 0, msg.length, Math.floor(ms / 1000), (ms % 1000) * 1e6, SFLOW_DATAGRAM);
  };
  socket.on('message', (msg: Buffer) => {
    if (sink) deliver(msg, Date.now());
    else if (held.length < HELD_MAX) held.push([msg, Date.now()]);
    else dropped++;
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new SensorError(
          'SFLOW_LISTEN_FAILED',
          `capture.sflow: cannot listen on ${hostPort(listen)}: ${systemErrorText(err)}`,
          { cause: err },
        ),
      );
    socket.once('error', onError);
    socket.bind(listen.port, listen.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(opts.bufferBytes);
  } catch {
    // the kernel's limit applies anyway; a smaller buffer only drops sooner
  }
  const bound = socket.address();
  let stopped = false;
  let ended: (() => void) | null = null;
  let failed: ((err: unknown) => void) | null = null;
  socket.on('error', (err) => {
    failed?.(new SensorError('SFLOW_RECEIVE_FAILED', `sflow: ${systemErrorText(err)}`, { cause: err }));
  });
  socket.on('close', () => ended?.());
  const address = Object.freeze({ host: bound.address, port: bound.port });
  return {
    name: `sflow:${hostPort(address)}`,
    live: true,
    address,
    get droppedBeforeRun() {
      return dropped;
    },
    run(s) {
      return new Promise<null>((resolve, reject) => {
        ended = () => resolve(null);
        failed = reject;
        if (stopped) {
          resolve(null);
          return;
        }
        sink = s;
        // the held datagrams first, in the order they came
        for (const [msg, ms] of held.splice(0)) deliver(msg, ms);
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      socket.close();
    },
  };
}

function hostPort(l: ListenAddress): string {
  return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}
