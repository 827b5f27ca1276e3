// The MAC-in-MAC headers met in the EtherType chain: 802.1ah (PBB, 0x88e7: a 4-byte I-TAG, then
// the customer's destination and source addresses) and Cisco FabricPath (0x8903: FTag and TTL,
// then the classic frame's addresses). Each is stepped over to the EtherType of the frame it
// carries; ethernet.ts calls this only for EtherTypes its own loop does not know, so that the
// common ones stay a small function.

import { ETHERTYPE } from './encapsulations.js';

const PBB_HEADER = 4 + 12;
const FABRICPATH_HEADER = 2 + 12;

export const NOT_MAC_IN_MAC = -1;
export const TRUNCATED = -2;

/**
 * For a header of EtherType `type` starting at `off`: where the carried frame's payload starts
 * (its EtherType is the 2 bytes before), NOT_MAC_IN_MAC for other EtherTypes, or TRUNCATED.
 */
export function macInMacEnd(off: number, end: number, type: number): number {
  const h = type === ETHERTYPE.PBB ? PBB_HEADER : type === ETHERTYPE.FABRICPATH ? FABRICPATH_HEADER : -1;
  if (h < 0) return NOT_MAC_IN_MAC;
  return end - off < h + 2 ? TRUNCATED : off + h + 2;
}
