import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { callErrorOutcome } from '../../src/metrics/outcomes.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { summarize } from '../../src/metrics/summary.js';
import { evaluateLive, liveMetrics, snapshotView } from '../../src/metrics/live.js';
import { evaluateThresholds, parseThresholds, thresholdPercentiles, type Threshold } from '../../src/metrics/thresholds.js';
import { T0 } from './fixtures.js';

/** A registry with a bit of everything, including latencies above 2 ms where HDR buckets are no longer exact. */
function busyRegistry(clock: ManualClock): MetricsRegistry {
  const m = new MetricsRegistry({ clock });
  let x = 12345;
  const next = (): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x; };
  const actions = ['BootNotification', 'Heartbeat', 'Authorize', 'TransactionEvent'];
  const outcomes = ['ok', 'ok', 'ok', 'rejected', 'timeout', callErrorOutcome('NotImplemented'), callErrorOutcome('InternalError'), 'disconnected', 'invalid'] as const;
  for (let i = 0; i < 5000; i++) {
    m.recordCall(actions[i % actions.length]!, next() % 400_000, next() % 300_000, outcomes[next() % outcomes.length]!);
  }
  for (let i = 0; i < 50; i++) m.recordConnect(next() % 90_000, i % 7 !== 0, i % 2 ? 'refused' : 'http-401');
  m.recordIncoming('Reset', 'ok');
  m.recordIncoming('Reset', callErrorOutcome('NotSupported'));
  m.recordIncoming('GetVariables', 'rejected');
  m.count('tx_started', 7);
  m.add('energy_wh', 1234.5);
  m.gauge('stations_connected', 9);
  m.gauge('stations_connected', 4);
  clock.advance(12_345);
  return m;
}

const ALL: Record<string, string[]> = {
  ocpp_calls: ['count>0', 'rate>1'],
  'ocpp_calls{action:Heartbeat}': ['count>0'],
  ocpp_call_duration: ['p(99)<250', 'p(97.5)<1', 'avg<1', 'med<1', 'min<1', 'max<1', 'count>0'],
  'ocpp_call_duration{action:Authorize}': ['p(90)<1', 'p(99.99)<1'],
  ocpp_call_service_duration: ['p(95)<1'],
  'ocpp_call_service_duration{action:TransactionEvent}': ['avg<1'],
  ocpp_call_failed: ['rate<0.01'],
  'ocpp_call_failed{action:BootNotification}': ['rate<0.01'],
  ocpp_call_rejected: ['rate<0.01'],
  ocpp_call_errors: ['count<1'],
  'ocpp_call_errors{kind:callerror}': ['count<1'],
  'ocpp_call_errors{kind:callerror:NotImplemented}': ['count<1'],
  'ocpp_call_errors{action:Heartbeat,kind:timeout}': ['count<1', 'rate<1'],
  'ocpp_call_errors{kind:callresulterror}': ['count<1'],
  ocpp_incoming_calls: ['count>0'],
  'ocpp_incoming_failed{action:Reset}': ['rate<0.1'],
  ocpp_incoming_failed: ['rate<0.1'],
  ocpp_connects: ['count>0'],
  ocpp_connect_duration: ['p(99)<1', 'avg<1'],
  ocpp_connect_failed: ['rate<0.01'],
  ocpp_connect_errors: ['count<1'],
  'ocpp_connect_errors{kind:refused}': ['count<1'],
  tx_started: ['count>0', 'rate>0'],
  energy_wh: ['count>0'],
  stations_connected: ['value>0', 'max>0'],
  // Never seen: an action, a counter, a gauge.
  'ocpp_call_duration{action:DataTransfer}': ['p(99)<1'],
  'ocpp_calls{action:DataTransfer}': ['count<1'],
  offline_dropped: ['count<1'],
};

function thresholds(record: Record<string, string[]>): Threshold[] {
  const { thresholds: t, problems } = parseThresholds(record);
  assert.deepEqual(problems, []);
  return t;
}

test('liveMetrics gives exactly the entries summarize gives, for every key the thresholds read', () => {
  const clock = new ManualClock(T0);
  const m = busyRegistry(clock);
  const ts = thresholds(ALL);
  const full = summarize(m.snapshot(), { percentiles: thresholdPercentiles(ts) });
  const live = liveMetrics(m.view(), ts, clock.nowMs());
  for (const t of ts) {
    const want = full.metrics[t.metric];
    const got = live.metrics[t.metric];
    if (want === undefined) { assert.equal(got, undefined, t.metric); continue; }
    assert.ok(got, `live has no ${t.metric}`);
    assert.equal(got.type, want.type, t.metric);
    const values = got.values as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(values)) {
      assert.equal(v, (want.values as unknown as Record<string, number>)[k], `${t.metric} ${k}`);
    }
  }
  assert.deepEqual(evaluateLive(m.view(), ts, clock.nowMs()), evaluateThresholds(ts, full));
});

test('snapshotView evaluates a (merged) snapshot the same way, decoding only what is read', () => {
  const clock = new ManualClock(T0);
  const m = busyRegistry(clock);
  const ts = thresholds(ALL);
  const snap = m.snapshot();
  const full = summarize(snap, { percentiles: thresholdPercentiles(ts) });
  assert.deepEqual(evaluateLive(snapshotView(snap), ts, snap.endMs), evaluateThresholds(ts, full));
  // A view read for counters only never decodes a histogram (the getters are lazy).
  const view = snapshotView(snap);
  const counters = thresholds({ tx_started: ['count>0'] });
  assert.deepEqual(liveMetrics(view, counters, snap.endMs).metrics.tx_started, full.metrics.tx_started);
});

test('evaluating live thresholds stays cheap on a large registry', () => {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  for (const a of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L']) {
    for (let i = 0; i < 20_000; i++) m.recordCall(a, (i * 7919) % 3_000_000, 100, 'ok');
  }
  clock.advance(60_000);
  const ts = thresholds({ ocpp_call_duration: ['p(99)<500', 'p(99.9)<900'], 'ocpp_call_duration{action:B}': ['p(99)<500'], ocpp_call_failed: ['rate<0.01'] });
  evaluateLive(m.view(), ts, clock.nowMs());
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) evaluateLive(m.view(), ts, clock.nowMs());
  const each = (performance.now() - t0) / 10;
  assert.ok(each < 25, `a live evaluation took ${each.toFixed(1)} ms`);
});
