// The chaos soak (benchmarks/chaos/): mirrored traffic in a namespace lab while Kafka,
// ClickHouse, the analyzer, the verifier and the sensor are killed and restarted in turn (and,
// with --iface-loss, the capture interface deleted and re-created); then the inventory, alerts,
// counters, memory and crashes are judged against the truth. Its own Kafka and ClickHouse on
// free ports (never the shared ones), all removed at the end. Needs root, java, clickhouse-server,
// tcpreplay, nmap, python3.
// Usage: node dist/benchmarks/chaos.js [--minutes 30] [--pps 30000] [--fault-every 30] [--stale-after 2m]
//          [--faults kafka-kill,clickhouse-kill,…] [--iface-loss] [--out FILE]

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDuration } from '../common/time.js';
import { FAULTS, type Fault } from './chaos/faults.js';
import { runSoak } from './chaos/soak.js';
import { soakFailures, summary } from './chaos/summary.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    pps: { type: 'string', default: '30000' },
    'fault-every': { type: 'string', default: '30' },
    'stale-after': { type: 'string', default: '2m' },
    'iface-loss': { type: 'boolean', default: false },
    faults: { type: 'string', default: FAULTS.join(',') },
    out: { type: 'string', default: 'benchmarks/results/chaos.json' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 240)) {
  process.stderr.write('chaos: --minutes must be between 0 and 240\n');
  process.exit(2);
}

const faults = values.faults.split(',') as Fault[];
if (faults.some((f) => !FAULTS.includes(f))) {
  process.stderr.write(`chaos: --faults: each one of ${FAULTS.join(', ')}\n`);
  process.exit(2);
}
const stale = parseDuration(values['stale-after']);
if ('error' in stale) {
  process.stderr.write(`chaos: --stale-after: ${stale.error}\n`);
  process.exit(2);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const r = await runSoak({
  minutes,
  pps: Number(values.pps),
  slotSeconds: 5,
  perSlot: 4,
  faultEverySeconds: Number(values['fault-every']),
  holdSeconds: 5,
  faults,
  minRounds: 1,
  ifaceLoss: values['iface-loss'],
  staleAfter: values['stale-after'],
  // reopened exposures come back after three times policy.staleAfter plus a minute, so no
  // outage of the loop's can hold an endpoint's sightings back that long
  reopenGapSlots: Math.ceil((3 * stale.ms + 60_000) / 5000),
  rssEverySeconds: 5,
  warmupSeconds: 60,
  drainSeconds: 180,
  log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
});
writeFileSync(values.out, `${JSON.stringify({ machine, ...r }, null, 1)}\n`);
process.stdout.write(`${machine}\n${summary(r)}\nresult: ${values.out}\n`);
process.exitCode = soakFailures(r).length ? 1 : 0;
