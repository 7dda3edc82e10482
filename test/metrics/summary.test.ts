import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { summarize } from '../../src/metrics/summary.js';
import { sampleSnapshot, T0 } from './fixtures.js';

test('run info and overall call totals', () => {
  const s = summarize(sampleSnapshot(), { scenario: 'quickstart', target: 'ws://127.0.0.1:9000/ocpp', stations: 10 });
  assert.deepEqual(s.run, {
    scenario: 'quickstart', target: 'ws://127.0.0.1:9000/ocpp', stations: 10,
    startTime: new Date(T0).toISOString(), endTime: new Date(T0 + 10_000).toISOString(), durationMs: 10_000, shards: 1,
  });
  assert.equal(s.calls.count, 9);
  assert.equal(s.calls.ok, 5);
  assert.equal(s.calls.rejected, 1);
  assert.equal(s.calls.failed, 3);
  assert.equal(s.calls.failedRate, 0.333333);
  assert.equal(s.calls.ratePerS, 0.9);
  assert.deepEqual(s.calls.errors, { timeout: 1, 'callerror:NotImplemented': 1, invalid: 1 });
  assert.equal(s.calls.duration.count, 8);
  assert.equal(s.calls.duration.max, 4);
  assert.equal(s.calls.duration.min, 0.1);
});

test('per-action latency in ms with µs resolution', () => {
  const s = summarize(sampleSnapshot());
  const boot = s.actions.BootNotification!;
  assert.deepEqual(boot.duration, { count: 4, avg: 2.5, min: 1, med: 2, max: 4, 'p(90)': 4, 'p(95)': 4, 'p(99)': 4, 'p(99.9)': 4 });
  assert.equal(boot.service.avg, 0.5);
  assert.equal(boot.ratePerS, 0.4);
  const auth = s.actions.Authorize!;
  assert.deepEqual(auth.duration, { count: 4, avg: 0.25, min: 0.1, med: 0.2, max: 0.4, 'p(90)': 0.4, 'p(95)': 0.4, 'p(99)': 0.4, 'p(99.9)': 0.4 });
  assert.equal(auth.service.avg, 0.113); // 112.5 µs, rounded to µs resolution
  assert.deepEqual([auth.count, auth.ok, auth.rejected, auth.failed], [5, 1, 1, 3]);
  assert.equal(auth.failedRate, 0.6);
});

test('extra percentiles are computed on request', () => {
  const s = summarize(sampleSnapshot(), { percentiles: [50, 99.99] });
  assert.equal(s.actions.BootNotification!.duration['p(50)'], 2);
  assert.equal(s.actions.BootNotification!.duration['p(99.99)'], 4);
});

test('connect, incoming, counters, gauges, series', () => {
  const s = summarize(sampleSnapshot());
  assert.deepEqual({ ...s.connect, duration: undefined }, { attempts: 4, ok: 3, failed: 1, errors: { refused: 1 }, duration: undefined });
  assert.equal(s.connect.duration.med, 2);
  assert.equal(s.connect.duration.avg, 2);
  assert.deepEqual(s.incoming, { Reset: { count: 2, ok: 1, rejected: 0, errors: { 'callerror:NotSupported': 1 } } });
  assert.deepEqual(s.counters.tx_started, { count: 5, rate: 0.5 });
  assert.deepEqual(s.counters.energy_wh, { count: 12345, rate: 1234.5 });
  assert.deepEqual(s.gauges.stations_connected, { value: 8, max: 10 });
  assert.equal(s.series.points.length, 1);
  assert.deepEqual({ ...s.series.points[0]!, p99: 0 }, { t: T0 / 1000, ms: 1000, calls: 9, errors: 3, p99: 0, gauges: { stations_connected: 8 } });
});

test('k6-style flat metrics for thresholds', () => {
  const m = summarize(sampleSnapshot()).metrics;
  assert.deepEqual(m.ocpp_calls, { type: 'counter', values: { count: 9, rate: 0.9 } });
  assert.deepEqual(m['ocpp_calls{action:Authorize}'], { type: 'counter', values: { count: 5, rate: 0.5 } });
  assert.deepEqual(m.ocpp_call_failed, { type: 'rate', values: { rate: 0.333333, passes: 3, fails: 6 } });
  assert.deepEqual(m['ocpp_call_rejected{action:Authorize}'], { type: 'rate', values: { rate: 0.2, passes: 1, fails: 4 } });
  assert.equal(m['ocpp_call_duration{action:BootNotification}']!.type, 'trend');
  assert.deepEqual(m['ocpp_call_errors{kind:callerror}']!.values, { count: 1, rate: 0.1 });
  assert.deepEqual(m['ocpp_call_errors{kind:callerror:NotImplemented}']!.values, { count: 1, rate: 0.1 });
  assert.deepEqual(m['ocpp_call_errors{action:Authorize,kind:timeout}']!.values, { count: 1, rate: 0.1 });
  assert.equal(m['ocpp_call_errors{kind:rejected}'], undefined);
  assert.deepEqual(m.ocpp_connect_failed, { type: 'rate', values: { rate: 0.25, passes: 1, fails: 3 } });
  assert.deepEqual(m['ocpp_incoming_failed{action:Reset}']!.values, { rate: 0.5, passes: 1, fails: 1 });
  assert.deepEqual(m.tx_started, { type: 'counter', values: { count: 5, rate: 0.5 } });
  assert.deepEqual(m.stations_connected, { type: 'gauge', values: { value: 8, max: 10 } });
});

test('an empty run summarises to zeros, with the built-in metrics present', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  clock.advance(5000);
  const s = summarize(m.snapshot());
  assert.equal(s.calls.count, 0);
  assert.equal(s.calls.failedRate, 0);
  assert.equal(s.calls.duration.count, 0);
  assert.equal(s.calls.duration.max, 0);
  assert.deepEqual(s.metrics.ocpp_call_errors, { type: 'counter', values: { count: 0, rate: 0 } });
  assert.deepEqual(s.metrics.ocpp_incoming_failed, { type: 'rate', values: { rate: 0, passes: 0, fails: 0 } });
  assert.equal(s.metrics.ocpp_connect_duration!.type, 'trend');
});

test('the summary is plain JSON and deterministic', () => {
  const snap = sampleSnapshot();
  const a = summarize(snap);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.deepEqual(summarize(snap), a);
});
