import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameVerdict } from '../../../src/csms/detector/enforce.js';
import { harness } from './support.js';

test('message flood: frames beyond the bucket are dropped, then alerted, then the connection is closed (1008)', () => {
  const h = harness({ thresholds: { stationMsgRate: 10, stationMsgBurst: 20 } });
  const sd = h.connect('CS-1');
  const verdicts: number[] = [];
  for (let i = 0; i < 200; i++) {
    h.clock.advance(1); // 1000 msgs/s
    const v = h.det.frame(sd, 100);
    if (v === FrameVerdict.Ok) h.det.frameDone();
    verdicts.push(v);
    if (v === FrameVerdict.Close1008) break;
  }
  assert.equal(verdicts.filter((v) => v === FrameVerdict.Ok).length >= 20, true);
  assert.equal(verdicts.at(-1), FrameVerdict.Close1008);
  const a = h.of('flood', 'L0.message-rate-station');
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.entity, { stationId: 'CS-1', ip: '10.0.0.1' });
  assert.equal(h.det.stats().actions.closed1008, 1);
});

test('a steady station well under the bucket is never refused; offline backlog events cost little', () => {
  const h = harness({ thresholds: { stationMsgRate: 2 } });
  const sd = h.connect('CS-1');
  for (let i = 0; i < 500; i++) {
    h.clock.advance(1000);
    assert.equal(h.det.frame(sd, 300), FrameVerdict.Ok);
    h.det.frameDone();
  }
  // A full station queue (1000 offline TransactionEvents) at once: each refunds most of its token.
  for (let i = 0; i < 1000; i++) {
    assert.equal(h.det.frame(sd, 300), FrameVerdict.Ok, `frame ${i}`);
    h.det.call(sd, 'TransactionEvent', { offline: true, eventType: 'Updated', seqNo: i, timestamp: new Date(h.clock.nowMs()).toISOString(), triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'x' } }, {});
    h.det.frameDone();
  }
  assert.deepEqual(h.alerts, []);
});

test('frame of maxFrameBytes or more → close 1009 + alert', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  assert.equal(h.det.frame(sd, 1024 * 1024), FrameVerdict.Close1009);
  assert.equal(h.of('flood', 'L0.frame-size').length, 1);
  h.det.closed(sd, true);
  assert.equal(h.det.stats().actions.closed1009, 2);
});

test('upgrade flood of one identity → 429 and an alert; other identities unaffected', () => {
  const h = harness({ thresholds: { stationUpgradeRate: 0.2, stationUpgradeBurst: 3 } });
  h.connect('CS-1');
  const decisions = [];
  for (let i = 0; i < 12; i++) decisions.push(h.det.upgrade('CS-1', '10.0.0.1', undefined, 'ocpp2.1', 'accept'));
  // connect() used the first of the 3 tokens.
  assert.deepEqual(decisions.slice(0, 2), ['accept', 'accept']);
  assert.equal(decisions.filter((d) => d === 429).length, 10);
  assert.equal(h.of('flood', 'L0.upgrade-rate-identity').length, 1);
  assert.equal(h.det.upgrade('CS-2', '10.0.0.1', undefined, 'ocpp2.1', 'accept'), 'accept');
});

test('upgrade flood from one IP → 429 for any identity', () => {
  const h = harness({ thresholds: { ipUpgradeRate: 10, ipUpgradeBurst: 10, upgradeAlertAfter: 2 } });
  let refused = 0;
  for (let i = 0; i < 30; i++) if (h.det.upgrade(`R${i}`, '192.0.2.9', undefined, 'ocpp2.1', 'accept') === 429) refused++;
  assert.equal(refused, 20);
  assert.deepEqual(h.of('flood', 'L0.upgrade-rate-ip')[0]!.entity, { ip: '192.0.2.9' });
});

test('credential brute force: 401 bursts per IP, per identity, and identity enumeration', () => {
  const h = harness({ profile: 1 });
  const basic = 'Basic ' + Buffer.from('CS-1:wrongwrongwrongwrong').toString('base64');
  for (let i = 0; i < 5; i++) h.det.upgrade('CS-1', '198.51.100.1', basic, 'ocpp2.1', 401);
  const perId = h.of('credential-brute-force', 'L0.auth-failures-identity');
  assert.equal(perId.length, 1);
  assert.deepEqual(perId[0]!.entity, { stationId: 'CS-1', ip: '198.51.100.1' });
  const h2 = harness({ profile: 1 });
  for (let i = 0; i < 5; i++) h2.det.upgrade(`ENUM-${i}`, '198.51.100.2', basic, 'ocpp2.1', 401);
  assert.equal(h2.of('credential-brute-force', 'L0.identity-enumeration').length, 1);
  assert.equal(h2.det.stats().stations, 0, 'no per-station state for identities that never authenticated');
});

test('security-profile downgrade signs: no credentials under profile 1, credentials dropped, legacy-only offer', () => {
  const h = harness({ profile: 1, cooldownMs: 0 });
  h.det.upgrade('CS-1', '10.0.0.5', undefined, 'ocpp2.1', 401);
  assert.equal(h.of('profile-downgrade', 'L0.missing-credentials').length, 1);
  const h2 = harness();
  h2.det.upgrade('CS-2', '10.0.0.6', 'Basic eDp5', 'ocpp2.1', 'accept');
  h2.det.upgrade('CS-2', '10.0.0.6', undefined, 'ocpp2.1', 'accept');
  assert.equal(h2.of('profile-downgrade', 'L0.credentials-dropped').length, 1);
  h2.det.upgrade('CS-3', '10.0.0.7', undefined, 'ocpp1.6, ocpp1.5', 'accept');
  assert.equal(h2.of('profile-downgrade', 'L0.legacy-subprotocol-only').length, 1);
});

test('invalid frames (A04): alert at the threshold, close 1008 when sustained', () => {
  const h = harness({ thresholds: { invalidAlert: 3, invalidClose: 10 } });
  const sd = h.connect('CS-1');
  let v: number = FrameVerdict.Ok;
  let n = 0;
  while (v === FrameVerdict.Ok && n < 50) {
    h.clock.advance(10);
    h.det.frame(sd, 10);
    h.det.protocolEvent(n % 2 === 0 ? 'garbage-in' : 'invalid-call-in');
    v = h.det.frameDone();
    n++;
    if (n === 3) assert.equal(h.of('malformed').length, 1);
  }
  assert.equal(v, FrameVerdict.Close1008);
  assert.equal(n, 10);
});

test('CALLs before the boot is accepted (A05): a few are normal, persistent ones alert', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  for (let i = 0; i < 4; i++) { h.det.frame(sd, 10); h.det.answered('Heartbeat', 'SecurityError'); h.det.frameDone(); }
  assert.equal(h.of('state-abuse').length, 0);
  h.det.frame(sd, 10); h.det.answered('TransactionEvent', 'SecurityError'); h.det.frameDone();
  const a = h.of('state-abuse');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.lastAction, 'TransactionEvent');
});

test('unknown identities (404 from knownStations) tried from one IP count as enumeration', () => {
  const h = harness();
  for (let i = 0; i < 5; i++) assert.equal(h.det.upgrade(`GUESS-${i}`, '203.0.113.7', undefined, 'ocpp2.1', 404), 404);
  assert.equal(h.of('credential-brute-force', 'L0.identity-enumeration').length, 1);
  assert.equal(h.of('profile-downgrade').length, 0);
});
