// Every encapsulation Porthole peels, written once: its name (the values of the config key
// capture.encapsulations), where it sits (below IP, in the Ethernet type chain, on an IP
// protocol, on a UDP port) and the numbers that announce it. The decoders dispatch on these
// numbers, the kernel filter (capture/bpf-filter.ts) lets their outer headers through, the config
// validates names against them. A new tunnel: an entry here, its decoder file, and its dispatch
// (on a new UDP port its constant in UDP_PORT and a case in udp.ts; on a new IP protocol a case
// in ip-payload.ts and its registration in decode.ts).
// The decoders follow every encapsulation they know whatever the config says, except the one
// guessed from the payload alone (`teredo-any`), which is off unless listed (DecodeOptions).

/** IP protocol numbers the decoders follow. */
export const IPPROTO = { IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47, L2TP: 115 } as const;

/** UDP ports of the tunnels and of sFlow (IANA): only datagrams on these ports (or guessed Teredo) are followed. */
export const UDP_PORT = {
  VXLAN: 4789,
  VXLAN_GPE: 4790,
  GENEVE: 6081,
  GTPU: 2152,
  CAPWAP_DATA: 5247,
  TEREDO: 3544,
  L2TP: 1701,
  MPLS: 6635,
  SFLOW: 6343,
} as const;

/** EtherTypes of the MAC-in-MAC headers the decoders step over. */
export const ETHERTYPE = { PBB: 0x88e7, FABRICPATH: 0x8903 } as const;

export type EncapsulationDef =
  /** below IP, on Ethernet only; `bpf` the libpcap keyword, `depth` how many nested tags (labels) the filter follows */
  | { layer: 'link'; bpf: string; depth: number }
  /** in the Ethernet type chain, matched by the filter at fixed offsets (no keyword: no offset shift) */
  | { layer: 'ethertype'; etherType: number }
  /** carried as an IP payload of one of these protocols */
  | { layer: 'ip'; ipProtocols: readonly number[] }
  /**
   * carried in UDP to this port; `bothPorts`: either port (the tunnel's server side keeps its
   * port in both directions), else the destination port; `ipProtocols`: also carried directly on IP
   */
  | { layer: 'udp'; udpPort: number; bothPorts?: boolean; ipProtocols?: readonly number[] }
  /** recognised in UDP on any port by its payload alone: off unless listed */
  | { layer: 'udp-any' };

export const ENCAPSULATION_TABLE = {
  vlan: { layer: 'link', bpf: 'vlan', depth: 2 },
  mpls: { layer: 'link', bpf: 'mpls', depth: 3 },
  pppoe: { layer: 'link', bpf: 'pppoes', depth: 1 },
  vxlan: { layer: 'udp', udpPort: UDP_PORT.VXLAN },
  geneve: { layer: 'udp', udpPort: UDP_PORT.GENEVE },
  gre: { layer: 'ip', ipProtocols: [IPPROTO.GRE] },
  gtpu: { layer: 'udp', udpPort: UDP_PORT.GTPU },
  ipip: { layer: 'ip', ipProtocols: [IPPROTO.IPIP, IPPROTO.IPV6] },
  // sFlow v5 datagrams on their way to a collector: the packet headers they sample (sflow.ts)
  sflow: { layer: 'udp', udpPort: UDP_PORT.SFLOW },
  'vxlan-gpe': { layer: 'udp', udpPort: UDP_PORT.VXLAN_GPE },
  capwap: { layer: 'udp', udpPort: UDP_PORT.CAPWAP_DATA, bothPorts: true },
  teredo: { layer: 'udp', udpPort: UDP_PORT.TEREDO, bothPorts: true },
  'teredo-any': { layer: 'udp-any' },
  l2tp: { layer: 'udp', udpPort: UDP_PORT.L2TP, bothPorts: true, ipProtocols: [IPPROTO.L2TP] },
  'mpls-udp': { layer: 'udp', udpPort: UDP_PORT.MPLS },
  pbb: { layer: 'ethertype', etherType: ETHERTYPE.PBB },
  fabricpath: { layer: 'ethertype', etherType: ETHERTYPE.FABRICPATH },
} as const satisfies Record<string, EncapsulationDef>;

export type Encapsulation = keyof typeof ENCAPSULATION_TABLE;

export const ENCAPSULATIONS = Object.keys(ENCAPSULATION_TABLE) as readonly Encapsulation[];

/** Encapsulations below IP that libpcap handles by shifting offsets: one per filter at most. */
export const LINK_STACKS: readonly Encapsulation[] = ENCAPSULATIONS.filter(
  (e) => ENCAPSULATION_TABLE[e].layer === 'link',
);

/** What the decoders do beyond the table: set once per packet path from the config (or replay's flags). */
export interface DecodeOptions {
  /** follow Teredo on any UDP port when the payload is a well-formed IPv6 packet (teredo.ts) */
  teredoAnyPort: boolean;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = Object.freeze({ teredoAnyPort: false });

export function decodeOptionsFor(encapsulations: readonly string[]): DecodeOptions {
  return { teredoAnyPort: encapsulations.includes('teredo-any') };
}

/** UDP ports by how they are matched: [destination port only, either port], from the table. */
export function udpTunnelPorts(): { dst: number[]; both: number[] } {
  const dst: number[] = [];
  const both: number[] = [];
  for (const e of ENCAPSULATIONS) {
    const d: EncapsulationDef = ENCAPSULATION_TABLE[e];
    if (d.layer === 'udp') (d.bothPorts ? both : dst).push(d.udpPort);
  }
  return { dst, both };
}
