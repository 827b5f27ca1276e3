// The handshake state machine: decides from decoded TCP segments which server endpoints accept
// connections. SYN opens a flow (S0); the server's SYN+ACK makes the endpoint observed (S1); the
// client's ACK of it completes the handshake (evidence "handshake"). A SYN+ACK without a SYN
// (one-sided mirror) still counts, as evidence "synack". A SYN answered by RST is "rejected";
// one never answered before synTimeoutMs is "unanswered". Retransmitted and SPAN-duplicated
// SYNs and SYN+ACKs (same sequence number) are counted once.
// Limits: no reassembly, no sequence-window checks beyond the handshake's ack numbers; SYN
// cookies and simultaneous open are seen as ordinary handshakes.

import { ipText } from '../../schemas/ip.js';
import type { Observation } from '../../schemas/observation.js';
import { ACK, RST, SYN, type Packet } from '../decode/packet.js';
import { EndpointWindows } from './endpoints.js';
import { type Flow, FlowTable, flowHash, STATE_DONE, STATE_REJ, STATE_SYN, STATE_SYNACK } from './flow-table.js';

export interface TrackerOptions {
  sensorId: string;
  windowMs: number; // aggregation window; 0 = one window for the whole run
  graceMs: number;
  maxFlows: number;
  synTimeoutMs: number;
  maxClientsPerEndpoint: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  sensorId: 'sensor',
  windowMs: 5000,
  graceMs: 1000,
  maxFlows: 1_000_000,
  synTimeoutMs: 30_000,
  maxClientsPerEndpoint: 4096,
};

export interface TrackerStats {
  syns: number; // distinct client SYNs
  accepted: number; // distinct SYN+ACKs: connections an endpoint accepted
  completed: number; // accepted connections whose SYN and client ACK were also seen
  oneSided: number; // SYN+ACKs whose SYN was not seen
  rejected: number; // SYNs answered by RST
  unanswered: number; // SYNs never answered
  duplicates: number; // retransmitted or SPAN-duplicated SYN / SYN+ACK
  evictions: number; // flows pushed out of the full table
  flows: number; // flows in the table now
}

export class Tracker {
  readonly stats: TrackerStats = {
    syns: 0, accepted: 0, completed: 0, oneSided: 0, rejected: 0, unanswered: 0, duplicates: 0, evictions: 0, flows: 0,
  };
  private readonly table: FlowTable;
  private readonly windows: EndpointWindows;
  private now = 0;
  private nextSweep = 0;
  private readonly onExpire = (f: Flow): void => {
    if (f.state === STATE_SYN) this.stats.unanswered++;
  };

  constructor(
    private readonly opts: TrackerOptions,
    emit: (o: Observation) => void,
  ) {
    this.table = new FlowTable(opts.maxFlows);
    this.windows = new EndpointWindows(opts, emit);
  }

  /** Feed one decoded TCP segment captured at `ts` (ms). */
  onSegment(p: Packet, ts: number): void {
    if (ts > this.now) {
      this.now = ts;
      if (ts >= this.nextSweep) this.advance(ts);
    }
    const f = p.flags;
    if (f & SYN) {
      if (f & ACK) this.onSynAck(p, ts);
      else if (!(f & RST)) this.onSyn(p, ts);
    } else if (f & RST) {
      this.onRst(p);
    } else if (f & ACK) {
      this.onAck(p);
    }
  }

  /** Expire old flows and close finished windows; called per second of packet time and by timers. */
  advance(now: number): void {
    if (now > this.now) this.now = now;
    this.nextSweep = this.now + 1000;
    this.table.expire(this.now - this.opts.synTimeoutMs, this.onExpire);
    this.windows.advance(this.now);
    this.syncStats();
  }

  /** End of input: unanswered SYNs are counted and every open window is emitted. */
  finish(): void {
    this.table.drain(this.onExpire);
    this.windows.flushAll();
    this.syncStats();
  }

  /** Bring `stats.flows` and `stats.evictions` up to date. */
  syncStats(): void {
    this.stats.flows = this.table.size;
    this.stats.evictions = this.table.evictions;
  }

