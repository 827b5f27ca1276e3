// SIEM formats, pure: CEF escaping (header and extensions), RFC 5424 headers, RFC 6587 octet
// counting, syslog targets, and the ECS document on the Kafka alerts topic.

import { describe, expect, it } from 'vitest';
import { cefEvent, cefExtensionValue, cefHeaderField } from '../../analyzer/alert/cef.js';
import { ecsAlert } from '../../analyzer/alert/ecs.js';
import { octetFrame, parseSyslogTarget, syslogMessage } from '../../analyzer/alert/syslog.js';
import { newServiceAlert, serviceChangedAlert } from '../../analyzer/rules.js';
import { observation } from '../support/observations.js';

const alert = {
  ...newServiceAlert(
    observation({ ip: '192.0.2.1', port: 22, window_start: 1000, sample_client: '198.51.100.7', sensor: 's1' }),
    'high',
    true,
    1_700_000_000_123,
  ),
  owner: 'web',
};

describe('CEF', () => {
  it('escapes header fields: backslash and pipe; line breaks become spaces', () => {
    expect(cefHeaderField('a|b\\c\r\nd\ne')).toBe('a\\|b\\\\c d e');
  });
  it('escapes extension values: backslash, equals, line breaks', () => {
    expect(cefExtensionValue('a=b\\c|d\r\ne\nf\rg')).toBe('a\\=b\\\\c|d\\ne\\nf\\rg');
  });
  it('an alert as one CEF:0 event', () => {
    const e = cefEvent({ ...alert, message: 'x|y=z' }, '1.2.3');
    expect(e).toBe(
      'CEF:0|Porthole|Porthole|1.2.3|new_service|x\\|y=z|8|rt=1700000000123 externalId=new_service|192.0.2.1|tcp|22 ' +
        'cat=new_service dst=192.0.2.1 dpt=22 proto=TCP src=198.51.100.7 dvchost=s1 cs1=web cs1Label=owner msg=x|y\\=z',
    );
  });
  it('IPv6 addresses go in c6a3 / c6a2', () => {
    const a = newServiceAlert(
      observation({ ip: '2001:db8::1', port: 443, window_start: 0, sample_client: '2001:db8::9' }),
      'low',
      false,
      5,
    );
    const e = cefEvent(a, '1');
    expect(e).toContain('|3|');
    expect(e).toContain('c6a3=2001:db8::1 c6a3Label=Destination IPv6 Address');
    expect(e).toContain('c6a2=2001:db8::9 c6a2Label=Source IPv6 Address');
    expect(e).not.toContain(' dst=');
  });
});

describe('syslog', () => {
  it('RFC 5424: PRI from severity, version 1, ISO time, host, app, procid, msgid, no SD', () => {
    const m = syslogMessage({
      ts: 1_700_000_000_123,
      severity: 'high',
      hostname: 'an host',
      procId: '42',
      msgId: 'new_service',
      msg: 'CEF:0|x',
    });
    expect(m).toBe('<34>1 2023-11-14T22:13:20.123Z anhost porthole 42 new_service - CEF:0|x');
    expect(syslogMessage({ ts: 0, severity: 'low', hostname: '', procId: '', msgId: 'k', msg: 'm' })).toMatch(
      /^<37>1 1970-01-01T00:00:00\.000Z - porthole - k - m$/,
    );
  });
  it('octet counting counts bytes, not characters', () => {
    expect(octetFrame('héllo').toString('utf8')).toBe('6 héllo');
    expect(octetFrame('').toString()).toBe('0 ');
  });
  it.each([
    ['udp://127.0.0.1:514', { transport: 'udp', host: '127.0.0.1', port: 514 }],
    ['tcp://syslog.example:601', { transport: 'tcp', host: 'syslog.example', port: 601 }],
    ['tls://[::1]:6514', { transport: 'tls', host: '::1', port: 6514 }],
  ])('target %s', (text, want) => {
    expect(parseSyslogTarget(text)).toEqual({ ...want, text });
  });
  it.each(['udp://127.0.0.1', 'tcp://127.0.0.1:0', 'tls://127.0.0.1:70000', 'http://x:1', 'udp://::1:514'])(
    'refuses %s',
    (text) => {
      expect(parseSyslogTarget(text)).toBeNull();
    },
  );
});

describe('ECS', () => {
  it('names the fields as ECS does and keeps the Porthole fields under porthole', () => {
    const d = ecsAlert(alert, '1.2.3');
    expect(d).toMatchObject({
      '@timestamp': '2023-11-14T22:13:20.123Z',
      message: alert.message,
      event: {
        kind: 'alert',
        category: ['network'],
        type: ['start'],
        action: 'new_service',
        severity: 8,
        id: 'new_service|192.0.2.1|tcp|22',
      },
      rule: { name: 'new_service' },
      destination: { ip: '192.0.2.1', port: 22 },
      source: { ip: '198.51.100.7' },
      network: { transport: 'tcp', type: 'ipv4' },
      observer: { vendor: 'Porthole', product: 'Porthole', version: '1.2.3', name: 's1' },
      organization: { name: 'web' },
      labels: { owner: 'web', severity: 'high' },
      porthole: { alert_id: alert.alert_id, kind: 'new_service', ip: '192.0.2.1', port: 22, owner: 'web' },
    });
  });
  it('a changed service is a protocol event; no owner, no organization', () => {
    const d = ecsAlert(
      serviceChangedAlert({ ip: '2001:db8::1', proto: 'tcp', port: 22 }, { before: 'a', after: 'b', cpe: '' }, 9),
      '1',
    );
    expect(d.event).toMatchObject({ type: ['protocol'], severity: 6 });
    expect(d.network).toEqual({ transport: 'tcp', type: 'ipv6' });
    expect(d).not.toHaveProperty('organization');
    expect(d.labels).toEqual({ severity: 'medium' });
  });
});
