import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { gaugePeak, mergePoints, mergeSeries, type SeriesPoint } from '../../src/metrics/series.js';

function point(t: number, latencies: number[], connected: number): SeriesPoint {
  const h = new LatencyHistogram(2);
  for (const v of latencies) h.record(v);
  return { t, ms: 1000, calls: latencies.length, errors: 0, p99Us: h.percentile(99), hdr: h.count ? h.encode() : '', gauges: { stations_connected: connected } };
}

test('mergePoints adds calls and gauges and recomputes p99 from the merged histogram', () => {
  const a = point(10, [100, 200, 300], 4);
  const b = point(10, Array.from({ length: 97 }, (_, i) => i + 1), 6);
  const m = mergePoints([a, b]);
  assert.equal(m.calls, 100);
  assert.equal(m.p99Us, 200); // 100 samples: the 99th smallest is 200 (values below 256 are exact at 2 digits)
  assert.deepEqual(m.gauges, { stations_connected: 10 });
  assert.equal(mergePoints([point(1, [], 0), point(1, [], 0)]).hdr, '');
});

test('mergeSeries aligns by second, orders, and keeps the newest points within capacity', () => {
  const s1 = { intervalMs: 1000, truncated: false, points: [point(3, [5], 1), point(4, [5], 1)] };
  const s2 = { intervalMs: 1000, truncated: false, points: [point(1, [5], 2), point(3, [5], 2)] };
  const merged = mergeSeries([s1, s2]);
  assert.deepEqual(merged.points.map((p) => [p.t, p.calls, p.gauges.stations_connected]), [[1, 1, 2], [3, 2, 3], [4, 1, 1]]);
  assert.equal(merged.truncated, false);
  const bounded = mergeSeries([s1, s2], 2);
  assert.deepEqual(bounded.points.map((p) => p.t), [3, 4]);
  assert.equal(bounded.truncated, true);
});

test('mergeSeries carries a process\'s gauges into the seconds its tick missed', () => {
  const pt = (t: number, connected: number) => ({ t, ms: 1000, calls: 0, errors: 0, p99Us: 0, hdr: '', gauges: { stations_connected: connected } });
  const a = { intervalMs: 1000, truncated: false, points: [pt(1, 10), pt(2, 20), pt(3, 30), pt(4, 30)] };
  // b's tick slipped past second 2 and 3
  const b = { intervalMs: 1000, truncated: false, points: [pt(1, 5), pt(4, 15)] };
  const m = mergeSeries([a, b]);
  assert.deepEqual(m.points.map((p) => p.gauges.stations_connected), [15, 25, 35, 45]);
});

test('gaugePeak is the highest value of a gauge over the (merged) series, 0 when never set', () => {
  const pt = (t: number, connected: number) => ({ t, ms: 1000, calls: 0, errors: 0, p99Us: 0, hdr: '', gauges: { stations_connected: connected } });
  // Two processes peaking at different seconds: the sum of their peaks (20) never happened.
  const a = { intervalMs: 1000, truncated: false, points: [pt(1, 10), pt(2, 2), pt(3, 0)] };
  const b = { intervalMs: 1000, truncated: false, points: [pt(1, 1), pt(2, 10), pt(3, 0)] };
  assert.equal(gaugePeak(mergeSeries([a, b]), 'stations_connected'), 12);
  assert.equal(gaugePeak(mergeSeries([a, b]), 'other'), 0);
});
