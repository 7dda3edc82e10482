import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import { CALL_HANDLERS, SEND_HANDLERS } from '../../src/csms/handlers/index.js';
import { actionInfo, csmsToStationActions, stationToCsmsActions } from '../../src/ocpp/actions.js';
import { validatorFor, type OcppVersion } from '../../src/ocpp/schemas.js';
import { MINIMAL_REQUESTS, MINIMAL_SENDS } from './requests.js';
import { TestClient, until } from './client.js';

test('the handler table covers every station→CSMS action of the catalogue', () => {
  const expected = stationToCsmsActions().filter((a) => !actionInfo(a)!.send).sort();
  assert.deepEqual([...CALL_HANDLERS.keys()].sort(), expected);
  assert.deepEqual([...SEND_HANDLERS.keys()], ['NotifyPeriodicEventStream']);
  for (const a of CALL_HANDLERS.keys()) assert.ok(a in MINIMAL_REQUESTS, `no fixture for ${a}`);
});

test('the minimal request fixtures are schema-valid', () => {
  for (const version of ['2.1', '2.0.1'] as const) {
    const v = validatorFor(version);
    for (const [action, payload] of Object.entries({ ...MINIMAL_REQUESTS, ...MINIMAL_SENDS })) {
      if (!v.has(action)) continue;
      assert.equal(v.request(action, payload), null, `${version} ${action}`);
    }
  }
});

async function answersEveryAction(version: OcppVersion): Promise<void> {
  const csms = await startCsms({ protocols: version === '2.1' ? ['ocpp2.1', 'ocpp2.0.1'] : ['ocpp2.0.1'] });
  try {
    const c = await TestClient.open(csms.url, `ALL-${version}`);
    assert.equal(c.version, version);
    await c.boot();
    const v = validatorFor(version);
    let sent = 0;
    for (const [action, payload] of Object.entries(MINIMAL_REQUESTS)) {
      if (!v.has(action)) {
        assert.ok(actionInfo(action)!.new21, `${action} missing from ${version} but not new in 2.1`);
        continue;
      }
      const o = await c.call(action, payload);
      // The client session validates the response against the negotiated version's schema in strict mode.
      assert.ok(o.ok, `${version} ${action}: ${o.ok ? '' : `${o.kind} ${o.code ?? ''} ${o.description ?? ''}`}`);
      assert.equal(v.response(action, o.payload), null, `${version} ${action} response`);
      sent++;
    }
    if (version === '2.1') {
      for (const [action, payload] of Object.entries(MINIMAL_SENDS)) assert.ok(c.session.sendUnconfirmed(action, payload));
      await until(() => csms.stats().sendsIn.NotifyPeriodicEventStream === 1);
    }
    const s = csms.stats();
    assert.deepEqual(s.callErrorsSent, {});
    assert.deepEqual(c.observer.protocol, []);
    assert.equal(Object.values(s.callsIn).reduce((a, b) => a + b, 0), sent + 1); // + the boot
    await c.close();
  } finally {
    await csms.close();
  }
}

test('answers every station→CSMS action of 2.1 with a schema-valid response', () => answersEveryAction('2.1'));
test('answers every station→CSMS action of 2.0.1 with a 2.0.1 schema-valid response', () => answersEveryAction('2.0.1'));

test('CSMS→station actions sent by a station get NotSupported; unknown actions NotImplemented', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'WRONGWAY');
    await c.boot();
    const reset = await c.call('Reset', { type: 'Immediate' });
    assert.equal(reset.ok, false);
    assert.equal(!reset.ok && reset.code, 'NotSupported');
    const unknown = await c.session.call('FlyToTheMoon', {}, { raw: true });
    assert.equal(!unknown.ok && unknown.code, 'NotImplemented');
    assert.ok(csmsToStationActions().includes('Reset'));
    const s = csms.stats();
    assert.equal(s.callErrorsSent.NotSupported, 1);
    assert.equal(s.callErrorsSent.NotImplemented, 1);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('with a token registry, unknown tokens get Unknown, NoAuthorization Invalid, known and own remote-start tokens Accepted', async () => {
  const known = new Set(['04aabbccddeeff']);
  const csms = await startCsms({ knownTokens: (t) => known.has(t.toLowerCase()) });
  try {
    const c = await TestClient.open(csms.url, 'REG-1');
    await c.boot();
    const status = async (idToken: string, type: string): Promise<unknown> => {
      const o = await c.call('Authorize', { idToken: { idToken, type } });
      assert.ok(o.ok);
      return o.payload.idTokenInfo.status;
    };
    assert.equal(await status('04AABBCCDDEEFF', 'ISO14443'), 'Accepted');
    assert.equal(await status('04000000000001', 'ISO14443'), 'Unknown');
    assert.equal(await status('', 'NoAuthorization'), 'Invalid');
    const tx = await c.call('TransactionEvent', {
      eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId: 'reg-tx-1' }, idToken: { idToken: 'DEADBEEF', type: 'ISO14443' },
    });
    assert.ok(tx.ok);
    assert.equal(tx.payload.idTokenInfo.status, 'Unknown');
    // The token the CSMS itself sends in RequestStartTransaction is known from then on.
    await csms.send('REG-1', 'RequestStartTransaction', { idToken: { idToken: 'ops-remote', type: 'Central' }, remoteStartId: 7 });
    assert.equal(await status('ops-remote', 'Central'), 'Accepted');
    await c.close();
  } finally {
    await csms.close();
  }
});
