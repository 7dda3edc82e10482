// The embedded CSMS's OCPP 2.1 use cases (src/csms/usecases/): the V2X schedule it answers needs with stays within
// the EV's limits and is what a V2X station accepts; needs are answered and followed by the profile; DER
// notifications and reports are kept per station; import/export energy per station from the registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import { peekUseCaseState } from '../../src/csms/usecases/state.js';
import { v2xPeriods, v2xProfileRequest, type V2xLimits } from '../../src/csms/usecases/v2x.js';
import type { Payload } from '../../src/ocpp/session.js';
import { validatorFor } from '../../src/ocpp/schemas.js';
import { checkV2xProfile } from '../../src/station/usecases/v2x-profile.js';
import { TestClient, until, now } from './client.js';

const LIM: V2xLimits = { maxChargeW: 22_000, maxDischargeW: 11_000, minEnergyWh: -20_000, maxEnergyWh: 40_000 };

function energyWh(periods: Payload[], len: number): number[] {
  let e = 0;
  return periods.map((p) => (e += ((p.setpoint ?? p.v2xBaseline ?? p.limit ?? 0) as number) * (len / 3600)));
}

test('V2X schedule: modes mixed, whole watts within the EV power limits, cumulative energy within the V2X range', () => {
  const periods = v2xPeriods(LIM, 64);
  assert.equal(periods.length, 8);
  assert.deepEqual(periods.map((p) => p.operationMode), [
    'CentralSetpoint', 'CentralSetpoint', 'LocalFrequency', 'CentralSetpoint', 'Idle', 'CentralSetpoint', 'ExternalLimits', 'ChargingOnly',
  ]);
  assert.deepEqual(periods.map((p) => p.startPeriod), [0, 8, 16, 24, 32, 40, 48, 56]);
  assert.equal(periods[0]!.setpoint, 17_600);
  assert.equal(periods[1]!.setpoint, -8800);
  for (const p of periods) {
    for (const k of ['setpoint', 'v2xBaseline', 'limit', 'dischargeLimit']) {
      const v = p[k] as number | undefined;
      if (v === undefined) continue;
      assert.ok(Number.isInteger(v) && v <= LIM.maxChargeW && v >= -LIM.maxDischargeW, `${k} ${v}`);
    }
  }
  // A tight V2X range: the EV may discharge 10 Wh and charge 30 Wh; 5-s periods at full power would break it.
  const tight = v2xPeriods({ ...LIM, minEnergyWh: -10, maxEnergyWh: 30 }, 40);
  assert.equal(tight[1]!.startPeriod, 5);
  for (const e of energyWh(tight, 5)) assert.ok(e >= -10 - 0.5 && e <= 30 + 0.5, `cumulative ${e} Wh`);
  assert.equal(v2xPeriods(LIM, 2).length, 2, 'at least a charge and a discharge period');
});

test('the V2X profile request is schema-valid 2.1 and passes the station\'s V2X checks', () => {
  const t = Date.UTC(2025, 2, 1, 17, 0, 0, 400);
  const needs = { requested: 'DC_BPT', available: ['DC', 'DC_BPT'], v2x: { maxChargePower: 50_000, maxDischargePower: 11_000, evMinV2XEnergyRequest: -20_000, evMaxV2XEnergyRequest: 40_000 }, departureMs: t + 30_600, maxScheduleTuples: 24 };
  const req = v2xProfileRequest(1, 'tx-1', needs, t);
  assert.equal(validatorFor('2.1').request('SetChargingProfile', req), null);
  assert.equal(checkV2xProfile(req.chargingProfile), null);
  const s = req.chargingProfile.chargingSchedule[0];
  assert.equal(s.startSchedule, '2025-03-01T17:00:00.000Z');
  assert.equal(s.duration, 31, 'until the departure time');
  const plain = v2xProfileRequest(1, 'tx-1', { ...needs, requested: 'DC' }, t).chargingProfile.chargingSchedule[0].chargingSchedulePeriod;
  assert.deepEqual(plain, [{ startPeriod: 0, operationMode: 'ChargingOnly', limit: 50_000 }]);
});

test('needs with v2xChargingParameters: Accepted, then a V2X TxProfile for the running transaction; DER notifications kept', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'V2X-1', { responder: () => ({ status: 'Accepted' }) });
    await c.boot();
    const tx = { transactionId: 'tx-v2x', chargingState: 'Charging' };
    const mv = (imp: number, exp: number) => [{ timestamp: now(), sampledValue: [
      { value: imp, measurand: 'Energy.Active.Import.Register' }, { value: exp, measurand: 'Energy.Active.Export.Register' }] }];
    await c.call('TransactionEvent', { eventType: 'Started', timestamp: now(), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: tx, evse: { id: 1, connectorId: 1 }, meterValue: mv(1000, 500) });
    const res = await c.call('NotifyEVChargingNeeds', {
      evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC_BPT', availableEnergyTransfer: ['DC', 'DC_BPT'], departureTime: new Date(Date.now() + 60_000).toISOString(),
        v2xChargingParameters: { maxChargePower: 30_000, maxDischargePower: 10_000, evMinV2XEnergyRequest: -5000, evMaxV2XEnergyRequest: 5000 } },
    });
    assert.equal(res.ok && res.payload.status, 'Accepted');
    const profile = await c.nextCall('SetChargingProfile');
    assert.equal(profile.chargingProfile.transactionId, 'tx-v2x');
    assert.ok((profile.chargingProfile.chargingSchedule[0].chargingSchedulePeriod as Payload[]).some((p) => p.setpoint < 0));
    await c.call('TransactionEvent', { eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic', seqNo: 1, transactionInfo: tx, meterValue: mv(1010, 530) });
    await c.call('NotifyDERAlarm', { controlType: 'VoltWatt', gridEventFault: 'OverVoltage', timestamp: now() });
    await c.call('NotifyDERStartStop', { controlId: 'd-1', started: true, timestamp: now() });
    await c.call('ReportDERControl', { requestId: 7, curve: [{ id: 'd-2', curveType: 'VoltWatt', isDefault: true, isSuperseded: false, curve: { priority: 1, yUnit: 'PctMaxW', curveData: [{ x: 1, y: 2 }] } }] });
    await until(() => (csms.stats().useCases['v2x.profilesAccepted'] ?? 0) === 1);
    const u = peekUseCaseState(csms.station('V2X-1'))!;
    assert.deepEqual([u.importWh, u.exportWh], [10, 30]);
    assert.equal(csms.stats().transactions.energyExportWh, 30);
    assert.ok(u.alarmsActive.has('VoltWatt|OverVoltage') && u.derRunning.has('d-1') && u.derReported.has('d-2'));
    await c.call('NotifyDERAlarm', { controlType: 'VoltWatt', gridEventFault: 'OverVoltage', alarmEnded: true, timestamp: now() });
    assert.equal(u.alarmsActive.size, 0);
    assert.deepEqual(c.observer.protocol, []);
    await c.close();
  } finally {
    await csms.close();
  }
});
