// The golden oracle: tshark's own answer to "which endpoints sent a SYN+ACK" for a capture,
// taking the innermost IP header of tunnelled frames; a segment with RST set is no SYN+ACK (the
// tracker's one rule for RST). Handshakes are distinct
// (client, client port, server sequence number) SYN+ACKs; evidence "handshake" when tshark's
// tcp.completeness shows SYN, SYN+ACK and ACK in one of the endpoint's streams.

import { spawnSync } from 'node:child_process';

export interface Expected {
  handshakes: number;
  evidence: 'handshake' | 'synack';
}

/** `opts`: what tshark needs to read the capture as built (a heuristic enabled, a preference). */
export function tsharkEndpoints(file: string, opts: readonly string[] = []): Map<string, Expected> {
  const r = spawnSync(
    'tshark',
    [
      '-r',
      file,
      ...opts,
      '-2',
      '-Y',
      'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.flags.reset==0',
      '-T',
      'fields',
      '-e',
      'frame.protocols',
      '-e',
      'ip.src',
      '-e',
      'ipv6.src',
      '-e',
      'ip.dst',
      '-e',
      'ipv6.dst',
      '-e',
      'tcp.srcport',
      '-e',
      'tcp.dstport',
      '-e',
      'tcp.seq_raw',
      '-e',
      'tcp.completeness',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  // tshark reads a capture that was cut short up to the cut, then exits 2 saying so
  if (r.status !== 0 && !/cut short/.test(r.stderr)) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  const out = r.stdout;
  const seen = new Map<string, { conns: Set<string>; complete: boolean }>();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const [protos, ip4s, ip6s, ip4d, ip6d, sport, dport, seq, completeness] = line.split('\t');
    const layers = protos.split(':').filter((l) => l === 'ip' || l === 'ipv6');
    const inner = layers[layers.length - 1];
    const last = (v: string): string => v.split(',').pop() ?? '';
    const src = last(inner === 'ip' ? ip4s : ip6s);
    const dst = last(inner === 'ip' ? ip4d : ip6d);
    const key = `${src}|${last(sport)}`;
    const e = seen.get(key) ?? { conns: new Set<string>(), complete: false };
    e.conns.add(`${dst}|${last(dport)}|${last(seq)}`);
    if ((Number(last(completeness)) & 7) === 7) e.complete = true;
    seen.set(key, e);
  }
  const res = new Map<string, Expected>();
  for (const [k, e] of seen) res.set(k, { handshakes: e.conns.size, evidence: e.complete ? 'handshake' : 'synack' });
  return res;
}

export interface ExpectedSampled {
  handshakes: number; // the sampled SYN+ACKs' sampling rates, summed
  evidence: 'sampled';
}

/**
 * tshark's answer for a capture of sFlow datagrams (each datagram sampling at one rate): the
 * endpoints that sent a SYN+ACK (not RST) inside a sampled header, with the sampling rates of
 * those samples summed. A TCP header is read after its IP header in tshark's protocol chain;
 * one inside an ICMP error is not a packet of its own and is left out.
 */
export function tsharkSampledEndpoints(file: string): Map<string, ExpectedSampled> {
  const fields = [
    'frame.protocols',
    'sflow.flow_sample.sampling_rate',
    'ip.src',
    'ipv6.src',
    'tcp.srcport',
    'tcp.flags',
  ];
  const r = spawnSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  const res = new Map<string, ExpectedSampled>();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [protos, rates, ip4s, ip6s, sports, flags] = line.split('\t').map((v) => (v ? v.split(',') : []));
    const chain = protos[0].split(':');
    const start = chain.indexOf('sflow');
    if (start < 0) continue;
    const rate = Number(rates[0]);
    let i4 = 0;
    let i6 = 0;
    let it = 0;
    let src = '';
    let inIcmp = false;
    for (let k = 0; k < chain.length; k++) {
      const l = chain[k];
      if (l === 'ip') src = ip4s[i4++];
      else if (l === 'ipv6') src = ip6s[i6++];
      else if (l === 'icmp' || l === 'icmpv6') inIcmp = true;
      else if (l === 'eth' && k > start)
        inIcmp = false; // the next sampled header
      else if (l === 'tcp') {
        const f = Number(flags[it]);
        const sport = sports[it++];
        if (k < start || inIcmp || (f & 0x16) !== 0x12) continue; // SYN+ACK without RST
        const key = `${src}|${sport}`;
        const e = res.get(key) ?? { handshakes: 0, evidence: 'sampled' as const };
        e.handshakes += rate;
        res.set(key, e);
      }
    }
  }
  return res;
}
