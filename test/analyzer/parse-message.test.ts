// The analyzer takes Observation messages of version 1 (upgraded) and 2, and refuses others.

import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../analyzer/consume.js';
import { observation } from '../support/observations.js';

const message = (o: unknown): KafkaMessage => ({ value: Buffer.from(JSON.stringify(o)) }) as KafkaMessage;

describe('parseMessage', () => {
  const v2 = observation({ ip: '192.0.2.1', port: 443, window_start: 1_767_225_600_000 });

  it('takes a version 2 message as it is', () => {
    expect(parseMessage(message(v2))).toEqual({ obs: v2 });
  });

  it('takes a version 2 message with the loss counts, and one without them (an older sensor) with null', () => {
    const counted = { ...v2, loss_checked: 12, loss_missed: 3 };
    expect(parseMessage(message(counted))).toEqual({ obs: counted });
    const { loss_checked, loss_missed, ...older } = counted;
    expect(parseMessage(message(older))).toEqual({ obs: { ...older, loss_checked: null, loss_missed: null } });
  });

  it('takes a version 1 message, upgraded', () => {
    const {
      clients_internal,
      clients_internet,
      sample_clients,
      hll_internal,
      hll_internet,
      loss_checked,
      loss_missed,
      ...v1
    } = v2;
    const r = parseMessage(message({ ...v1, v: 1, sample_client: '10.0.0.1' }));
    expect(r).toEqual({
      obs: {
        ...v1,
        v: 2,
        sample_client: '10.0.0.1',
        clients_internal: v2.clients,
        clients_internet: 0,
        sample_clients: ['10.0.0.1'],
        hll_internal: [],
        hll_internet: [],
        loss_checked: null,
        loss_missed: null,
      },
    });
  });

  it('refuses any other version', () => {
    expect(parseMessage(message({ ...v2, v: 3 }))).toEqual({ reason: 'wrong_version', detail: 'v=3' });
  });
});
