// The decoding thread's pure-ACK gate against a real FlowTable sharing its filters: an ACK is
// dropped only when no flow can be awaiting it, counting both the flows the tracker holds and
// the SYN+ACKs (and SYNs) forwarded in chunks it has not finished. (The threaded and one-thread replays
// are compared end to end on every golden capture in golden.test.ts.)

import { describe, expect, it } from 'vitest';
import { AckGate } from '../../sensor/pipeline/ack-gate.js';
import { FlowKey } from '../../sensor/track/flow-key.js';
import {
  ACK_FILTER_BYTES,
  ackSlot,
  FlowTable,
  STATE_DONE,
  STATE_SYN,
  STATE_SYNACK,
} from '../../sensor/track/flow-table.js';

const ADDRS = new Uint8Array([192, 0, 2, 10, 198, 51, 100, 7]); // client, server
const CISN = 5000; // the client ISN of every flow below
const QUIET = 0x1234_5678; // a sequence number no flow below expects

function setup(capacity = 64) {
  const filter = new Uint8Array(ACK_FILTER_BYTES);
  const table = new FlowTable(1000, filter);
  const state = { consumed: 0 };
  const gate = new AckGate(filter, () => state.consumed, capacity);
  return { table, state, gate };
}

/** A flow the tracker has seen answered by SYN+ACK `sisn`: awaiting the client's ACK. */
function awaiting(table: FlowTable, sisn: number, cport = 40000): number {
  const k = new FlowKey().load(ADDRS, false, 0, 4, cport, 443);
  const r = table.insert(k, 0, STATE_SYN, CISN);
  table.setSisn(r, sisn);
  table.setState(r, STATE_SYNACK);
  return r;
}

