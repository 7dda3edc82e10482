import { test } from 'node:test';
import { streamsOf } from '../../src/csms/usecases/periodic-streams.js';
import assert from 'node:assert/strict';
import { COMMAND_BUILDERS, followUpOf, type CommandContext } from '../../src/csms/commands.js';
import { StationState } from '../../src/csms/state.js';
import { startCsms } from '../../src/csms/server.js';
import { validatorFor, type OcppVersion } from '../../src/ocpp/schemas.js';
import type { CsmsCommandSpec } from '../../src/scenario/spec.js';
import { TestClient, until, now } from './client.js';
import { actionInfo } from '../../src/ocpp/actions.js';
import { useCaseState } from '../../src/csms/usecases/state.js';

function ctx(state: StationState, version: OcppVersion, params: Record<string, unknown> = {}): CommandContext {
  let n = 1;
  return { state, version, params, heartbeatInterval: 60, nextId: () => n++ };
}

function stationWithTx(): StationState {
  const st = new StationState('CS1');
  st.setConnector(1, 1, 'Occupied');
  st.setConnector(2, 1, 'Available');
  const tx = st.openTx('tx-1');
  tx.evseId = 1;
  return st;
}

test('every command builder makes a schema-valid request in 2.1 and 2.0.1', () => {
  const paramsFor: Record<string, Record<string, unknown>[]> = {
    SetChargingProfile: [{}, { limitKw: 7.4 }, { purpose: 'TxProfile', limitW: 3680 }],
    ClearChargingProfile: [{}, { profileId: 100 }],
    TriggerMessage: [{}, { requestedMessage: 'StatusNotification', evseId: 1, connectorId: 1 }],
    ChangeAvailability: [{}, { operationalStatus: 'Inoperative', evseId: 1 }],
    GetVariables: [{}, { component: 'TxCtrlr', variable: 'TxStartPoint' }],
    SetVariables: [{}, { component: 'SampledDataCtrlr', variable: 'TxUpdatedInterval', value: 30 }],
    DataTransfer: [{}, { vendorId: 'com.example', messageId: 'x', data: { a: 1 } }],
    GetChargingProfiles: [{}, { purpose: 'TxDefaultProfile', evseId: 1 }],
    AFRRSignal: [{}, { signal: -1, delay: 2000 }],
    NotifyAllowedEnergyTransfer: [{}, { bidirectional: false }],
    SetDERControl: ['FreqDroop', 'VoltWatt', 'HVMustTrip', 'LimitMaxDischarge', 'FixedPFInject', 'FixedVar', 'EnterService', 'Gradients']
      .flatMap((controlType) => [{ controlType }, { controlType, isDefault: false, startIn: 1000, duration: 5000 }]),
    GetDERControl: [{}, { isDefault: false, controlType: 'VoltWatt' }],
    ClearDERControl: [{}, { isDefault: false, controlType: 'FreqDroop' }],
  };
  for (const version of ['2.1', '2.0.1'] as const) {
    const v = validatorFor(version);
    for (const [action, build] of Object.entries(COMMAND_BUILDERS)) {
      for (const params of paramsFor[action] ?? [{}]) {
        const st = stationWithTx();
        // V2X: the allowed modes come from the needs the EV stated.
        useCaseState(st).needs.set(1, { requested: 'DC_BPT', available: ['DC', 'DC_BPT'], v2x: {}, departureMs: NaN, maxScheduleTuples: 24 });
        // Periodic streams: ClearVariableMonitoring/AdjustPeriodicEventStream act on a stream the station opened.
        streamsOf(st).set(3, { variableMonitoringId: 100, params: { interval: 5, values: 5 }, messages: 0, values: 0, lastSampleMs: 0, outOfOrder: 0 });
        const p = build(ctx(st, version, params));
        // 2.1-only actions (V2X, DER) are skipped on a 2.0.1 connection (FLOWS.md §1.8).
        if (version === '2.0.1' && actionInfo(action)!.new21) { assert.equal(p, null, `${action} is 2.1-only`); continue; }
        assert.ok(p !== null, `${action} built nothing`);
        assert.equal(v.request(action, p), null, `${version} ${action} ${JSON.stringify(params)}: ${JSON.stringify(p)}`);
      }
    }
  }
});

