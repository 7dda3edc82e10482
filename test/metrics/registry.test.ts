import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import { ManualClock } from '../../src/util/clock.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { callErrorOutcome, callOutcomeFromFailure, type CallOutcomeKind } from '../../src/metrics/outcomes.js';
import { mergeProgress } from '../../src/metrics/progress.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { mergeSnapshots } from '../../src/metrics/snapshot.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Interval histograms keep 2 significant digits: within 1%. */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.01, `${actual} is not within 1% of ${expected}`);
}

test('recordCall counts outcomes per action and times answered calls only', () => {
  const m = new MetricsRegistry({ clock: new ManualClock(T0) });
  m.recordCall('Heartbeat', 1000, 800, 'ok');
  m.recordCall('Heartbeat', 3000, 900, 'rejected');
  m.recordCall('Heartbeat', 30_000_000, 30_000_000, 'timeout');
  m.recordCall('Heartbeat', 0, 0, callErrorOutcome('NotImplemented'));
  m.recordCall('Heartbeat', 50, 50, 'disconnected');
  m.recordCall('Heartbeat', 0, 0, 'invalid');
  const hb = m.snapshot().calls.Heartbeat!;
  assert.deepEqual(hb.outcomes, { ok: 1, rejected: 1, timeout: 1, 'callerror:NotImplemented': 1, disconnected: 1, invalid: 1 });
  assert.equal(hb.latency.count, 4);
  assert.equal(hb.latency.sumUs, 1000 + 3000 + 30_000_000 + 0);
  assert.equal(hb.service.sumUs, 800 + 900 + 30_000_000);
  assert.equal(hb.latency.maxUs, 30_000_000);
});

test('callRecorder returns one cached handle per action, shared with recordCall', () => {
  const m = new MetricsRegistry({ clock: new ManualClock(T0) });
  const r = m.callRecorder('Authorize');
  assert.equal(m.callRecorder('Authorize'), r);
  r.record(10, 5, 'ok');
  m.recordCall('Authorize', 20, 5, 'ok');
  assert.equal(m.snapshot().calls.Authorize!.outcomes.ok, 2);
});

test('protocol failures map onto outcomes; callerror kinds are interned', () => {
  assert.equal(callOutcomeFromFailure('invalid-request'), 'invalid');
  assert.equal(callOutcomeFromFailure('callerror', 'SecurityError'), 'callerror:SecurityError');
  assert.equal(callOutcomeFromFailure('timeout'), 'timeout');
  assert.equal(callErrorOutcome('FormatViolation'), callErrorOutcome('FormatViolation'));
});

test('incoming, connects, counters, sums and gauges', () => {
  const m = new MetricsRegistry({ clock: new ManualClock(T0) });
  m.recordIncoming('Reset', 'ok');
  m.recordIncoming('Reset', callErrorOutcome('NotSupported'));
  m.recordConnect(5000, true);
  m.recordConnect(100, false, 'refused');
  m.count('tx_started');
  m.count('tx_started', 2);
  m.add('energy_wh', 1.5);
  m.add('energy_wh', 2.25);
  m.gauge('stations_connected', 3);
  m.gauge('stations_connected', 7);
  m.gauge('stations_connected', 5);
  const s = m.snapshot();
  assert.deepEqual(s.incoming, { Reset: { ok: 1, 'callerror:NotSupported': 1 } });
  assert.deepEqual(s.connect.outcomes, { ok: 1, refused: 1 });
  assert.equal(s.connect.duration.count, 1);
  assert.equal(s.connect.duration.sumUs, 5000);
  assert.deepEqual(s.counters, { tx_started: 3, energy_wh: 3.75 });
  assert.deepEqual(s.gauges, { stations_connected: { last: 5, max: 7 } });
});

