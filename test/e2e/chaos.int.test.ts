// The chaos soak, short: about three minutes of mirrored traffic (20,000 packets/s) while Kafka,
// ClickHouse, the analyzer, the verifier and the sensor (SIGTERM and SIGKILL) are killed and
// restarted in turn, each at least once, on the soak's own Kafka and ClickHouse (free ports,
// removed at the end). Then: the inventory equals the truth but for endpoints whose every
// handshake fell in a sensor outage (counted), one alert per exposure, every stored alert
// delivered, the real servers verified, no process exiting by itself or printing an unhandled
// rejection or a native abort, the sensor's packet counts within what was offered.
// The full soak and its figures: benchmarks/chaos.ts, benchmarks/README.md.

import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../benchmarks/chaos/faults.js';
import { runSoak } from '../../benchmarks/chaos/soak.js';
import { soakFailures, summary } from '../../benchmarks/chaos/summary.js';

// the capture interface deleted and re-created too (the sensor waits: capture.onInterfaceLoss)
const IFACE_LOSS = true;

describe('chaos soak (short)', () => {
  it('keeps the inventory and alerts true through killed and restarted processes', async () => {
    const r = await runSoak({
      minutes: 3,
      pps: 20_000,
      slotSeconds: 5,
      perSlot: 4,
      faultEverySeconds: 8,
      holdSeconds: 4,
      faults: [...FAULTS],
      minRounds: 1,
      ifaceLoss: IFACE_LOSS,
      staleAfter: '2m',
      reopenGapSlots: 0,
      rssEverySeconds: 5,
      warmupSeconds: 30,
      drainSeconds: 120,
      log: () => {},
    });
    process.stdout.write(`${summary(r)}\n`);
    const kinds = new Set(r.faults.filter((f) => f.recovered !== null).map((f) => f.fault));
    expect([...kinds].sort()).toEqual(FAULTS.filter((f) => IFACE_LOSS || f !== 'iface-delete').sort());
    expect(r.verdict.endpoints.sure).toBeGreaterThan(100);
    expect(soakFailures(r)).toEqual([]);
  }, 900_000);
});
