// #/sensors — every sensor's latest report (capture state, counters, last packet) and, for the
// chosen sensor, rates over time from its history: packets, decoded and handshakes per second,
// and losses (kernel drops, dropped before Kafka, decode failures) per second.

import { getOptional, query } from './api.js';
import { rateChart } from './charts.js';
import { badge, h, num, replace, section, select, table, time } from './dom.js';

export async function render(ctx) {
  const r = await getOptional('/sensors');
  if (!ctx.current()) return;
  if (!r) {
    replace(
      ctx.main,
      h('div', { class: 'view-head' }, h('h1', {}, 'Sensors')),
      h('p', { class: 'note' }, 'This console does not serve sensor status yet (GET /api/v1/sensors).'),
    );
    return;
  }
  const items = r.items;
  const chosen = ctx.query.get('sensor') ?? items[0]?.sensor ?? '';
  const since = ctx.query.get('since') ?? '24h';
  const charts = h('div', { class: 'charts' });
  const pick = select(
    'since',
    [
      ['1h', 'last hour'],
      ['24h', 'last 24 hours'],
      ['7d', 'last 7 days'],
    ],
    since,
  );
  pick.id = 'sensor-since';
  pick.addEventListener('change', () => ctx.navigate('sensors', { sensor: chosen, since: pick.value }));
  replace(
    ctx.main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Sensors')),
    section(
      'Latest reports',
      table(
        [
          {
            label: 'Sensor',
            cell: (s) =>
              h(
                'a',
                {
                  href: `#/sensors${query({ sensor: s.sensor, since })}`,
                  'aria-current': s.sensor === chosen ? 'true' : null,
                },
                s.sensor,
              ),
          },
          { label: 'Source', cell: (s) => s.source, class: 'mono' },
          { label: 'Health', cell: (s) => badge(s.healthy ? 'healthy' : 'unhealthy') },
          { label: 'Capture', cell: (s) => badge(s.capture_state || 'unknown') },
          { label: 'Reported', cell: (s) => time(s.ts, true) },
          { label: 'Last packet', cell: (s) => time(s.last_packet_ms, true) },
          { label: 'Packets', cell: (s) => num(s.packets), class: 'num' },
          { label: 'Decoded', cell: (s) => num(s.decoded), class: 'num' },
          { label: 'Failures', cell: (s) => num(s.failures), class: 'num' },
          { label: 'Handshakes', cell: (s) => num(s.handshakes), class: 'num' },
          { label: 'Kernel drops', cell: (s) => num(s.kernel_drops), class: 'num' },
          { label: 'Dropped before Kafka', cell: (s) => num(s.dropped_before_kafka), class: 'num' },
        ],
        items,
        { empty: 'No sensor has reported yet.', rowAttrs: (s) => ({ class: s.sensor === chosen ? 'selected' : null }) },
      ),
    ),
    chosen
      ? h(
          'section',
          { class: 'panel' },
          h(
            'div',
            { class: 'panel-head' },
            h('h2', {}, `Rates of ${chosen}`),
            h('label', { for: 'sensor-since' }, 'Period '),
            pick,
          ),
          charts,
        )
      : null,
  );
  if (!chosen) return;
  const hist = await getOptional(`/sensors/${encodeURIComponent(chosen)}/history${query({ since })}`);
  if (!ctx.current()) return;
  if (!hist) {
    replace(charts, h('p', { class: 'note' }, `No history for ${chosen}.`));
    return;
  }
  const points = [...hist.items].sort((a, b) => a.ts - b.ts);
  const made = [
    rateChart('Traffic', points, [
      { label: 'packets/s', key: 'packets' },
      { label: 'decoded/s', key: 'decoded' },
      { label: 'handshakes/s', key: 'handshakes' },
    ]),
    rateChart('Losses', points, [
      { label: 'kernel drops/s', key: 'kernel_drops' },
      { label: 'dropped before Kafka/s', key: 'dropped_before_kafka' },
      { label: 'decode failures/s', key: 'failures' },
    ]),
  ];
  ctx.onCleanup(() => {
    for (const c of made) c.destroy();
  });
  replace(
    charts,
    made.map((c) => c.el),
  );
}
