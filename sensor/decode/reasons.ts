// Decode outcomes: every packet ends as OK or under exactly one named reason.
// "skip" reasons are traffic Porthole does not need or cannot read (ARP, UDP, fragments,
// encrypted wireless); "error" reasons are bad or truncated bytes. Both are counted, never thrown.

export const REASONS = [
  // index 0 is OK
  ['ok', 'ok'],
  ['unsupported_linktype', 'skip'],
  ['non_ip', 'skip'],
  ['non_tcp', 'skip'],
  ['ip_fragment', 'skip'],
  ['encrypted', 'skip'], // 802.11 protected frames, CAPWAP DTLS: nothing to read without keys
  ['truncated_link', 'error'],
  ['bad_link_header', 'error'],
  ['truncated_vlan', 'error'],
  ['truncated_mpls', 'error'],
  ['truncated_ipv4', 'error'],
  ['bad_ipv4_header', 'error'],
  ['truncated_ipv6', 'error'],
  ['bad_ipv6_ext_header', 'error'],
  ['truncated_tcp', 'error'],
  ['bad_tcp_header', 'error'],
  ['truncated_udp', 'error'],
  ['truncated_tunnel', 'error'],
  ['bad_tunnel_header', 'error'],
  ['encap_too_deep', 'error'],
  ['bad_ip_version', 'error'],
  ['decoder_bug', 'error'], // an exception inside a decoder: a bug, counted instead of crashing
  // sFlow datagrams (sflow.ts): a well-formed one is counted as `sflow`, its samples apart
  ['sflow', 'skip'],
  ['truncated_sflow', 'error'],
  ['bad_sflow_version', 'error'],
  ['bad_sflow_record', 'error'],
] as const;

export type ReasonName = (typeof REASONS)[number][0];

function code(name: ReasonName): number {
  const i = REASONS.findIndex((r) => r[0] === name);
  if (i < 0) throw new Error(`unknown reason ${name}`);
  return i;
}

export const R = {
  UNSUPPORTED_LINKTYPE: code('unsupported_linktype'),
  NON_IP: code('non_ip'),
  NON_TCP: code('non_tcp'),
  IP_FRAGMENT: code('ip_fragment'),
  ENCRYPTED: code('encrypted'),
  TRUNCATED_LINK: code('truncated_link'),
  BAD_LINK_HEADER: code('bad_link_header'),
  TRUNCATED_VLAN: code('truncated_vlan'),
  TRUNCATED_MPLS: code('truncated_mpls'),
  TRUNCATED_IPV4: code('truncated_ipv4'),
  BAD_IPV4_HEADER: code('bad_ipv4_header'),
  TRUNCATED_IPV6: code('truncated_ipv6'),
  BAD_IPV6_EXT_HEADER: code('bad_ipv6_ext_header'),
  TRUNCATED_TCP: code('truncated_tcp'),
  BAD_TCP_HEADER: code('bad_tcp_header'),
  TRUNCATED_UDP: code('truncated_udp'),
  TRUNCATED_TUNNEL: code('truncated_tunnel'),
  BAD_TUNNEL_HEADER: code('bad_tunnel_header'),
  ENCAP_TOO_DEEP: code('encap_too_deep'),
  BAD_IP_VERSION: code('bad_ip_version'),
  DECODER_BUG: code('decoder_bug'),
  SFLOW: code('sflow'),
  TRUNCATED_SFLOW: code('truncated_sflow'),
  BAD_SFLOW_VERSION: code('bad_sflow_version'),
  BAD_SFLOW_RECORD: code('bad_sflow_record'),
} as const;

export function reasonName(c: number): ReasonName {
  return (REASONS[c] ?? REASONS[0])[0];
}

export function isError(c: number): boolean {
  return REASONS[c]?.[1] === 'error';
}
