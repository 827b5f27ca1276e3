// The demo's two config files, in its own folder: everything it makes is named for its run
// (database, topics, consumer groups) so it never reads or writes what a real Porthole on the
// same Kafka and ClickHouse uses. The analyzer learns for `learningPeriod` (the history is the
// network before Porthole watched it) and calls a service stale after three minutes unseen (so
// the printer's closed port shows closed within the demo). The verifier may scan only the
// build box, inside the demo's namespace (without the lab the demo runs no verifier).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '../schemas/topics.js';
import { NEW_SERVICE, VERIFIER_ADDRESS } from './story.js';

export interface DemoNames {
  database: string;
  topicPrefix: string;
  topics: { observations: string; status: string; dlq: string; alerts: string; verify: string };
  groups: { analyzer: string; verifier: string };
}

export function demoNames(tag: string): DemoNames {
  const prefix = `porthole-demo-${tag}`;
  return {
    database: `porthole_demo_${tag}`,
    topicPrefix: prefix,
    topics: {
      observations: `${prefix}.${TOPICS.observations.name}`,
      status: `${prefix}.${TOPICS.sensorStatus.name}`,
      dlq: `${prefix}.${TOPICS.deadLetters.name}`,
      alerts: `${prefix}.${TOPICS.alerts.name}`,
      verify: `${prefix}.${TOPICS.verifyRequests.name}`,
    },
    groups: { analyzer: `${prefix}-analyzer`, verifier: `${prefix}-verifier` },
  };
}

export interface DemoFiles {
  sensor: string;
  analyzer: string;
}

export function writeDemoConfigs(
  dir: string,
  n: DemoNames,
  o: { consoleListen: string; learningPeriodMs: number; nmapCommand: string[] | null },
): DemoFiles {
  const sensor = {
    sensor: { id: 'demo-span-port' },
    // its own capture file, read as the user the demo runs as: a file the demo wrote needs no
    // switch to `nobody`, who may not be able to read Porthole's files (a clone in /root)
    capture: { user: null },
    track: { scannerAddresses: [VERIFIER_ADDRESS] },
    kafka: { observationsTopic: n.topics.observations, statusTopic: n.topics.status },
    metrics: { listen: null },
  };
  const analyzer = {
    clickhouse: { database: n.database },
    kafka: {
      groupId: n.groups.analyzer,
      verifierGroupId: n.groups.verifier,
      observationsTopic: n.topics.observations,
      statusTopic: n.topics.status,
      deadLetterTopic: n.topics.dlq,
      alertsTopic: n.topics.alerts,
      verifyRequestsTopic: n.topics.verify,
    },
    policy: {
      learningPeriod: o.learningPeriodMs,
      staleAfter: '3m',
      scannerAddresses: [VERIFIER_ADDRESS],
    },
    verify: {
      allowedNetworks: o.nmapCommand ? [`${NEW_SERVICE.ip}/32`] : [],
      nmapCommand: o.nmapCommand ?? ['nmap'],
      batchDelay: '200ms',
      metricsListen: null,
    },
    metrics: { listen: null },
    console: { listen: o.consoleListen, publicUrl: `http://${o.consoleListen}`, metricsListen: null },
  };
  const files = { sensor: join(dir, 'sensor.json'), analyzer: join(dir, 'analyzer.json') };
  writeFileSync(files.sensor, `${JSON.stringify(sensor, null, 2)}\n`);
  writeFileSync(files.analyzer, `${JSON.stringify(analyzer, null, 2)}\n`);
  return files;
}
