import { ManualClock } from '../../src/util/clock.js';
import { callErrorOutcome } from '../../src/metrics/outcomes.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import type { MetricsSnapshot } from '../../src/metrics/snapshot.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/**
 * A 10-second run with hand-checkable numbers (all latencies below 2048 µs, where 3-digit HDR is exact):
 *  - BootNotification: 4 ok at 1000/2000/3000/4000 µs (service 500 µs each)
 *  - Authorize: ok 100 µs, rejected 200 µs, timeout 300 µs, CALLERROR NotImplemented 400 µs, invalid (untimed)
 *  - connects: 1000/2000/3000 µs ok, 1 refused; incoming Reset: 1 ok, 1 CALLERROR NotSupported
 *  - tx_started 5, tx_ended 4, energy_wh 12345, offline_dropped 2, reconnects 3; stations_connected 8 (max 10)
 */
export function sampleSnapshot(): MetricsSnapshot {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  for (const us of [1000, 2000, 3000, 4000]) m.recordCall('BootNotification', us, 500, 'ok');
  m.recordCall('Authorize', 100, 50, 'ok');
  m.recordCall('Authorize', 200, 50, 'rejected');
  m.recordCall('Authorize', 300, 300, 'timeout');
  m.recordCall('Authorize', 400, 50, callErrorOutcome('NotImplemented'));
  m.recordCall('Authorize', 0, 0, 'invalid');
  for (const us of [1000, 2000, 3000]) m.recordConnect(us, true);
  m.recordConnect(0, false, 'refused');
  m.recordIncoming('Reset', 'ok');
  m.recordIncoming('Reset', callErrorOutcome('NotSupported'));
  m.count('tx_started', 5);
  m.count('tx_ended', 4);
  m.add('energy_wh', 12345);
  m.count('offline_dropped', 2);
  m.count('reconnects', 3);
  m.gauge('stations_connected', 10);
  m.gauge('stations_connected', 8);
  clock.advance(1000);
  m.tick();
  clock.advance(9000);
  return m.snapshot();
}
