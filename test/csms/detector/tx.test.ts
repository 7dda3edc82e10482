import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Payload } from '../../../src/ocpp/session.js';
import { DETECTOR_DEFAULTS } from '../../../src/csms/detector/options.js';
import { benignSession, feed, harness, txEvent } from './support.js';

const T0 = Date.UTC(2026, 0, 1);

test('identical retries and an offline backlog flush are benign (F03)', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ev = benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 6 });
  feed(h, sd, ev.slice(0, 4));
  // The answer to seqNo 3 was lost: the station sends the same event again after reconnecting.
  feed(h, sd, [ev[3]!]);
  // Offline for a while: the rest arrives at once, flagged offline, with the original timestamps.
  h.clock.advance(120_000);
  for (const e of ev.slice(4)) h.call(sd, 'TransactionEvent', { ...e, offline: true });
  // And a whole transaction that happened offline.
  const off = benignSession({ txId: 'u', startMs: h.clock.nowMs() - 60_000, startWh: 2000, w: 7_000, samples: 5, offline: true, evse: 2 });
  for (const e of off) h.call(sd, 'TransactionEvent', e);
  assert.deepEqual(h.alerts, []);
});

test('replays: divergent duplicate, seqNo regression, event after Ended, Started twice, stale online event', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ev = benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 3 });
  feed(h, sd, ev.slice(0, 4));
  const tampered: Payload = structuredClone(ev[3]!);
  tampered.meterValue[0].sampledValue[0].value -= 5;
  h.call(sd, 'TransactionEvent', tampered);
  assert.equal(h.of('replay', 'L1.divergent-duplicate').length, 1);
  h.alerts.length = 0;
  h.clock.advance(61_000);
  h.call(sd, 'TransactionEvent', ev[2]!);
  assert.equal(h.of('replay', 'L1.seqno-regression').length, 1);
  feed(h, sd, ev.slice(4));
  h.clock.advance(61_000);
  h.call(sd, 'TransactionEvent', { ...ev[0]!, seqNo: 99 });
  assert.equal(h.of('replay', 'L1.event-after-ended').length, 1);
  const h2 = harness();
  const s2 = h2.connect('CS-2');
  feed(h2, s2, ev.slice(0, 3));
  h2.call(s2, 'TransactionEvent', { ...ev[0]!, seqNo: 3 });
  assert.equal(h2.of('replay', 'L1.started-twice').length, 1);
  const h3 = harness();
  const s3 = h3.connect('CS-3');
  h3.clock.advance(3_600_000);
  h3.call(s3, 'TransactionEvent', txEvent('Started', 0, { txId: 'old', tsMs: T0, meter: { tsMs: T0, wh: 5 } }));
  assert.equal(h3.of('replay', 'L1.stale-online-event').length, 1);
  // Replays are answered like the handlers answered, and change nothing.
  assert.equal(h.det.stats().actions.billingHolds, 0);
});

test('remoteStartId we never issued → Invalid, RequestStopTransaction, alert; one we issued is fine', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.det.commandSent('CS-1', 'RequestStartTransaction', { idToken: { idToken: 'chargestorm-remote', type: 'Central' }, remoteStartId: 7 });
  const ok = h.call(sd, 'TransactionEvent', txEvent('Started', 0, { txId: 'r1', tsMs: T0, trigger: 'RemoteStart', remoteStartId: 7, idToken: 'chargestorm-remote', tokenType: 'Central', meter: { tsMs: T0, wh: 1 } }), { idTokenInfo: { status: 'Accepted' } });
  assert.deepEqual(ok, { idTokenInfo: { status: 'Accepted' } });
  assert.deepEqual(h.alerts, []);
  const forged = h.call(sd, 'TransactionEvent', txEvent('Started', 0, { txId: 'r2', evse: 2, tsMs: T0, trigger: 'RemoteStart', remoteStartId: 4242, idToken: 'x', tokenType: 'Central', meter: { tsMs: T0, wh: 1 } }), { idTokenInfo: { status: 'Accepted' } });
  assert.deepEqual(forged, { idTokenInfo: { status: 'Invalid' } });
  const a = h.of('forged-remote-start');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.remoteStartId, 4242);
  return new Promise<void>((resolve) => setImmediate(() => { assert.deepEqual(h.stops, [['CS-1', 'r2']]); resolve(); }));
});

test('charging before any authorization → unauthorized-session and Invalid', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.call(sd, 'TransactionEvent', txEvent('Started', 0, { txId: 't', tsMs: T0, chargingState: 'EVConnected', meter: { tsMs: T0, wh: 1 } }));
  const out = h.call(sd, 'TransactionEvent', txEvent('Updated', 1, { txId: 't', tsMs: T0 + 1000, chargingState: 'Charging' }));
  assert.deepEqual(out, { idTokenInfo: { status: 'Invalid' } });
  assert.equal(h.of('unauthorized-session', 'L1.charging-without-authorization').length, 1);
});

