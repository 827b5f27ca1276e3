// `porthole replay FILE...`: the live sensor's decode/track path run over capture files; prints
// the service endpoints found and a summary on stderr. Needs no Kafka or ClickHouse.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { endpointKey } from '../schemas/endpoint.js';
import { captureLoss, type Observation } from '../schemas/observation.js';
import { DEFAULT_INTERNAL_RANGES, parseHomeNetworks } from '../schemas/zones.js';
import { fileSource, inputSize } from '../sensor/capture/file-source.js';
import { SUPPORTED_LINKTYPES } from '../sensor/decode/link.js';
import { isError, REASONS } from '../sensor/decode/reasons.js';
import { createPipeline, type PipelineStats } from '../sensor/pipeline/one-thread.js';
import { createThreadedPipeline } from '../sensor/pipeline/threaded.js';
import { DEFAULT_TRACKER_OPTIONS } from '../sensor/track/tracker.js';
import { dropPrestartedThread } from '../sensor/pipeline/prestart.js';
import { durationFlag, parseCount, usage } from './args.js';
import { isoMs, jsonLines, num, table } from './format.js';
import { createProgress } from './progress.js';

export const REPLAY_HELP = `Usage: porthole replay [options] FILE...

Find the TCP service endpoints in capture files (pcap or pcapng; "-" reads stdin),
with exactly the decode and handshake tracking the live sensor runs.

Options:
  --json               one JSON object per endpoint per line: the Observation message (ip,
                       port, proto, evidence, first_seen, last_seen, handshakes, clients,
                       clients_internal, clients_internet, sample_clients, ...)
  --window DUR         one result per endpoint per window of packet time (e.g. 5s);
                       default: one result per endpoint for the whole input
  --sensor-id ID       sensor id put in the results (default: replay)
  --home-networks L    comma-separated CIDRs whose clients count as internal (default: the
                       private and internal ranges, ${DEFAULT_INTERNAL_RANGES.join(', ')})
  --max-flows N        half-open connections tracked at once (default ${DEFAULT_TRACKER_OPTIONS.maxFlows})
  --syn-timeout DUR    a SYN unanswered this long counts as unanswered (default ${DEFAULT_TRACKER_OPTIONS.synTimeoutMs / 1000}s)
  --threads N          1: decode and track in one thread (as the live sensor); 2: track in a
                       second thread (default 2 when the machine has two cores or more)
  --teredo-any         also follow Teredo on UDP ports other than 3544, when the payload is an
                       IPv6 packet that fills the datagram (as the sensor with capture.encapsulations
                       teredo-any; tshark: --enable-heuristic teredo_udp); off by default
  --no-progress        no progress bar on a terminal
  -h, --help           this help

Endpoints are listed by address (IPv4 first, then IPv6, each numerically), then port; with
--window, by first SYN+ACK time. CLIENTS, INTERNAL and INTERNET are exact distinct counts for
each row (the whole input, or one window with --window; capped as the sensor caps them). Summary (packets, decode failures by reason, handshakes,
capture loss, endpoints) goes to stderr. Capture loss: of the handshakes whose client ACK (or
RST) was seen with their SYN or SYN+ACK, the share of those two packets the capture lacks.
sFlow datagrams in the capture (UDP port 6343) are read too: an endpoint known only from their
samples has evidence "sampled", its handshakes estimated (samples times sampling rate).
Exit status: 0 ok, 1 input unreadable or not a capture, 2 usage error.
`;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      window: { type: 'string' },
      'sensor-id': { type: 'string', default: 'replay' },
      'home-networks': { type: 'string' },
      'max-flows': { type: 'string' },
      'syn-timeout': { type: 'string' },
      threads: { type: 'string' },
      'teredo-any': { type: 'boolean', default: false },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(REPLAY_HELP);
    return 0;
  }
  if (positionals.length === 0) throw usage('replay: no capture file given (see porthole replay --help)');
  const opts = {
    ...DEFAULT_TRACKER_OPTIONS,
    sensorId: values['sensor-id'] as string,
    windowMs: values.window ? durationFlag('--window', values.window) : 0,
    maxFlows: values['max-flows'] ? parseCount('--max-flows', values['max-flows']) : DEFAULT_TRACKER_OPTIONS.maxFlows,
    synTimeoutMs: values['syn-timeout']
      ? durationFlag('--syn-timeout', values['syn-timeout'])
      : DEFAULT_TRACKER_OPTIONS.synTimeoutMs,
    homeNetworks: values['home-networks'] ? homeNetworksFlag(values['home-networks']) : DEFAULT_INTERNAL_RANGES,
  };

  const threads = values.threads ? parseCount('--threads', values.threads) : Math.min(2, availableParallelism());
  if (threads > 2) throw usage('replay: --threads is 1 or 2');
  if (threads === 1) dropPrestartedThread();

  // Observations come in endpoint order (address, then port; per window with --window)
  const found: Observation[] = [];
  const emit = (o: Observation): void => {
    found.push(o);
  };
  const decode = { teredoAnyPort: values['teredo-any'] as boolean };
  const pipeline = threads === 2 ? createThreadedPipeline(opts, emit, decode) : createPipeline(opts, emit, decode);
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (const path of positionals) {
    const progress = createProgress(path, inputSize(path), !values['no-progress']);
    const source = fileSource(path, { onProgress: (n) => progress.update(n, pipeline.stats().packets) });
    const r = await source.run(pipeline.onFrame).catch(async (err: unknown) => {
      if ('abort' in pipeline) await pipeline.abort();
      throw err;
    });
    progress.done();
    bytes += r.bytes;
    for (const lt of r.linktypes) {
      if (!SUPPORTED_LINKTYPES.has(lt))
        warn(`${path}: link type ${lt} is not supported; its packets are counted as unsupported_linktype`);
    }
    if (r.truncatedBytes > 0) {
      warn(
        `${path}: capture cut short: read ${num(r.frames)} packets, ignored ${r.truncatedBytes} bytes of an incomplete last record`,
      );
    }
  }
  await pipeline.finish();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;

  if (opts.windowMs > 0) found.sort((a, b) => a.first_seen - b.first_seen); // stable: endpoint order within
  process.stdout.write(values.json ? jsonLines(found) : render(found));
  // one result per endpoint without windows; with windows an endpoint may have several
  const endpoints = opts.windowMs === 0 ? found.length : new Set(found.map(endpointKey)).size;
  process.stderr.write(summary(pipeline.stats(), endpoints, positionals.length, bytes, secs));
  return 0;
}

