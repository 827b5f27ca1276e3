// Every encapsulation Porthole peels, written once: its name (the values of the config key
// capture.encapsulations), where it sits (below IP, on an IP protocol, on a UDP port) and the
// numbers that announce it. The decoders dispatch on these numbers, the kernel filter
// (capture/bpf-filter.ts) lets their outer headers through, the config validates names against
// them. A new tunnel: an entry here, its decoder file, and its dispatch (on a new UDP port in
// udp.ts; on a new IP protocol a case in ip-payload.ts and its registration in decode.ts).

/** IP protocol numbers the decoders follow. */
export const IPPROTO = { IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47 } as const;

/** UDP destination ports of the mirror tunnels (IANA): only these UDP datagrams are followed. */
export const UDP_PORT = { VXLAN: 4789, GENEVE: 6081, GTPU: 2152, SFLOW: 6343 } as const;

export type EncapsulationDef =
  /** below IP, on Ethernet only; `bpf` the libpcap keyword, `depth` how many nested tags (labels) the filter follows */
  | { layer: 'link'; bpf: string; depth: number }
  /** carried as an IP payload of one of these protocols */
  | { layer: 'ip'; ipProtocols: readonly number[] }
  /** carried in UDP to this destination port */
  | { layer: 'udp'; udpPort: number };

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
} as const satisfies Record<string, EncapsulationDef>;

export type Encapsulation = keyof typeof ENCAPSULATION_TABLE;

export const ENCAPSULATIONS = Object.keys(ENCAPSULATION_TABLE) as readonly Encapsulation[];

/** Encapsulations below IP that libpcap handles by shifting offsets: one per filter at most. */
export const LINK_STACKS: readonly Encapsulation[] = ENCAPSULATIONS.filter(
  (e) => ENCAPSULATION_TABLE[e].layer === 'link',
);