test('tick closes per-second intervals: calls, errors, p99, gauges; interval histograms reset', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  m.gauge('stations_connected', 2);
  for (let i = 1; i <= 100; i++) m.recordCall('Heartbeat', i * 10, i, i <= 98 ? 'ok' : 'timeout');
  m.recordCall('StatusNotification', 5, 5, 'disconnected');
  clock.advance(1000);
  const p1 = m.tick();
  assert.equal(p1.t, T0 / 1000);
  assert.equal(p1.ms, 1000);
  assert.equal(p1.calls, 101);
  assert.equal(p1.errors, 3);
  near(p1.p99Us, 990);
  assert.deepEqual(p1.gauges, { stations_connected: 2 });
  const last = m.lastInterval();
  assert.deepEqual(last.StatusNotification, { calls: 1, errors: 1, p99Us: 0 });
  assert.deepEqual({ ...last.Heartbeat, p99Us: 0 }, { calls: 100, errors: 2, p99Us: 0 });
  near(last.Heartbeat!.p99Us, 990);
  clock.advance(1000);
  const p2 = m.tick();
  assert.equal(p2.t, T0 / 1000 + 1);
  assert.equal(p2.calls, 0);
  assert.equal(p2.hdr, '');
  assert.equal(m.snapshot().series.points.length, 2);
});

test('series is bounded: the oldest points are dropped and truncated is set', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock, seriesCapacity: 3 });
  for (let i = 0; i < 5; i++) { clock.advance(1000); m.tick(); }
  const series = m.snapshot().series;
  assert.equal(series.points.length, 3);
  assert.equal(series.truncated, true);
  assert.equal(series.points[0]!.t, T0 / 1000 + 2);
});

test('two short intervals in the same second coalesce into one point', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  m.recordCall('Heartbeat', 100, 100, 'ok');
  clock.advance(300);
  m.tick();
  m.recordCall('Heartbeat', 200, 100, 'ok');
  clock.advance(300);
  m.tick();
  const pts = m.snapshot().series.points;
  assert.equal(pts.length, 1);
  assert.equal(pts[0]!.calls, 2);
  assert.equal(pts[0]!.ms, 600);
});

test('snapshot is plain JSON', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  m.recordCall('BootNotification', 1234, 1000, 'ok');
  m.gauge('stations_connected', 1);
  clock.advance(1000);
  m.tick();
  const s = m.snapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  assert.equal(s.startMs, T0);
  assert.equal(s.endMs, T0 + 1000);
});

/** Feeds calls from a deterministic generator into one or more registries. */
function feed(regs: MetricsRegistry[], seed: number, n: number): void {
  const kinds: CallOutcomeKind[] = ['ok', 'ok', 'ok', 'rejected', 'timeout', callErrorOutcome('InternalError'), 'disconnected'];
  const actions = ['Authorize', 'TransactionEvent', 'MeterValues'];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const us = 100 + (x % 2_000_000);
    for (const r of regs) r.recordCall(actions[x % 3]!, us, us >> 1, kinds[x % 7]!);
  }
}