test('a transaction first seen in an Updated event (CSMS restarted) is not judged on its unseen start', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.call(sd, 'TransactionEvent', txEvent('Updated', 7, { txId: 't', tsMs: T0, chargingState: 'Charging', meter: { tsMs: T0, wh: 100, w: 11_000 } }));
  assert.deepEqual(h.alerts, []);
});

test('token in two concurrent transactions (A07): alert; ConcurrentTx when the policy rejects', () => {
  for (const policy of ['alert', 'reject'] as const) {
    const h = harness({ concurrentTx: policy });
    const a = h.connect('CS-A');
    const b = h.connect('CS-B');
    feed(h, a, benignSession({ txId: 'ta', startMs: T0, startWh: 1, w: 11_000, samples: 2, token: '04CAFE' }).slice(0, 3));
    const auth = h.call(b, 'Authorize', { idToken: { idToken: '04cafe', type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
    const alerts = h.of('token-clone');
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.entity, { stationId: 'CS-B', idToken: '04cafe' });
    assert.equal(alerts[0]!.evidence.otherStation, 'CS-A');
    assert.deepEqual(auth, { idTokenInfo: { status: policy === 'reject' ? 'ConcurrentTx' : 'Accepted' } });
    const ev = h.call(b, 'TransactionEvent', txEvent('Started', 0, { txId: 'tb', tsMs: h.clock.nowMs(), idToken: '04CAFE', meter: { tsMs: h.clock.nowMs(), wh: 1 } }), { idTokenInfo: { status: 'Accepted' } });
    assert.deepEqual(ev, { idTokenInfo: { status: policy === 'reject' ? 'ConcurrentTx' : 'Accepted' } });
  }
});

test('the token is free again once its transaction ended; the CSMS remote-start token is shared by design', () => {
  const h = harness();
  const a = h.connect('CS-A');
  const b = h.connect('CS-B');
  feed(h, a, benignSession({ txId: 'ta', startMs: T0, startWh: 1, w: 11_000, samples: 2, token: '04CAFE' }));
  // Long enough for the driver to get from CS-A to CS-B (tokenTravelMs), and back at CS-A at once.
  h.clock.advance(DETECTOR_DEFAULTS.tokenTravelMs);
  h.call(b, 'Authorize', { idToken: { idToken: '04CAFE', type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
  h.call(a, 'Authorize', { idToken: { idToken: '04CAFE', type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
  for (const [sd, tx] of [[a, 'r1'], [b, 'r2']] as const) {
    h.det.commandSent(sd.id, 'RequestStartTransaction', { remoteStartId: tx === 'r1' ? 1 : 2 });
    h.call(sd, 'TransactionEvent', txEvent('Started', 0, { txId: tx, tsMs: h.clock.nowMs(), trigger: 'RemoteStart', remoteStartId: tx === 'r1' ? 1 : 2, idToken: 'chargestorm-remote', tokenType: 'Central', meter: { tsMs: h.clock.nowMs(), wh: 100 } }));
  }
  assert.deepEqual(h.alerts, []);
});

test('a token used at another station right after its transaction ended there (A07 impossible travel): alert', () => {
  const h = harness();
  const a = h.connect('CS-A');
  const b = h.connect('CS-B');
  feed(h, a, benignSession({ txId: 'ta', startMs: T0, startWh: 1, w: 11_000, samples: 2, token: '04CAFE' }));
  h.clock.advance(DETECTOR_DEFAULTS.tokenTravelMs / 2);
  h.call(b, 'Authorize', { idToken: { idToken: '04cafe', type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
  const alerts = h.of('token-clone', 'L1.token-travel');
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.entity, { stationId: 'CS-B', idToken: '04cafe' });
  assert.equal(alerts[0]!.evidence.otherStation, 'CS-A');
});

test('idToken brute force (A06): distinct tokens presented and never used → alert at the threshold', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  for (let i = 0; i < 7; i++) {
    h.clock.advance(500);
    h.call(sd, 'Authorize', { idToken: { idToken: `04000000${i.toString(16).padStart(4, '0')}`, type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
  }
  assert.equal(h.of('token-brute-force').length, 0);
  h.call(sd, 'Authorize', { idToken: { idToken: '04000000ffff', type: 'ISO14443' } }, { idTokenInfo: { status: 'Unknown' } });
  const a = h.of('token-brute-force');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.distinctTokens, 8);
});

test('tokens used in a transaction, or presented long ago, do not count towards A06', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  for (let i = 0; i < 20; i++) {
    const token = `04AA${i}`;
    h.call(sd, 'Authorize', { idToken: { idToken: token, type: 'ISO14443' } }, { idTokenInfo: { status: 'Accepted' } });
    feed(h, sd, benignSession({ txId: `t${i}`, startMs: h.clock.nowMs() + 100, startWh: 1000 + i * 100, w: 11_000, samples: 1, token }));
  }
  for (let i = 0; i < 20; i++) {
    h.clock.advance(120_000);
    h.call(sd, 'Authorize', { idToken: { idToken: `04BB${i}`, type: 'ISO14443' } }, { idTokenInfo: { status: 'Blocked' } });
  }
  assert.equal(h.of('token-brute-force').length, 0);
});
