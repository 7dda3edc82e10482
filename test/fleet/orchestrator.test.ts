import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedPeakConnected } from '../../src/fleet/orchestrator.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { mergeSnapshots } from '../../src/metrics/snapshot.js';
import { ManualClock } from '../../src/util/clock.js';

test('mergedPeakConnected: the peak of the summed per-second series, at least any one process\'s own peak', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  // Three generator processes; process i holds held[i][s] stations at the end of second s.
  const held = [[8, 3, 0], [0, 9, 0], [2, 2, 0]];
  const regs = held.map(() => new MetricsRegistry({ clock }));
  for (let sec = 0; sec < 3; sec++) {
    regs.forEach((r, i) => r.gauge('stations_connected', held[i]![sec]!));
    clock.advance(1000);
    for (const r of regs) r.tick();
  }
  const merged = mergeSnapshots(regs.map((r) => r.snapshot()));
  // Sum of the processes' peaks: 8 + 9 + 2 = 19; the fleet never held more than 3 + 9 + 2 = 14.
  assert.equal(mergedPeakConnected(merged, [8, 9, 2]), 14);
  // A process's peak between two ticks (seen by its own sampling, not by the series) is still a lower bound.
  assert.equal(mergedPeakConnected(merged, [15, 9, 2]), 15);
  assert.equal(mergedPeakConnected(mergeSnapshots([new MetricsRegistry({ clock }).snapshot()]), []), 0);
});
