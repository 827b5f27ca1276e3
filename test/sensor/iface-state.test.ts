// A lost interface is reopened only once it is up again: there, administratively up (IFF_UP) and
// with an operstate that carries frames.

import { describe, expect, it } from 'vitest';
import { ifaceState, ifaceStateOf } from '../../sensor/capture/iface-state.js';

describe('ifaceStateOf', () => {
  it('reads /sys/class/net flags and operstate', () => {
    expect(ifaceStateOf(null, null)).toBe('absent');
    expect(ifaceStateOf('0x1002\n', 'down\n')).toBe('down'); // IFF_UP clear
    expect(ifaceStateOf('0x1003\n', 'lowerlayerdown\n')).toBe('down'); // up, its peer or cable is not
    expect(ifaceStateOf('0x1003\n', 'up\n')).toBe('up');
    expect(ifaceStateOf('0x1091\n', 'unknown\n')).toBe('up'); // drivers that do not report it
  });

  it('reads the machine', () => {
    expect(ifaceState('lo')).toBe('up');
    expect(ifaceState('nosuch0')).toBe('absent');
  });
});
