import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './support.js';

function heartbeats(h: ReturnType<typeof harness>, sd: ReturnType<ReturnType<typeof harness>['connect']>, everyMs: number, forMs: number): void {
  for (let t = 0; t < forMs; t += everyMs) {
    h.clock.advance(everyMs);
    h.call(sd, 'Heartbeat', {});
  }
}

test('a station\'s steady rate is learned; a 10× jump in one action class alerts within the bucket', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  heartbeats(h, sd, 2000, 600_000); // 5 per 10 s bucket
  assert.deepEqual(h.alerts, []);
  const before = h.clock.nowMs();
  heartbeats(h, sd, 200, 10_000); // 50 per bucket
  const a = h.of('flood', 'L2.message-rate');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.actionClass, 'Heartbeat');
  assert.ok(Date.parse(a[0]!.ts) - before <= 10_000, 'detected within one bucket');
});

test('no statistical alert during the warm-up; L1 rules are live from the start', () => {
  const h = harness({ thresholds: { warmupMs: 120_000 } });
  const sd = h.connect('CS-1');
  heartbeats(h, sd, 50, 30_000);
  assert.equal(h.of('flood').length, 0);
  h.call(sd, 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: '2026-01-01T00:00:00Z' });
  assert.equal(h.of('security-event').length, 1);
  h.clock.advance(120_000);
  heartbeats(h, sd, 50, 10_000);
  assert.equal(h.of('flood', 'L2.message-rate').length, 1);
});

test('the baseline stays frozen while alarmed: a sustained flood keeps alarming bucket after bucket', () => {
  const h = harness({ cooldownMs: 0 });
  const sd = h.connect('CS-1');
  heartbeats(h, sd, 5000, 300_000);
  heartbeats(h, sd, 100, 120_000);
  // One alert per 10 s bucket of the 2-minute flood: the flood never became the baseline.
  assert.ok(h.of('flood', 'L2.message-rate').length >= 11);
});

test('busy but steady stations (a load test at 5 msg/s each) are not flagged, newcomers included', () => {
  const h = harness({ thresholds: { warmupMs: 60_000 } });
  const sd = h.connect('CS-1');
  heartbeats(h, sd, 200, 300_000);
  const late = h.connect('CS-LATE');
  for (let t = 0; t < 300_000; t += 200) {
    h.clock.advance(200);
    h.call(sd, 'Heartbeat', {});
    h.call(late, 'Heartbeat', {});
  }
  assert.deepEqual(h.alerts, []);
});

test('traffic we asked for (a command within commandedMs) stays out of the rates', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  heartbeats(h, sd, 5000, 120_000);
  h.det.commandSent('CS-1', 'GetBaseReport', { requestId: 1, reportBase: 'FullInventory' });
  for (let i = 0; i < 100; i++) { h.clock.advance(50); h.call(sd, 'NotifyReport', { requestId: 1, generatedAt: '2026-01-01T00:00:00Z', seqNo: i, tbc: true }); }
  assert.deepEqual(h.alerts, []);
});