function render(obs: Observation[]): string {
  if (obs.length === 0) return 'no service endpoints found\n';
  return table(
    [
      'IP',
      'PORT',
      'PROTO',
      'EVIDENCE',
      'HANDSHAKES',
      'CLIENTS',
      'INTERNAL',
      'INTERNET',
      'FIRST SEEN (UTC)',
      'LAST SEEN (UTC)',
      'VLAN',
    ],
    obs.map((o) => [
      o.ip,
      String(o.port),
      o.proto,
      o.evidence,
      String(o.handshakes),
      String(o.clients),
      String(o.clients_internal),
      String(o.clients_internet),
      isoMs(o.first_seen),
      isoMs(o.last_seen),
      o.vlan === null ? '-' : String(o.vlan),
    ]),
  );
}

function summary(s: PipelineStats, endpoints: number, files: number, bytes: number, secs: number): string {
  const t = s.tracker;
  const skipped: string[] = [];
  const errors: string[] = [];
  for (const [name] of REASONS.slice(1)) {
    const n = s.reasons[name];
    if (!n) continue;
    (isError(REASONS.findIndex((r) => r[0] === name)) ? errors : skipped).push(`${name} ${num(n)}`);
  }
  return [
    `replay: ${files} file${files === 1 ? '' : 's'}, ${num(s.packets)} packets (${(bytes / 1e6).toFixed(1)} MB) in ${secs.toFixed(2)} s (${(s.packets / Math.max(secs, 1e-9) / 1e6).toFixed(2)}M packets/s)`,
    `  decoded: ${num(s.decoded)} TCP; skipped: ${skipped.join(', ') || 'none'}; errors: ${errors.join(', ') || 'none'}`,
    `  handshakes: ${num(t.accepted)} accepted (${num(t.completed)} complete, ${num(t.oneSided)} SYN+ACK only); rejected ${num(t.rejected)}; unanswered ${num(t.unanswered)}; duplicates ${num(t.duplicates)}; evictions ${num(t.evictions)}`,
    `  capture loss: ${lossText(t)}`,
    ...(s.sampled.datagrams > 0 ? [`  sflow: ${sampledText(s.sampled, t.sampledSynAcks)}`] : []),
    `  endpoints: ${num(endpoints)}`,
    '',
  ].join('\n');
}

/** What the capture's sFlow datagrams sampled (the datagrams' own outcomes are among the frames'). */
function sampledText(s: PipelineStats['sampled'], synacks: number): string {
  const skipped = Object.entries(s.reasons).map(([name, n]) => `${name} ${num(n)}`);
  return `${num(s.datagrams)} datagrams, ${num(s.samples)} sampled headers (${num(s.decoded)} TCP, ${num(synacks)} SYN+ACKs as evidence; no TCP: ${skipped.join(', ') || 'none'}), ${num(s.counterSamples)} counter samples skipped`;
}

/** The loss estimate from the checked handshakes, with its counts (tracker.ts). */
function lossText(t: PipelineStats['tracker']): string {
  const ratio = captureLoss(t.lossChecked, t.missedSyn + t.missedSynAck);
  const counts = `${num(t.missedSyn)} SYN and ${num(t.missedSynAck)} SYN+ACK missed in ${num(t.lossChecked)} checked handshakes`;
  return ratio === null ? 'unknown (no handshake checked)' : `${(100 * ratio).toFixed(2)}% (${counts})`;
}

/** The --home-networks list (comma-separated CIDRs), or a usage error naming the bad ones. */
function homeNetworksFlag(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const r = parseHomeNetworks(list);
  if (!r.ok) throw usage(`replay: --home-networks: ${r.errors.join('; ')}`);
  return list;
}

function warn(msg: string): void {
  process.stderr.write(`warning: ${msg}\n`);
}
