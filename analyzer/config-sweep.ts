// The configuration keys of scheduled sweeps (porthole sweeper, docs/sweeps.md) and their
// validation: every problem is added to the caller's list, naming its key. The networks swept
// are verify.allowedNetworks, never a list of the sweep's own.

import type { KeySpec } from '../schemas/config-spec.js';
import { TOPICS } from '../schemas/topics.js';
import { type PortSet, parsePortSet } from './sweep/ports.js';

export const SWEEP_SPEC: KeySpec[] = [
  {
    key: 'sweep.period',
    kind: { t: 'duration' },
    def: 24 * 3_600_000,
    doc: 'one sweep of verify.allowedNetworks per period (slots aligned on the epoch: every sweeper names a sweep the same)',
  },
  {
    key: 'sweep.ports',
    kind: { t: 'string' },
    def: 'top-1000',
    doc: "ports swept: all, top-N (nmap's N most common) or a list of ports and ranges (22,80,8000-8100)",
  },
  {
    key: 'sweep.scanType',
    kind: { t: 'enum', values: ['auto', 'syn', 'connect'] },
    def: 'auto',
    doc: 'auto: SYN scan when nmap may send raw packets, connect scan otherwise or with verify.sourceAddresses',
  },
  {
    key: 'sweep.hostDiscovery',
    kind: { t: 'bool' },
    def: true,
    doc: "false: -Pn, every address scanned as if up (hosts that drop nmap's discovery probes are found too, slower)",
  },
  { key: 'sweep.minHostGroup', kind: { t: 'int', min: 1, max: 4096 }, def: 64, doc: 'nmap --min-hostgroup' },
  { key: 'sweep.maxHostGroup', kind: { t: 'int', min: 1, max: 4096 }, def: 256, doc: 'nmap --max-hostgroup' },
  {
    key: 'sweep.minRate',
    kind: { t: 'int', min: 0, max: 10_000_000 },
    def: 0,
    doc: 'nmap --min-rate, packets a second (0: none)',
  },
  {
    key: 'sweep.maxRate',
    kind: { t: 'int', min: 0, max: 10_000_000 },
    def: 2000,
    doc: 'nmap --max-rate, packets a second (0: none); keep under what the link and its firewalls take',
  },
  {
    key: 'sweep.hostTimeout',
    kind: { t: 'duration' },
    def: 120_000,
    doc: 'nmap --host-timeout for hosts fast in earlier runs',
  },
  {
    key: 'sweep.slowHostTimeout',
    kind: { t: 'duration' },
    def: 900_000,
    doc: '--host-timeout for hosts that timed out or answered slowly in earlier runs (swept in blocks of their own)',
  },
  {
    key: 'sweep.slowRtt',
    kind: { t: 'duration' },
    def: 300,
    doc: "a host whose round-trip time (nmap's srtt) reached this in its last run is slow",
  },
  { key: 'sweep.maxRetries', kind: { t: 'int', min: 0, max: 10 }, def: 1, doc: 'nmap --max-retries' },
  {
    key: 'sweep.blockSize',
    // a block of the largest size stays one Kafka message well under the broker's default limit
    kind: { t: 'int', min: 1, max: 16384 },
    def: 256,
    doc: 'addresses per work item (one nmap run; a crashed sweeper loses at most one block in progress)',
  },
  {
    key: 'sweep.maxAddresses',
    kind: { t: 'int', min: 1, max: 16_777_216 },
    def: 65536,
    doc: 'a verify.allowedNetworks with more addresses is refused at start (an IPv6 /64 cannot be swept)',
  },
  { key: 'kafka.sweepTopic', kind: { t: 'string' }, def: TOPICS.sweepBlocks.name, doc: 'sweep blocks (work items)' },
  {
    key: 'kafka.sweepStatusTopic',
    kind: { t: 'string' },
    def: TOPICS.sweepStatus.name,
    doc: "the sweepers' progress messages",
  },
  {
    key: 'kafka.sweeperGroupId',
    kind: { t: 'string' },
    def: 'porthole-sweeper',
    doc: 'consumer group of the sweepers: sweepers in one group share the blocks',
  },
];

export interface SweepConfig {
  periodMs: number;
  ports: PortSet;
  scanType: 'auto' | 'syn' | 'connect';
  hostDiscovery: boolean;
  minHostGroup: number;
  maxHostGroup: number;
  minRate: number;
  maxRate: number;
  hostTimeoutMs: number;
  slowHostTimeoutMs: number;
  slowRttMs: number;
  maxRetries: number;
  blockSize: number;
  maxAddresses: number;
  topic: string;
  statusTopic: string;
  groupId: string;
}

export function sweepConfig(g: <T>(key: string) => T, errors: string[]): SweepConfig {
  const ports = parsePortSet(g('sweep.ports'));
  if ('error' in ports) errors.push(`sweep.ports: ${ports.error}`);
  if (g<number>('sweep.period') < 60_000) errors.push('sweep.period: at least 1m');
  if (g<number>('sweep.minHostGroup') > g<number>('sweep.maxHostGroup'))
    errors.push('sweep.minHostGroup: more than sweep.maxHostGroup');
  const minRate = g<number>('sweep.minRate');
  const maxRate = g<number>('sweep.maxRate');
  if (minRate && maxRate && minRate > maxRate) errors.push('sweep.minRate: more than sweep.maxRate');
  if (g<number>('sweep.hostTimeout') < 1000) errors.push('sweep.hostTimeout: at least 1s');
  if (g<number>('sweep.slowHostTimeout') < g<number>('sweep.hostTimeout'))
    errors.push('sweep.slowHostTimeout: shorter than sweep.hostTimeout');
  return {
    periodMs: g('sweep.period'),
    ports: 'error' in ports ? { kind: 'all' } : ports,
    scanType: g('sweep.scanType'),
    hostDiscovery: g('sweep.hostDiscovery'),
    minHostGroup: g('sweep.minHostGroup'),
    maxHostGroup: g('sweep.maxHostGroup'),
    minRate,
    maxRate,
    hostTimeoutMs: g('sweep.hostTimeout'),
    slowHostTimeoutMs: g('sweep.slowHostTimeout'),
    slowRttMs: g('sweep.slowRtt'),
    maxRetries: g('sweep.maxRetries'),
    blockSize: g('sweep.blockSize'),
    maxAddresses: g('sweep.maxAddresses'),
    topic: g('kafka.sweepTopic'),
    statusTopic: g('kafka.sweepStatusTopic'),
    groupId: g('kafka.sweeperGroupId'),
  };
}
