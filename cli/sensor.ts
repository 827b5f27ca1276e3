// `porthole sensor`: options -> validated config -> runSensor. Also --print-filter.

import { parseArgs } from 'node:util';
import { rootLogger } from '../common/logger.js';
import { buildFilter } from '../sensor/capture/bpf-filter.js';
import type { Flat } from '../schemas/config-spec.js';
import { loadSensorConfig, SENSOR_SPEC } from '../sensor/config.js';
import { specHelp } from '../schemas/config-spec.js';
import { runSensor } from '../sensor/main.js';

/** A key's default as the help shows it, from the config spec: lists comma-joined, durations in seconds. */
function dflt(key: string): string {
  const s = SENSOR_SPEC.find((k) => k.key === key)!;
  if (s.kind.t === 'duration') return `${(s.def as number) / 1000}s`;
  return Array.isArray(s.def) ? s.def.join(',') : String(s.def);
}

export const SENSOR_HELP = `Usage: porthole sensor (--iface IF[,IF...] | --pcap FILE | --sflow [ADDR:]PORT) [options]

Capture on a mirror port (or read a capture file, or receive sFlow from switches) and publish
an Observation per service endpoint and window to Kafka, plus a health message every status
interval.

Options (each also settable in a JSON config file and as PORTHOLE_* environment variables):
  --iface IF[,IF...]    interface attached to the mirror/SPAN port; several (a TAP's ports,
                        one per direction) are captured into one tracker
  --on-interface-loss wait|exit
                        when an interface goes down or disappears: wait for it and reopen it,
                        or flush and exit non-zero (default ${dflt('capture.onInterfaceLoss')})
  --pcap FILE           publish from a capture file instead (pcap or pcapng)
  --sflow [ADDR:]PORT   receive sFlow v5 datagrams from switches instead (UDP; a port alone
                        listens on 127.0.0.1: give the address switches reach, e.g. 0.0.0.0:6343);
                        services seen in samples get evidence "sampled" and estimated counts
  --config FILE         JSON config file (keys as below, nested by their dots)
  --brokers LIST        Kafka brokers, comma-separated (default ${dflt('kafka.brokers')})
  --sensor-id ID        id in every message (default: host name)
  --user NAME           user to switch to after opening the capture (default ${dflt('capture.user')})
  --buffer-mb N         libpcap buffer in MiB, or the sFlow socket's (default ${dflt('capture.bufferMb')})
  --window DUR          aggregation window (default ${dflt('track.window')})
  --status-interval DUR health message period (default ${dflt('status.interval')})
  --no-acks             capture only SYN/RST packets (cheaper; evidence is then "synack")
  --encapsulations LIST which encapsulations to let through (default ${dflt('capture.encapsulations')})
  --print-filter        print the kernel capture filter and exit
  -h, --help            this help

Every configuration key:
${specHelp(SENSOR_SPEC)}
`;

export async function sensorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      iface: { type: 'string' },
      'on-interface-loss': { type: 'string' },
      pcap: { type: 'string' },
      sflow: { type: 'string' },
      config: { type: 'string' },
      brokers: { type: 'string' },
      'sensor-id': { type: 'string' },
      user: { type: 'string' },
      'buffer-mb': { type: 'string' },
      window: { type: 'string' },
      'status-interval': { type: 'string' },
      'no-acks': { type: 'boolean' },
      encapsulations: { type: 'string' },
      'print-filter': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SENSOR_HELP);
    return 0;
  }
  const flags: Flat = {
    'capture.iface': values.iface,
    'capture.onInterfaceLoss': values['on-interface-loss'],
    'capture.pcap': values.pcap,
    'capture.sflow': values.sflow,
    'kafka.brokers': values.brokers,
    'sensor.id': values['sensor-id'],
    'capture.user': values.user,
    'capture.bufferMb': values['buffer-mb'],
    'track.window': values.window,
    'status.interval': values['status-interval'],
    'capture.acks': values['no-acks'] ? false : undefined,
    'capture.encapsulations': values.encapsulations,
  };
  const cfg = loadSensorConfig({ file: values.config, flags, needSource: !values['print-filter'] });
  if (values['print-filter']) {
    process.stdout.write(`${buildFilter({ acks: cfg.capture.acks, encapsulations: cfg.capture.encapsulations })}\n`);
    return 0;
  }
  const logger = await rootLogger({
    level: cfg.logLevel,
    format: cfg.logFormat,
    base: { service: 'porthole-sensor', sensor: cfg.sensorId },
  });
  return runSensor(cfg, logger);
}