  private onSyn(p: Packet, ts: number): void {
    const b = p.buf;
    const alen = p.ipVersion === 4 ? 4 : 16;
    const h = flowHash(b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    const old = this.table.get(h, b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    if (old) {
      if (old.sawSyn && old.cisn === p.seq) {
        this.stats.duplicates++;
        return;
      }
      this.table.remove(h, old); // port reused with a new ISN
      this.onExpire(old);
    }
    this.stats.syns++;
    this.insert(h, p, b, p.srcOff, p.dstOff, alen, p.sport, p.dport, STATE_SYN, ts, true);
  }

  private onSynAck(p: Packet, ts: number): void {
    const b = p.buf;
    const alen = p.ipVersion === 4 ? 4 : 16;
    // the SYN+ACK travels server -> client: the client is its destination
    const h = flowHash(b, p.dstOff, p.srcOff, alen, p.dport, p.sport);
    let flow = this.table.get(h, b, p.dstOff, p.srcOff, alen, p.dport, p.sport);
    if (flow && (flow.state === STATE_SYNACK || flow.state === STATE_DONE) && flow.sisn === p.seq) {
      this.stats.duplicates++;
      return;
    }
    if (flow && flow.state !== STATE_SYN) {
      this.table.remove(h, flow); // a new connection on a reused port
      flow = null;
    }
    const sawSyn = flow !== null && flow.sawSyn && p.ack === ((flow.cisn + 1) >>> 0);
    if (!flow) flow = this.insert(h, p, b, p.dstOff, p.srcOff, alen, p.dport, p.sport, STATE_SYNACK, ts, false);
    flow.state = STATE_SYNACK;
    flow.sisn = p.seq;
    flow.sawSyn = sawSyn;
    if (!sawSyn) this.stats.oneSided++;
    this.stats.accepted++;
    const acc = this.windows.acc(
      ipText(b, p.srcOff, p.ipVersion), p.sport, ts, ipText(b, p.dstOff, p.ipVersion), p.vlan, p.ttl, p.window, p.mss,
    );
    acc.handshakes++;
    flow.acc = acc;
  }

  private onRst(p: Packet): void {
    const b = p.buf;
    const alen = p.ipVersion === 4 ? 4 : 16;
    // from the server: answers a SYN (rejected) — the client is the destination
    let h = flowHash(b, p.dstOff, p.srcOff, alen, p.dport, p.sport);
    let flow = this.table.get(h, b, p.dstOff, p.srcOff, alen, p.dport, p.sport);
    if (flow && flow.state === STATE_SYN) {
      this.stats.rejected++;
      flow.state = STATE_REJ;
      return;
    }
    // from the client: aborts its own attempt (a SYN scan's RST after the SYN+ACK)
    h = flowHash(b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    flow = this.table.get(h, b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    if (flow && flow.state === STATE_SYNACK) flow.state = STATE_DONE;
  }

  private onAck(p: Packet): void {
    const b = p.buf;
    const alen = p.ipVersion === 4 ? 4 : 16;
    const h = flowHash(b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    const flow = this.table.get(h, b, p.srcOff, p.dstOff, alen, p.sport, p.dport);
    if (!flow || flow.state !== STATE_SYNACK || p.ack !== ((flow.sisn + 1) >>> 0)) return;
    if (flow.sawSyn && flow.acc) {
      flow.acc.completed++;
      this.stats.completed++;
    }
    flow.state = STATE_DONE;
    flow.acc = null;
  }

  private insert(
    h: number, p: Packet, b: Uint8Array, cOff: number, sOff: number, alen: number, cport: number, sport: number,
    state: number, ts: number, sawSyn: boolean,
  ): Flow {
    const addr = new Uint8Array(alen * 2);
    addr.set(b.subarray(cOff, cOff + alen), 0);
    addr.set(b.subarray(sOff, sOff + alen), alen);
    const flow: Flow = { addr, cport, sport, state, cisn: p.seq, sisn: 0, sawSyn, t: ts, acc: null, next: null };
    this.table.insert(h, flow);
    return flow;
  }
}
