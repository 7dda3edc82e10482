import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listTags } from 'hdr-histogram-js';
import { ManualClock } from '../../src/util/clock.js';
import { HlogWriter, hlogOfSeries } from '../../src/metrics/hlog.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { summarize } from '../../src/metrics/summary.js';
import { T0 } from './fixtures.js';
import { readHlog } from './outputs.js';

function run(): MetricsRegistry {
  const clock = new ManualClock(T0 + 400);
  const m = new MetricsRegistry({ clock });
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < 10 * (s + 1); i++) m.recordCall('BootNotification', 1000 + i * 100, 500, 'ok');
    if (s !== 1) m.recordCall('Heartbeat', 250_000, 500, s === 2 ? 'timeout' : 'ok');
    if (s === 0) m.recordConnect(12_345, true);
    clock.advance(1000);
    m.tick();
  }
  return m;
}

test('the header is HistogramLogWriter\'s (format 1.3, StartTime, BaseTime, legend), then Tag= lines', () => {
  const m = run();
  const text = hlogOfSeries(m.snapshot().series, m.startMs);
  const lines = text.split('\n');
  assert.equal(lines[0], '#[Histogram log format version 1.3]');
  assert.match(lines[1]!, /^#\[StartTime: 1767268800\.400 \(seconds since epoch\), 2026-01-01T12:00:00\.400Z\]$/);
  assert.equal(lines[2], '#[BaseTime: 1767268800.000 (seconds since epoch)]');
  assert.match(lines[3]!, /^#\[chargestorm: values in microseconds/);
  assert.equal(lines[4], '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"');
  const data = lines.slice(5).filter(Boolean);
  assert.ok(data.every((l) => /^Tag=[^,\s]+,\d+\.\d{3},\d+\.\d{3},\d+\.\d{3},HISTF[A-Za-z0-9+/=]+$/.test(l)), data.join('\n'));
  // Interval 0: seconds 0.000 (+1.000), max in ms.
  assert.ok(data.includes(data.find((l) => l.startsWith('Tag=ocpp_call_duration.Heartbeat,0.000,1.000,250.000,'))!));
  assert.ok(text.endsWith('\n'));
});

test('hdr-histogram-js reads it back: tags, timestamps, and counts per tag equal to the summary', () => {
  const m = run();
  const snap = m.snapshot();
  const text = hlogOfSeries(snap.series, m.startMs);
  const summary = summarize(snap);
  assert.deepEqual(listTags(text).sort(), ['ocpp_call_duration', 'ocpp_call_duration.BootNotification', 'ocpp_call_duration.Heartbeat', 'ocpp_connect_duration']);
  const intervals = readHlog(text);
  const total = (tag: string): number => intervals.filter((i) => i.tag === tag).reduce((n, i) => n + i.count, 0);
  assert.equal(total('ocpp_call_duration.BootNotification'), summary.actions.BootNotification!.duration.count);
  assert.equal(total('ocpp_call_duration.Heartbeat'), summary.actions.Heartbeat!.duration.count);
  assert.equal(total('ocpp_call_duration'), summary.calls.duration.count);
  assert.equal(total('ocpp_connect_duration'), summary.connect.duration.count);
  // Timestamps are relative to BaseTime (the run's start second) and read back as absolute ms.
  const boot = intervals.filter((i) => i.tag === 'ocpp_call_duration.BootNotification');
  assert.deepEqual(boot.map((i) => [i.startMs - T0, i.endMs - i.startMs, i.count]), [[0, 1000, 10], [1000, 1000, 20], [2000, 1000, 30]]);
  // The reader's max is bucket-equivalent (2 digits: within 1%); the Interval_Max column is exact.
  assert.ok(Math.abs(intervals.find((i) => i.tag === 'ocpp_call_duration.Heartbeat')!.max - 250_000) <= 2500);
});

test('HlogWriter streams intervals as they come; empty intervals write nothing', () => {
  let text = '';
  const w = new HlogWriter((t) => { text += t; }, T0 + 1500);
  w.interval({ t: T0 / 1000 + 1, startMs: T0 + 1500, ms: 1000, histograms: {} });
  const headerOnly = text;
  const m = run();
  const first = m.snapshot().series.points[0]!;
  w.interval({ t: first.t, startMs: T0 + 2500, ms: 1000, histograms: first.tags! });
  assert.match(headerOnly, /"StartTimestamp"/);
  const added = text.slice(headerOnly.length).split('\n').filter(Boolean);
  assert.equal(added.length, 4);
  assert.ok(added.every((l) => l.split(',')[1] === '1.500'), added.join('\n'));
  assert.equal(readHlog(text).length, 4);
});