describe('AckGate', () => {
  const SISN = 1000;
  const OTHER = 0x7fff1234; // an ack number in another filter slot
  it('uses ack numbers in different filter slots', () => {
    expect(ackSlot(SISN + 1)).not.toBe(ackSlot(OTHER));
  });

  it('drops every pure ACK when nothing awaits one', () => {
    const { gate } = setup();
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(false);
    expect(gate.mayMatter(OTHER, QUIET)).toBe(false);
  });

  it('lets through the ACK of a SYN+ACK the tracker has not processed yet', () => {
    const { gate } = setup();
    gate.forwarded(SISN, 0); // in chunk 0, which the tracker has not finished
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(true);
    expect(gate.mayMatter(OTHER, QUIET)).toBe(false);
  });

  it('follows the tracker once it has processed the chunk: awaiting, then completed', () => {
    const { table, state, gate } = setup();
    gate.forwarded(SISN, 0);
    const r = awaiting(table, SISN); // what the tracker did with that chunk
    state.consumed = 1;
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(true); // the flow still awaits its ACK
    table.setState(r, STATE_DONE); // the handshake completed
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(false);
  });

  it('drops the ACK once a processed SYN+ACK left no flow behind (e.g. refused as a duplicate)', () => {
    const { state, gate } = setup();
    gate.forwarded(SISN, 0);
    state.consumed = 1; // processed, and the tracker's filter is empty
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(false);
  });

  it('forwards more SYN+ACKs than its capacity over time by releasing finished chunks', () => {
    const { table, state, gate } = setup(32); // at most 20 in flight below
    // 1000 SYN+ACKs, 10 per chunk, with the tracker one chunk behind
    for (let i = 0; i < 1000; i++) {
      const chunk = Math.floor(i / 10);
      state.consumed = Math.max(0, chunk - 1);
      gate.forwarded(SISN + i * 7919, chunk);
    }
    // the last chunk's SYN+ACKs are still pending; an early one's chunk is done and left no flow
    expect(gate.mayMatter(SISN + 999 * 7919 + 1, QUIET)).toBe(true);
    state.consumed = 100;
    expect(gate.mayMatter(SISN + 999 * 7919 + 1, QUIET)).toBe(false);
    awaiting(table, SISN + 999 * 7919, 40001);
    expect(gate.mayMatter(SISN + 999 * 7919 + 1, QUIET)).toBe(true);
  });

  /** Ack numbers other than `ack` in the same filter slot. */
  function slotMates(ack: number, count: number): number[] {
    const found: number[] = [];
    for (let x = ack + 1; found.length < count; x++) if (ackSlot(x) === ackSlot(ack)) found.push(x);
    return found;
  }

  it('drops an ACK that only shares the filter slot of the one pending SYN+ACK there', () => {
    const { gate } = setup();
    const [mate] = slotMates(SISN + 1, 1);
    gate.forwarded(SISN, 0);
    expect(gate.mayMatter(mate, QUIET)).toBe(false);
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(true);
  });

  it('lets through any ACK of a slot with several pending SYN+ACKs, and is exact again once one is released', () => {
    const { state, gate } = setup();
    const [second, stranger] = slotMates(SISN + 1, 2);
    gate.forwarded(SISN, 0);
    gate.forwarded(second - 1, 1);
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(true);
    expect(gate.mayMatter(second, QUIET)).toBe(true);
    expect(gate.mayMatter(stranger, QUIET)).toBe(true); // two in the slot: not told apart
    state.consumed = 1; // chunk 0 processed; its flow left nothing awaiting
    expect(gate.mayMatter(stranger, QUIET)).toBe(false);
    expect(gate.mayMatter(SISN + 1, QUIET)).toBe(false);
    expect(gate.mayMatter(second, QUIET)).toBe(true);
  });

  it('handles ack numbers past 2^31 and their wrap at 2^32', () => {
    const { gate } = setup();
    gate.forwarded(0xffffffff, 0); // expects ack 0
    gate.forwarded(0x9000_0000, 0);
    expect(gate.mayMatter(0, QUIET)).toBe(true);
    expect(gate.mayMatter(0x9000_0001, QUIET)).toBe(true);
    expect(gate.mayMatter(0x9000_0002, QUIET)).toBe(false);
  });

  it('refuses more SYN+ACKs in flight than its capacity', () => {
    const { gate } = setup(16);
    expect(() => {
      for (let i = 0; i < 17; i++) gate.forwarded(SISN + i, 0);
    }).toThrow(/more segments in flight than its capacity/);
  });

  describe('the client ACK of a SYN+ACK the sensor missed (sequence number client ISN + 1)', () => {
    /** A flow the tracker has seen the SYN of (client ISN `cisn`), unanswered. */
    function unanswered(table: FlowTable, cisn: number, cport = 40000): number {
      return table.insert(new FlowKey().load(ADDRS, false, 0, 4, cport, 443), 0, STATE_SYN, cisn);
    }

    it('lets through an ACK whose sequence number a SYN in flight expects, whatever its ack number', () => {
      const { gate } = setup();
      gate.forwardedSyn(CISN, 0);
      expect(gate.mayMatter(OTHER, CISN + 1)).toBe(true);
      expect(gate.mayMatter(OTHER, CISN + 2)).toBe(false);
    });

    it('follows the tracker: unanswered SYN, then answered (SYN+ACK seen or missed)', () => {
      const { table, state, gate } = setup();
      gate.forwardedSyn(CISN, 0);
      const r = unanswered(table, CISN);
      state.consumed = 1;
      expect(gate.mayMatter(OTHER, CISN + 1)).toBe(true);
      table.setSisn(r, SISN);
      table.setState(r, STATE_SYNACK); // its SYN+ACK came: now the ack number matters
      expect(gate.mayMatter(OTHER, CISN + 1)).toBe(false);
      expect(gate.mayMatter(SISN + 1, QUIET)).toBe(true);
      table.setState(r, STATE_DONE);
      expect(gate.mayMatter(SISN + 1, CISN + 1)).toBe(false);
    });

    it('forgets a SYN of a finished chunk that left no unanswered flow (a duplicate)', () => {
      const { state, gate } = setup();
      gate.forwardedSyn(CISN, 0);
      state.consumed = 1;
      expect(gate.mayMatter(OTHER, CISN + 1)).toBe(false);
    });

    it('refuses more SYNs in flight than its capacity', () => {
      const { gate } = setup(16);
      expect(() => {
        for (let i = 0; i < 17; i++) gate.forwardedSyn(CISN + i, 0);
      }).toThrow(/more segments in flight than its capacity/);
    });
  });
});