test('mergeSnapshots is exact: equals one registry that saw every sample', () => {
  const clock = new ManualClock(T0);
  const a = new MetricsRegistry({ clock });
  const b = new MetricsRegistry({ clock });
  const all = new MetricsRegistry({ clock });
  for (let sec = 0; sec < 3; sec++) {
    feed([a, all], 11 + sec, 3000);
    feed([b, all], 99 + sec, 2000);
    a.gauge('stations_connected', 10 + sec);
    b.gauge('stations_connected', 5);
    all.gauge('stations_connected', 15 + sec);
    a.count('tx_started', 2);
    b.count('tx_started', 3);
    all.count('tx_started', 5);
    clock.advance(1000);
    a.tick(); b.tick(); all.tick();
  }
  const merged = mergeSnapshots([a.snapshot(), b.snapshot()].map((s) => JSON.parse(JSON.stringify(s))));
  const single = all.snapshot();
  assert.equal(merged.shards, 2);
  assert.deepEqual(Object.keys(merged.calls).sort(), Object.keys(single.calls).sort());
  for (const action of Object.keys(single.calls)) {
    const mc = merged.calls[action]!;
    const sc = single.calls[action]!;
    assert.deepEqual(mc.outcomes, sc.outcomes);
    assert.deepEqual({ ...mc.latency, hdr: '' }, { ...sc.latency, hdr: '' });
    const mh = LatencyHistogram.fromData(mc.latency);
    const sh = LatencyHistogram.fromData(sc.latency);
    for (const p of [50, 90, 99, 99.9]) assert.equal(mh.percentile(p), sh.percentile(p));
    assert.equal(LatencyHistogram.fromData(mc.service).percentile(99), LatencyHistogram.fromData(sc.service).percentile(99));
  }
  assert.deepEqual(merged.counters, { tx_started: 15 });
  assert.deepEqual(merged.gauges, { stations_connected: { last: 17, max: 17 } });
  assert.equal(merged.series.points.length, 3);
  merged.series.points.forEach((p, i) => {
    const s = single.series.points[i]!;
    assert.equal(p.t, s.t);
    assert.equal(p.calls, s.calls);
    assert.equal(p.errors, s.errors);
    assert.equal(p.p99Us, s.p99Us);
    assert.deepEqual(p.gauges, s.gauges);
  });
});

test('merging aligns series by second when shards started at different times', () => {
  const ca = new ManualClock(T0);
  const cb = new ManualClock(T0 + 1000);
  const a = new MetricsRegistry({ clock: ca });
  const b = new MetricsRegistry({ clock: cb });
  a.recordCall('Heartbeat', 10, 10, 'ok'); ca.advance(1000); a.tick();
  a.recordCall('Heartbeat', 10, 10, 'ok'); ca.advance(1000); a.tick();
  b.recordCall('Heartbeat', 10, 10, 'timeout'); cb.advance(1000); b.tick();
  const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
  assert.deepEqual(merged.series.points.map((p) => [p.t - T0 / 1000, p.calls, p.errors]), [[0, 1, 0], [1, 2, 1]]);
  assert.equal(merged.startMs, T0);
  assert.equal(merged.endMs, T0 + 2000);
});

test('progress: totals and the last interval, merged across shards', () => {
  const clock = new ManualClock(T0);
  const a = new MetricsRegistry({ clock });
  const b = new MetricsRegistry({ clock });
  assert.equal(a.progress().last, null);
  for (let i = 1; i <= 100; i++) (i % 2 ? a : b).recordCall('Heartbeat', i * 100, 1, i === 100 ? 'timeout' : 'ok');
  a.gauge('stations_connected', 4);
  b.gauge('stations_connected', 6);
  clock.advance(1000);
  a.tick(); b.tick();
  const p = mergeProgress([a.progress(), b.progress()]);
  assert.equal(p.calls, 100);
  assert.equal(p.errors, 1);
  assert.equal(p.elapsedMs, 1000);
  assert.equal(p.last!.calls, 100);
  near(p.last!.p99Us, 9900);
  assert.equal(p.last!.gauges.stations_connected, 10);
});

test('recordCall allocates nothing per sample once the action is known', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const m = new MetricsRegistry({ clock: new ManualClock(T0) });
  const rec = m.callRecorder('MeterValues');
  const timeout = 'timeout';
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) { rec.record(i % 5000, i % 3000, 'ok'); m.recordCall('Heartbeat', i, i, timeout); }
  };
  run(200_000); // warm up: the first pass pays for JIT-compiled code and feedback vectors
  gc();
  const gcs: string[] = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push(e.name); });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  run(200_000);
  const grown = process.memoryUsage().heapUsed - before;
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  // 400k samples at even 16 bytes each would be 6.4 MB and force young-generation collections.
  assert.ok(grown < 512 * 1024, `heap grew ${grown} bytes`);
  assert.equal(gcs.length, 0, 'garbage collections ran while recording');
});
