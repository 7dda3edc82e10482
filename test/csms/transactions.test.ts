import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import type { Payload } from '../../src/ocpp/session.js';
import { TestClient, now } from './client.js';

function register(wh: number, context = 'Sample.Periodic', unit = 'Wh'): Payload[] {
  return [{ timestamp: now(), sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit } }] }];
}

function event(eventType: string, seqNo: number, txId: string, extra: Payload = {}): Payload {
  return { eventType, timestamp: now(), triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'MeterValuePeriodic', seqNo, transactionInfo: { transactionId: txId }, ...extra };
}

test('Authorize: Accepted, or Blocked for a blocked token (case-insensitive)', async () => {
  const csms = await startCsms({ spec: { blockedTokens: ['DEADBEEF01'] } });
  try {
    const c = await TestClient.open(csms.url, 'CS-AUTH');
    await c.boot();
    const ok = await c.call('Authorize', { idToken: { idToken: '04A2B3C4D5E680', type: 'ISO14443' } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.payload, { idTokenInfo: { status: 'Accepted' } });
    const blocked = await c.call('Authorize', { idToken: { idToken: 'deadbeef01', type: 'ISO14443' } });
    assert.ok(blocked.ok);
    assert.equal(blocked.payload.idTokenInfo.status, 'Blocked');
    const pnc = await c.call('Authorize', { idToken: { idToken: 'DEABCC123456789', type: 'eMAID' }, certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
    assert.ok(pnc.ok);
    // Contracts are checked against the test PKI (test/csms/pki.test.ts): this one is no certificate at all.
    assert.deepEqual(pnc.payload, { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    // The CSMS authorizes in TransactionEvent too (FLOWS.md §3.4).
    const te = await c.call('TransactionEvent', event('Started', 0, 'tx-blocked', { idToken: { idToken: 'DEADBEEF01', type: 'ISO14443' } }));
    assert.ok(te.ok);
    assert.equal(te.payload.idTokenInfo.status, 'Blocked');
    assert.deepEqual(csms.stats().authorize, { accepted: 2, blocked: 1 });
    await c.close();
  } finally {
    await csms.close();
  }
});

test('a transaction Started/Updated/Ended is tracked with its energy', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'CS-TX');
    await c.boot();
    const id = '5f0c9d4e-8a6b-4c1e-9a65-1d2f3b4c5d6e';
    const started = await c.call('TransactionEvent', event('Started', 0, id, {
      evse: { id: 1, connectorId: 1 }, meterValue: register(1_234_567, 'Transaction.Begin'),
      transactionInfo: { transactionId: id, chargingState: 'EVConnected' },
    }));
    assert.ok(started.ok);
    assert.deepEqual(started.payload, {});
    const auth = await c.call('TransactionEvent', {
      ...event('Updated', 1, id), triggerReason: 'Authorized', idToken: { idToken: '04A2B3C4D5E680', type: 'ISO14443' },
      transactionInfo: { transactionId: id, chargingState: 'Charging' },
    });
    assert.ok(auth.ok);
    assert.deepEqual(auth.payload, { idTokenInfo: { status: 'Accepted' } });
    // kWh with a multiplier: 1.2376 kWh × 10^3 = 1,237,600 Wh.
    const u = await c.call('TransactionEvent', event('Updated', 2, id, {
      meterValue: [{ timestamp: now(), sampledValue: [{ value: 1237.6, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh', multiplier: 0 } }] }],
    }));
    assert.ok(u.ok);
    const st = csms.station('CS-TX')!;
    let tx = st.tx(id)!;
    assert.equal(tx.energyWh, 3_033);
    assert.equal(st.runningTx(1)!.id, id);
    const ended = await c.call('TransactionEvent', {
      ...event('Ended', 3, id, { meterValue: register(1_252_310, 'Transaction.End') }),
      triggerReason: 'EVCommunicationLost', offline: false,
      transactionInfo: { transactionId: id, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    });
    assert.ok(ended.ok);
    tx = st.tx(id)!;
    assert.equal(tx.ended, true);
    assert.equal(tx.started, true);
    assert.equal(tx.evseId, 1);
    assert.equal(tx.idToken, '04A2B3C4D5E680');
    assert.equal(tx.stoppedReason, 'EVDisconnected');
    assert.equal(tx.chargingState, 'Idle');
    assert.equal(tx.lastSeqNo, 3);
    assert.equal(tx.energyWh, 17_743);
    assert.equal(st.runningTx(), undefined);
    const s = csms.stats().transactions;
    assert.equal(s.started, 1);
    assert.equal(s.ended, 1);
    assert.equal(s.active, 0);
    assert.equal(s.events, 4);
    assert.equal(s.energyWh, 17_743);
    assert.deepEqual(s.seq, { inOrder: 4, gaps: 0, missing: 0, duplicates: 0, outOfOrder: 0, outOfWindow: 0 });
    await c.close();
  } finally {
    await csms.close();
  }
});

test('seqNo gaps, late arrivals, duplicates and offline events are counted', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'CS-SEQ');
    await c.boot();
    const send = async (p: Payload): Promise<void> => { assert.ok((await c.call('TransactionEvent', p)).ok); };
    await send(event('Started', 0, 'tx-a'));
    await send(event('Updated', 1, 'tx-a'));
    await send(event('Updated', 4, 'tx-a', { offline: true })); // 2 and 3 missing
    let seq = csms.stats().transactions.seq;
    assert.equal(seq.gaps, 1);
    assert.equal(seq.missing, 2);
    await send(event('Updated', 2, 'tx-a', { offline: true })); // late: fills a hole
    await send(event('Updated', 2, 'tx-a')); // duplicate
    seq = csms.stats().transactions.seq;
    assert.deepEqual(seq, { inOrder: 2, gaps: 1, missing: 1, duplicates: 1, outOfOrder: 1, outOfWindow: 0 });
    await send(event('Ended', 5, 'tx-a'));
    await send(event('Updated', 6, 'tx-a')); // after Ended
    // A transaction first seen mid-way: its earlier events are missing.
    await send(event('Updated', 3, 'tx-b'));
    const s = csms.stats().transactions;
    assert.equal(s.offlineEvents, 2);
    assert.equal(s.afterEnded, 1);
    assert.equal(s.started, 2);
    assert.equal(s.seq.gaps, 2);
    assert.equal(s.seq.missing, 4);
    assert.equal(csms.station('CS-SEQ')!.tx('tx-a')!.offlineEvents, 2);
    assert.equal(csms.station('CS-SEQ')!.tx('tx-b')!.started, false);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('remote start: RequestStartTransaction on a free EVSE, then a Started event with its remoteStartId', async () => {
  const csms = await startCsms({
    spec: { commands: [{ at: 0, every: 0, action: 'RequestStartTransaction', fraction: 1, params: {} }] },
  });
  try {
    const c = await TestClient.open(csms.url, 'CS-REMOTE');
    await c.boot();
    assert.ok((await c.call('StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 })).ok);
    assert.ok((await c.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 2, connectorId: 1 })).ok);
    csms.startSchedule();
    csms.tick();
    const req = await c.nextCall('RequestStartTransaction');
    assert.equal(req.evseId, 2);
    assert.equal(req.idToken.type, 'Central');
    assert.equal(typeof req.remoteStartId, 'number');
    assert.ok((await c.call('TransactionEvent', event('Started', 0, 'tx-r', {
      triggerReason: 'RemoteStart', transactionInfo: { transactionId: 'tx-r', remoteStartId: req.remoteStartId },
      evse: { id: 2, connectorId: 1 }, idToken: req.idToken,
    }))).ok);
    const s = csms.stats();
    assert.equal(s.transactions.remoteStarted, 1);
    assert.equal(csms.station('CS-REMOTE')!.tx('tx-r')!.remoteStartId, req.remoteStartId);
    await c.close();
  } finally {
    await csms.close();
  }
});