test('builders pick a free EVSE, a running transaction, or skip', () => {
  const st = stationWithTx();
  assert.equal(COMMAND_BUILDERS.RequestStartTransaction(ctx(st, '2.1'))!.evseId, 2);
  assert.deepEqual(COMMAND_BUILDERS.RequestStopTransaction(ctx(st, '2.1')), { transactionId: 'tx-1' });
  const tp = COMMAND_BUILDERS.SetChargingProfile(ctx(st, '2.1', { purpose: 'TxProfile', limitKw: 7.4 }))!;
  assert.equal(tp.evseId, 1);
  assert.equal(tp.chargingProfile.transactionId, 'tx-1');
  assert.equal(tp.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit, 7400);
  const busy = new StationState('CS2');
  busy.setConnector(1, 1, 'Occupied');
  assert.equal(COMMAND_BUILDERS.RequestStartTransaction(ctx(busy, '2.1')), null);
  assert.equal(COMMAND_BUILDERS.RequestStopTransaction(ctx(busy, '2.1')), null);
  assert.equal(COMMAND_BUILDERS.SetChargingProfile(ctx(busy, '2.1', { purpose: 'TxProfile' })), null);
  // Nothing reported: EVSE 1 is tried.
  assert.equal(COMMAND_BUILDERS.RequestStartTransaction(ctx(new StationState('CS3'), '2.1'))!.evseId, 1);
  assert.equal(followUpOf('GetBaseReport', {}), 'NotifyReport');
  assert.equal(followUpOf('TriggerMessage', { requestedMessage: 'SignV2GCertificate' }), 'SignCertificate');
  assert.equal(followUpOf('Reset', {}), undefined);
});

test('a scheduled command reaches the fraction of connected stations and its outcomes are counted', async () => {
  const commands: CsmsCommandSpec[] = [
    { at: 0, every: 0, action: 'GetVariables', fraction: 1, params: {} },
    { at: 0, every: 0, action: 'SetChargingProfile', fraction: 0.5, params: { limitKw: 11 } },
    { at: 0, every: 0, action: 'RequestStopTransaction', fraction: 1, params: {} },
    { at: 60_000, every: 0, action: 'Reset', fraction: 1, params: {} },
  ];
  const csms = await startCsms({ spec: { commands }, seed: 7 });
  try {
    const clients = await Promise.all(['S0', 'S1', 'S2', 'S3'].map((id) => TestClient.open(csms.url, id)));
    for (const c of clients) await c.boot();
    clients[3]!.responder = (action) => (action === 'SetChargingProfile' ? { status: 'Rejected' } : { getVariableResult: [{ attributeStatus: 'UnknownVariable', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    csms.startSchedule();
    csms.tick();
    await until(() => {
      const c = csms.stats().commands;
      return c.GetVariables?.sent === 4 && Object.values(c.GetVariables.outcomes).reduce((a, b) => a + b, 0) === 4
        && Object.values(c.SetChargingProfile?.outcomes ?? {}).reduce((a, b) => a + b, 0) === 2;
    }, 5000, () => ({ commands: csms.stats().commands, client: clients.map((c) => [c.received.length, c.observer.protocol]) }));
    const s = csms.stats().commands;
    assert.deepEqual(s.GetVariables!.outcomes, { ok: 4 });
    assert.equal(s.SetChargingProfile!.sent, 2);
    assert.equal(s.RequestStopTransaction!.sent, 0);
    assert.equal(s.RequestStopTransaction!.skipped, 4);
    assert.equal(s.Reset, undefined);
    for (const c of clients) {
      const gv = await c.nextCall('GetVariables');
      assert.equal(gv.getVariableData[0].variable.name, 'HeartbeatInterval');
    }
    const got = clients.filter((c) => c.received.some((r) => r.action === 'SetChargingProfile')).map((c) => c.id);
    assert.equal(got.length, 2);
    const limit = clients.flatMap((c) => c.received).find((r) => r.action === 'SetChargingProfile')!.payload.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit;
    assert.equal(limit, 11_000);
    // Once-only commands do not fire again.
    csms.tick();
    assert.equal(csms.stats().commands.GetVariables!.sent, 4);
    for (const c of clients) await c.close();
  } finally {
    await csms.close();
  }
});

test('GetBaseReport via the schedule is completed by the NotifyReport that follows', async () => {
  const csms = await startCsms({ spec: { commands: [{ at: 0, every: 0, action: 'GetBaseReport', fraction: 1, params: { reportBase: 'SummaryInventory' } }] } });
  try {
    const c = await TestClient.open(csms.url, 'CS-REP');
    await c.boot();
    csms.startSchedule();
    csms.tick();
    const req = await c.nextCall('GetBaseReport');
    assert.equal(req.reportBase, 'SummaryInventory');
    assert.equal(csms.station('CS-REP')!.reportRequestId, req.requestId);
    assert.ok((await c.call('NotifyReport', { requestId: req.requestId, generatedAt: now(), seqNo: 0 })).ok);
    assert.deepEqual(csms.stats().reports, { requested: 1, notifyReports: 1, completed: 1 });
    await c.close();
  } finally {
    await csms.close();
  }
});
