// The capture's part of the sensor's status message: libpcap's drop counters and whether every
// interface captures, from a live capture; for a capture file, no counters and "capturing".

import type { CaptureState, SensorStatus } from '../../schemas/status.js';
import type { LiveCapture } from './live-capture.js';

export type CaptureHealth = Pick<
  SensorStatus,
  'kernel_drops' | 'iface_drops' | 'capture_state' | 'capture_error' | 'interface_losses'
>;

export function captureHealth(live: LiveCapture | null): CaptureHealth {
  if (!live)
    return {
      kernel_drops: null,
      iface_drops: null,
      capture_state: 'capturing',
      capture_error: null,
      interface_losses: 0,
    };
  const c = live.counters();
  const lost = live.interfaces().filter((i) => i.state !== 'capturing');
  let state: CaptureState = 'capturing';
  if (lost.some((i) => i.state === 'lost')) state = 'lost';
  else if (lost.length > 0) state = 'waiting';
  return {
    kernel_drops: c.dropped,
    iface_drops: c.ifDropped,
    capture_state: state,
    capture_error: lost.length ? lost.map((i) => `${i.iface}: ${i.reason}`).join('; ') : null,
    interface_losses: live.losses,
  };
}
