import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { intervalsOfSeries, intervalTag, mergeIntervals, type IntervalHistograms } from '../../src/metrics/interval.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { intervalHistogram } from '../../src/metrics/series.js';
import { mergeSnapshots } from '../../src/metrics/snapshot.js';
import { summarize } from '../../src/metrics/summary.js';
import { T0 } from './fixtures.js';

const countOf = (hdr: string): number => intervalHistogram(hdr).count;

test('each tick hands the interval histograms by tag to listeners and keeps them in the series point', () => {
  const clock = new ManualClock(T0 + 250);
  const m = new MetricsRegistry({ clock });
  const seen: IntervalHistograms[] = [];
  const off = m.onInterval((iv) => seen.push(iv));
  m.recordCall('BootNotification', 1000, 900, 'ok');
  m.recordCall('BootNotification', 3000, 900, 'timeout');
  m.recordCall('Heartbeat', 500, 400, 'ok');
  m.recordCall('Heartbeat', 0, 0, 'disconnected'); // not timed: in no histogram
  m.recordConnect(7000, true);
  m.recordConnect(0, false, 'refused');
  clock.advance(1000);
  const p1 = m.tick();
  clock.advance(1000);
  const p2 = m.tick(); // nothing timed
  m.recordCall('Heartbeat', 800, 700, 'ok');
  clock.advance(500);
  m.tick();
  off();
  m.recordCall('Heartbeat', 900, 700, 'ok');
  clock.advance(500);
  m.tick();

  assert.deepEqual(Object.keys(p1.tags ?? {}), ['ocpp_call_duration', 'ocpp_call_duration.BootNotification', 'ocpp_call_duration.Heartbeat', 'ocpp_connect_duration']);
  assert.equal(p1.tags!.ocpp_call_duration!.hdr, p1.hdr, 'the combined tag reuses the series histogram');
  assert.deepEqual(Object.values(p1.tags!).map((h) => [h.count, h.maxUs]), [[3, 3000], [2, 3000], [1, 500], [1, 7000]]);
  assert.equal(countOf(p1.tags!['ocpp_call_duration.BootNotification']!.hdr), 2);
  assert.equal(p2.tags, undefined);

  assert.equal(seen.length, 3, 'the removed listener hears nothing more');
  assert.deepEqual(seen.map((iv) => [iv.t, iv.startMs, iv.ms, Object.keys(iv.histograms).length]), [
    [Math.floor((T0 + 250) / 1000), T0 + 250, 1000, 4], [Math.floor((T0 + 1250) / 1000), T0 + 1250, 1000, 0], [Math.floor((T0 + 2250) / 1000), T0 + 2250, 500, 2],
  ]);

  // The per-tag histograms add up to the run's: what an hlog reader sums equals the summary.
  const snap = m.snapshot();
  const sum = summarize(snap);
  const totals = new Map<string, number>();
  for (const iv of intervalsOfSeries(snap.series)) for (const [tag, h] of Object.entries(iv.histograms)) totals.set(tag, (totals.get(tag) ?? 0) + countOf(h.hdr));
  assert.equal(totals.get('ocpp_call_duration.Heartbeat'), (sum.metrics['ocpp_call_duration{action:Heartbeat}']!.values as { count: number }).count);
  assert.equal(totals.get('ocpp_call_duration'), sum.calls.duration.count);
  assert.equal(totals.get('ocpp_connect_duration'), sum.connect.duration.count);
});

test('progress leaves the per-tag histograms out; snapshot({series:false}) leaves the series out', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  m.recordCall('Heartbeat', 800, 700, 'ok');
  clock.advance(1000);
  m.tick();
  const last = m.progress().last!;
  assert.equal(last.tags, undefined);
  assert.notEqual(last.hdr, '');
  assert.equal(m.snapshot().series.points.length, 1);
  assert.deepEqual(m.snapshot(undefined, { series: false }).series.points, []);
});

test('intervals of several processes merge per second, exactly; so do the series of merged snapshots', () => {
  const clocks = [new ManualClock(T0 + 100), new ManualClock(T0 + 300)];
  const regs = clocks.map((clock) => new MetricsRegistry({ clock }));
  const got: IntervalHistograms[][] = [[], []];
  regs.forEach((r, i) => r.onInterval((iv) => got[i]!.push(iv)));
  regs[0]!.recordCall('Authorize', 1000, 1, 'ok');
  regs[0]!.recordCall('Authorize', 2000, 1, 'ok');
  regs[1]!.recordCall('Authorize', 40_000, 1, 'ok');
  regs[1]!.recordCall('BootNotification', 5000, 1, 'ok');
  clocks.forEach((c) => c.advance(1000));
  regs.forEach((r) => r.tick());
  const merged = mergeIntervals([got[0]![0]!, got[1]![0]!]);
  assert.deepEqual([merged.t, merged.startMs, merged.ms], [Math.floor(T0 / 1000), T0 + 100, 1200]);
  const auth = merged.histograms['ocpp_call_duration.Authorize']!;
  assert.deepEqual([auth.count, auth.maxUs, countOf(auth.hdr)], [3, 40_000, 3]);
  const h = intervalHistogram(auth.hdr);
  assert.ok(Math.abs(h.percentile(100) - 40_000) <= 400);
  assert.equal(merged.histograms['ocpp_call_duration.BootNotification']!.count, 1);
  assert.equal(merged.histograms.ocpp_call_duration!.count, 4);

  const snap = mergeSnapshots(regs.map((r) => r.snapshot()));
  assert.equal(snap.series.points.length, 1);
  const tags = snap.series.points[0]!.tags!;
  assert.deepEqual(Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, v.count])), {
    ocpp_call_duration: 4, 'ocpp_call_duration.Authorize': 3, 'ocpp_call_duration.BootNotification': 1,
  });
  assert.equal(mergeIntervals([got[0]![0]!]).histograms.ocpp_call_duration!.count, 2);
  assert.throws(() => mergeIntervals([]));
});

test('hlog tags hold no commas or whitespace', () => {
  assert.equal(intervalTag('ocpp_call_duration'), 'ocpp_call_duration');
  assert.equal(intervalTag('ocpp_call_duration', 'Boot Notification,x'), 'ocpp_call_duration.Boot_Notification_x');
  assert.equal(new LatencyHistogram(2).count, 0);
});
