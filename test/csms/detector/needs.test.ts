import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './support.js';

const ACCEPTED = { status: 'Accepted' };

function ac(energyAmount: number) {
  return { evseId: 1, maxScheduleTuples: 24, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 230 } } };
}

function dc(energyAmount: number, stateOfCharge: number, evEnergyCapacity: number) {
  return { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 125, evMaxVoltage: 400, energyAmount, stateOfCharge, evEnergyCapacity } } };
}

test('AC needs above the largest plausible battery (A12 inflated needs) → load-altering; plausible needs are silent', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.call(sd, 'NotifyEVChargingNeeds', ac(40_000), ACCEPTED);
  assert.deepEqual(h.alerts, []);
  h.call(sd, 'NotifyEVChargingNeeds', ac(300_000), ACCEPTED);
  const a = h.of('load-altering', 'L1.needs-above-battery');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.askedWh, 300_000);
});

test('DC needs: more than the EV battery can take, or a SoC far from the metered one → load-altering', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.call(sd, 'NotifyEVChargingNeeds', dc(30_000, 40, 60_000), ACCEPTED);
  assert.deepEqual(h.alerts, []);
  h.call(sd, 'NotifyEVChargingNeeds', dc(55_000, 40, 60_000), ACCEPTED);
  assert.equal(h.of('load-altering', 'L1.needs-above-battery').length, 1);
  const h2 = harness();
  const sd2 = h2.connect('CS-2');
  // The EVSE's meter reported SoC 70; the needs claim 20.
  h2.call(sd2, 'TransactionEvent', {
    eventType: 'Started', timestamp: new Date(h2.clock.nowMs()).toISOString(), triggerReason: 'CablePluggedIn', seqNo: 0,
    transactionInfo: { transactionId: 't', chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
    meterValue: [{ timestamp: new Date(h2.clock.nowMs()).toISOString(), sampledValue: [{ value: 1000 }, { value: 70, measurand: 'SoC' }] }],
  }, { idTokenInfo: ACCEPTED });
  h2.call(sd2, 'NotifyEVChargingNeeds', dc(20_000, 20, 100_000), ACCEPTED);
  assert.equal(h2.of('load-altering', 'L1.needs-soc-mismatch').length, 1, JSON.stringify(h2.alerts));
});
