// The decoder's output: one reusable struct filled in place for every packet (no allocation on
// the hot path). Addresses are not copied: srcOff/dstOff point into `buf`, valid until the
// next packet is decoded. Fields a short capture did not include are -1. The capture time `ts`
// is set by the packet path, not the decoder: the tracker reads it from here, so that no
// fractional number is passed (and boxed) per packet. The decode options (encapsulations.ts)
// travel here too, so that no decoder takes a further argument.

export class Packet {
  buf: Uint8Array = new Uint8Array(0);
  ipVersion = 0; // 4 or 6 (innermost IP header)
  srcOff = 0;
  dstOff = 0;
  ttl = -1; // IPv4 TTL or IPv6 hop limit
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  ipEnd = -1; // where the innermost IP header says its packet ends (may be past the capture); -1 unknown
  payload = -1; // TCP payload bytes by the IP header's length, -1 when the header gives none
  window = -1;
  mss = -1;
  vlan = -1; // innermost 802.1Q VLAN id seen on the way in, -1 if none
  tunnels = 0; // how many encapsulations were peeled off
  ts = 0.5; // capture time, ms since the epoch (fractional: the field holds a double from the start)
  // where the sFlow datagram of a frame lies in `buf`, valid only when the decoder returned `sflow`
  sflowOff = 0;
  sflowEnd = 0;
  // a decode option, not output: set once by the packet path (DecodeOptions), kept by reset()
  teredoAnyPort = false;

  reset(buf: Uint8Array): void {
    // the same buffer holds many packets: skipping the store skips its GC write barrier
    if (this.buf !== buf) this.buf = buf;
    this.ipVersion = 0;
    this.ipEnd = -1;
    this.payload = -1;
    this.ttl = -1;
    this.window = -1;
    this.mss = -1;
    this.vlan = -1;
    this.tunnels = 0;
  }
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

/** How many encapsulations may be nested before a packet is refused (loops, bombs). */
export const MAX_TUNNELS = 4;
