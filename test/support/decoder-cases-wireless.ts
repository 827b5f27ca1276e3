// The decoder fixtures' cases for 802.11 and what carries it: bare 802.11 (both address orders,
// QoS, +HTC, protected, A-MSDU), radiotap, PPI, Prism, AVS, and CAPWAP data (802.3 and 802.11,
// Frame Control in either byte order, DTLS, keep-alive).

import { type Case, e4, e6, ok4, ok6, outer, v4, v6 } from './decoder-cases.js';
import { eth, hex, udp } from './frames.js';
import { amsdu, avs, capwapData, llcSnap, ppi, prism, radiotap, swapFc, wlanData } from './frames-wireless.js';

const snap4 = llcSnap(0x0800, v4);
const snap6 = llcSnap(0x86dd, v6);
const arp = llcSnap(0x0806, hex('0001 0800 0604 0001 02000000000a c0000201 000000000000 c000020a'));
const capwap = (sport: number, dport: number, payload: Uint8Array): Uint8Array =>
  eth(0x0800, outer(17, udp(sport, dport, payload)));

export const wirelessCases: Case[] = [
  {
    name: '802.11 data to the AP, LLC/SNAP, IPv4',
    linktype: 105,
    frame: wlanData(snap4, { dir: 'sta' }),
    expect: ok4(),
  },
  {
    name: '802.11 QoS data from the AP, IPv6',
    linktype: 105,
    frame: wlanData(snap6, { dir: 'ap', qos: true }),
    expect: ok6(),
  },
  {
    name: '802.11 four addresses (WDS), QoS with HT Control',
    linktype: 105,
    frame: wlanData(snap4, { dir: 'wds', qos: true, htc: true }),
    expect: ok4(),
  },
  {
    name: '802.11 protected data frame',
    linktype: 105,
    frame: wlanData(snap4, { dir: 'sta', protected: true }),
    expect: { reason: 'encrypted' },
  },
  {
    name: '802.11 A-MSDU: the first subframe',
    linktype: 105,
    frame: wlanData(amsdu([snap4, arp]), { dir: 'ap', qos: true, amsdu: true }),
    expect: ok4(),
  },
  {
    name: '802.11 null function frame (no body)',
    linktype: 105,
    frame: wlanData(new Uint8Array(0), { dir: 'sta', subtype: 4 }),
    expect: { reason: 'non_ip' },
  },
  {
    name: 'radiotap, 802.11 data',
    linktype: 127,
    frame: radiotap(wlanData(snap4, { dir: 'sta' })),
    expect: ok4(),
  },
  {
    name: 'radiotap with TSFT, two present words, data pad; QoS data',
    linktype: 127,
    frame: radiotap(wlanData(snap6, { dir: 'ap', qos: true, pad: true }), {
      tsft: true,
      extended: true,
      dataPad: true,
    }),
    expect: ok6(),
  },
  { name: 'PPI, 802.11 data', linktype: 192, frame: ppi(wlanData(snap4, { dir: 'sta' })), expect: ok4() },
  { name: 'Prism header, 802.11 data', linktype: 119, frame: prism(wlanData(snap6, { dir: 'ap' })), expect: ok6() },
  { name: 'AVS header, 802.11 data', linktype: 163, frame: avs(wlanData(snap4, { dir: 'sta' })), expect: ok4() },
  {
    name: 'AVS header under the Prism link type',
    linktype: 119,
    frame: avs(wlanData(snap6, { dir: 'ap', qos: true })),
    expect: ok6(),
  },
  {
    name: 'CAPWAP data, IEEE 802.3 frame',
    linktype: 1,
    frame: capwap(50000, 5247, capwapData(e4, { kind: '802.3' })),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'CAPWAP data, 802.11 with swapped Frame Control, radio MAC and wireless info, from the controller',
    linktype: 1,
    frame: capwap(
      5247,
      50000,
      capwapData(swapFc(wlanData(snap6, { dir: 'ap' })), { kind: 'wlan', radioMac: true, wirelessInfo: true }),
    ),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'CAPWAP data, 802.11 QoS with Frame Control in standard order',
    linktype: 1,
    frame: capwap(50000, 5247, capwapData(wlanData(snap4, { dir: 'sta', qos: true }), { kind: 'wlan' })),
    expect: ok4({ tunnels: 1 }),
    tshark: ['-o', 'capwap.swap_fc:FALSE'],
  },
  {
    name: 'CAPWAP DTLS',
    linktype: 1,
    frame: capwap(50000, 5247, hex('01 00 00 00 16 fe fd 00 00 00 00 00 00 00 00 00 10')),
    expect: { reason: 'encrypted' },
  },
  {
    name: 'CAPWAP data keep-alive',
    linktype: 1,
    frame: capwap(50000, 5247, capwapData(hex('00 0a 00 04 00 00 00 01'), { kind: '802.3', keepAlive: true })),
    expect: { reason: 'non_tcp' },
  },
  {
    name: 'CAPWAP data, a later fragment',
    linktype: 1,
    frame: capwap(50000, 5247, capwapData(e6.subarray(40), { kind: '802.3', fragment: { id: 7, offset: 5 } })),
    expect: { reason: 'ip_fragment' },
  },
];
