// The tracking thread of a threaded replay: runs the Tracker over the segment records the
// decoding thread puts in the ring. Each closed window is posted as columns (its numbers
// transferred, not copied; see tracker-thread.ts), the stats at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { ACK, Packet, RST, SYN } from '../decode/packet.js';
import { readRecord, recordFlags, recordRate } from './segment-records.js';
import { endpointOrder } from '../track/endpoint-table.js';
import { CHUNK_RECORDS, drainRing, failRing, type RingBuffers } from './segment-ring.js';
import type { TrackerMessage } from './tracker-thread.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';

const { ring, ackFilters } = workerData as { ring: RingBuffers; ackFilters: Uint8Array };
// the options come in the first message (the thread may be started before they are known)
const opts = await new Promise<TrackerOptions>((resolve) => parentPort!.once('message', resolve));
try {
  const tracker = new Tracker(
    opts,
    (w, end) => {
      // sorted here, where the data is: the parent then only makes the Observations. Address
      // texts hold no newline: each list joined clones with one copy (an array of strings is
      // cloned string by string)
      const order = endpointOrder(w);
      const msg: TrackerMessage = {
        window: {
          size: w.size,
          cols: w.cols,
          ips: w.ips.join('\n'),
          samples: w.samples.join('\n'),
          audience: w.audience,
          order,
          lossChecked: w.lossChecked,
          lossMissed: w.lossMissed,
        },
        end,
      };
      parentPort!.postMessage(msg, [
        w.cols.buffer as ArrayBuffer,
        order.buffer as ArrayBuffer,
        w.audience.words.buffer as ArrayBuffer,
        w.audience.sketches.buffer as ArrayBuffer,
      ]);
    },
    ackFilters,
  );
  const p = new Packet();
  const synHashes = new Int32Array(CHUNK_RECORDS);
  drainRing(ring, (v, count) => {
    // the flow-table entries of the chunk's SYNs, loaded first all together (Tracker.prefetch):
    // their cache misses overlap
    let syns = 0;
    for (let n = 0; n < count; n++) {
      if ((recordFlags(v, n) & (SYN | ACK | RST)) !== SYN || recordRate(v, n) !== 0) continue;
      readRecord(v, n, p);
      synHashes[syns++] = tracker.synHash(p);
    }
    tracker.prefetch(synHashes, syns);
    for (let n = 0; n < count; n++) {
      readRecord(v, n, p);
      const rate = recordRate(v, n);
      if (rate === 0) tracker.onSegment(p);
      else tracker.onSample(p, rate);
    }
  });
  tracker.finish();
  parentPort!.postMessage({ stats: tracker.stats } satisfies TrackerMessage);
} catch (err) {
  failRing(ring);
  throw err;
}
