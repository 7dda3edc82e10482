// V2X physics (FLOWS.md §5.2, §5.3): signed power that follows the control exactly within the EV's and the EVSE's
// bounds, separate monotonic import and export registers, SoC falling while discharging; plus the V2X checks a
// station applies to SetChargingProfile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvseModel } from '../../src/scenario/spec.js';
import { meterValue, sampledValues, SUPPORTED_MEASURANDS, parseMeasurands } from '../../src/station/meter.js';
import { EvsePhysics } from '../../src/station/physics.js';
import { interpolate, requestedPowerW, V2xPhysics, type V2xControl } from '../../src/station/v2x-physics.js';
import { checkV2xProfile, controlOf } from '../../src/station/usecases/v2x-profile.js';
import type { ChargingProfile } from '../../src/station/charging-profile.js';
import { schemaErrors } from './schema-helper.js';

const DC50: EvseModel = { current: 'DC', maxPowerW: 50_000, phases: 3, voltageV: 500, connectors: [{ type: 'cCCS2' }] };
const AC11: EvseModel = { current: 'AC', maxPowerW: 11_000, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] };
const H = 3_600_000;
const CAR = { batteryWh: 50_000, initialSocPct: 50, carMaxPowerW: 40_000, targetEnergyWh: 20_000 };
const V2X = { maxDischargePowerW: 20_000, minSocPct: 20, maxSocPct: 90 };

function bpt(model = DC50, control?: V2xControl, car = CAR): V2xPhysics {
  const p = new V2xPhysics(model, 1000, 500);
  p.plugIn(car);
  p.setV2x(V2X);
  p.setBidirectional(true);
  if (control) p.setControl(control);
  p.energize(true);
  return p;
}

test('ChargingOnly is exactly EvsePhysics (taper, target, limits)', () => {
  const car = { batteryWh: 40_000, initialSocPct: 70, carMaxPowerW: 45_000, targetEnergyWh: 9_000 };
  const a = new EvsePhysics(DC50, 1000);
  const b = new V2xPhysics(DC50, 1000);
  a.plugIn(car); b.plugIn(car); b.setV2x(V2X); b.setBidirectional(true);
  for (const [dt, limit] of [[0, undefined], [600_000, 30_000], [900_000, undefined], [1_200_000, 20_000]] as const) {
    a.energize(true, limit); b.energize(true, limit);
    a.advance(dt, limit); b.advance(dt, limit);
    assert.equal(b.registerWh, a.registerWh);
    assert.equal(b.powerW, a.powerW);
    assert.equal(b.state, a.state);
    assert.equal(b.socPct, a.socPct);
  }
  assert.equal(b.exportRegisterWh, 0);
  assert.equal(b.setpointW, undefined);
});

test('CentralSetpoint discharge: power = setpoint, export register += |P|·Δt, import unchanged, SoC falls', () => {
  const p = bpt(DC50, { mode: 'CentralSetpoint', setpointW: -7000 });
  assert.equal(p.signedPowerW, -7000);
  assert.equal(p.powerW, 0);
  assert.equal(p.exportPowerW, 7000);
  assert.equal(p.setpointW, -7000);
  assert.equal(p.state, 'Charging');
  const soc0 = p.socPct!;
  p.advance(600_000);
  assert.equal(p.registerWh, 1000);
  assert.ok(Math.abs(p.exportRegisterWh - (500 + 7000 * 600_000 / H)) < 1e-9);
  assert.ok(Math.abs(p.socPct! - (soc0 - (7000 * 600_000 / H / 50_000) * 100)) < 1e-9);
  assert.ok(Math.abs(p.exportCurrentA - 7000 / 500) < 1e-9);
  // Charging setpoint: the import register takes it, the export register stays.
  const exp = p.exportRegisterWh;
  p.setControl({ mode: 'CentralSetpoint', setpointW: 5000 });
  p.advance(360_000);
  assert.equal(p.exportRegisterWh, exp);
  assert.ok(Math.abs(p.registerWh - (1000 + 5000 * 360_000 / H)) < 1e-9);
});

test('discharge stops exactly at the V2X minimum SoC, charging at the maximum; msUntilBound predicts it', () => {
  const p = bpt(DC50, { mode: 'CentralSetpoint', setpointW: -10_000 });
  // 50 % → 20 % of 50 kWh = 15 kWh at 10 kW = 1.5 h.
  assert.ok(Math.abs(p.msUntilBound() - 1.5 * H) < 1e-6);
  p.advance(2 * H);
  assert.ok(Math.abs(p.socPct! - 20) < 1e-9);
  assert.ok(Math.abs(p.exportRegisterWh - (500 + 15_000)) < 1e-6);
  assert.equal(p.signedPowerW, 0);
  assert.equal(p.state, 'SuspendedEV');
  assert.equal(p.msUntilBound(), Infinity);
  p.setControl({ mode: 'CentralSetpoint', setpointW: 35_000 });
  p.advance(10 * H);
  assert.ok(Math.abs(p.socPct! - 90) < 1e-9);
  assert.equal(p.state, 'SuspendedEV');
});

test('bounds: EV discharge maximum, EVSE rating, DER discharge cap, no discharge without a BPT session', () => {
  assert.equal(bpt(DC50, { mode: 'CentralSetpoint', setpointW: -30_000 }).signedPowerW, -20_000);
  assert.equal(bpt(AC11, { mode: 'CentralSetpoint', setpointW: -30_000 }).signedPowerW, -11_000);
  assert.equal(bpt(DC50, { mode: 'CentralSetpoint', setpointW: 45_000 }).signedPowerW, 40_000);
  const capped = bpt(DC50);
  capped.setControl({ mode: 'CentralSetpoint', setpointW: -18_000 }, undefined, 10_000);
  capped.energize(true);
  assert.equal(capped.signedPowerW, -10_000);
  const charged = bpt(DC50, { mode: 'CentralSetpoint', setpointW: -8000 });
  charged.setBidirectional(false);
  charged.energize(true);
  assert.equal(charged.signedPowerW, 0);
  assert.equal(charged.state, 'SuspendedEV');
  // A charge limit (smart charging / station cap) bounds setpoint charging too.
  const limited = bpt(DC50, { mode: 'CentralSetpoint', setpointW: 30_000 });
  limited.energize(true, 12_000);
  assert.equal(limited.signedPowerW, 12_000);
});

test('Idle transfers nothing; ExternalLimits charges as the EV wants within limit/dischargeLimit', () => {
  const idle = bpt(DC50, { mode: 'Idle' });
  assert.equal(idle.signedPowerW, 0);
  assert.equal(idle.state, 'SuspendedEVSE');
  idle.advance(H);
  assert.equal(idle.registerWh, 1000);
  assert.equal(idle.exportRegisterWh, 500);
  assert.equal(bpt(DC50, { mode: 'ExternalLimits', limitW: 15_000, dischargeLimitW: -5000 }).signedPowerW, 15_000);
  assert.equal(bpt(DC50, { mode: 'ExternalSetpoint', setpointW: -9000, dischargeLimitW: -5000 }).signedPowerW, -5000);
});

test('LocalFrequency: v2xBaseline + frequency-watt curve at the grid frequency + signal-watt curve at the aFRR signal', () => {
  const c: V2xControl = {
    mode: 'LocalFrequency', baselineW: -2000,
    freqWatt: [{ frequency: 49.8, power: -10_000 }, { frequency: 50, power: 0 }, { frequency: 50.2, power: 10_000 }],
    signalWatt: [{ signal: -1, power: -2000 }, { signal: 0, power: 0 }, { signal: 1, power: 2000 }],
  };
  assert.equal(requestedPowerW(c, { frequencyHz: 50 }, 0), -2000);
  assert.equal(requestedPowerW(c, { frequencyHz: 49.9 }, 0), -7000);
  assert.equal(requestedPowerW(c, { frequencyHz: 50.1, afrrSignal: 1 }, 0), 5000);
  assert.equal(requestedPowerW(c, { frequencyHz: 48, afrrSignal: -1 }, 0), -14_000);
  const p = bpt(DC50);
  p.setControl(c, { frequencyHz: 50.05, afrrSignal: -1 });
  p.energize(true);
  assert.ok(Math.abs(p.signedPowerW - (-2000 + 2500 - 2000)) < 1e-9);
  assert.equal(interpolate([{ x: 0, y: 1 }], 5), 1);
  assert.equal(interpolate([], 5), 0);
});

test('meter values while discharging: export measurands non-negative, no negative import, signed setpoint only (schema-valid 2.1)', () => {
  const p = bpt(AC11, { mode: 'CentralSetpoint', setpointW: -6900 });
  p.advance(60_000);
  const all = parseMeasurands(SUPPORTED_MEASURANDS.join(','));
  const sv = sampledValues(p, all, 'Sample.Periodic');
  const get = (m: string) => sv.filter((s) => s.measurand === m);
  assert.equal(get('Power.Active.Import')[0]!.value, 0);
  assert.equal(get('Power.Active.Export')[0]!.value, 6900);
  assert.deepEqual(get('Current.Export').map((s) => s.value), [10, 10, 10]);
  assert.equal(get('Power.Active.Setpoint')[0]!.value, -6900);
  assert.equal(get('Energy.Active.Export.Register')[0]!.value, Math.round((500 + 6900 / 60) * 10) / 10);
  for (const s of sv) if (s.measurand !== 'Power.Active.Setpoint') assert.ok(s.value >= 0, `${s.measurand} ${s.value}`);
  const mv = meterValue(p, all, 'Sample.Periodic', Date.UTC(2025, 2, 1, 17, 10))!;
  const tx = {
    eventType: 'Updated', timestamp: mv.timestamp, triggerReason: 'OperationModeChanged', seqNo: 4,
    transactionInfo: { transactionId: 'tx-v2x', chargingState: 'Charging', operationMode: 'CentralSetpoint' }, meterValue: [mv],
  };
  assert.equal(schemaErrors('TransactionEventRequest', tx), null);
});

const profile = (periods: Record<string, unknown>[], purpose = 'TxProfile'): ChargingProfile => ({
  id: 1, stackLevel: 0, chargingProfilePurpose: purpose as ChargingProfile['chargingProfilePurpose'], chargingProfileKind: 'Relative', transactionId: 't',
  chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: periods.map((p, i) => ({ startPeriod: i * 60, ...p })) }],
});
const reason = (p: ChargingProfile, lbb = false) => checkV2xProfile(p, lbb)?.statusInfo?.reasonCode ?? null;

test('SetChargingProfile V2X checks (FLOWS.md §5.2) and the control of a period', () => {
  assert.equal(reason(profile([{ operationMode: 'CentralSetpoint', setpoint: -7000 }, { operationMode: 'Idle' }, { limit: 11000 }])), null);
  assert.equal(reason(profile([{ operationMode: 'CentralSetpoint', setpoint: -7000, dischargeLimit: -5000 }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ operationMode: 'CentralSetpoint', setpoint: 9000, limit: 5000 }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ operationMode: 'CentralSetpoint' }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ limit: 5000, setpoint: 100 }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ operationMode: 'Idle', limit: 0 }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ operationMode: 'LocalFrequency', v2xFreqWattCurve: [{ frequency: 50, power: 0 }] }])), 'NoFreqWattCurve');
  assert.equal(reason(profile([{ operationMode: 'LocalFrequency', setpoint: 0, v2xFreqWattCurve: [{ frequency: 49, power: 0 }, { frequency: 51, power: 1 }] }])), 'InvalidSchedule');
  assert.equal(reason(profile([{ operationMode: 'LocalLoadBalancing' }])), 'MissingDevModelInfo');
  assert.equal(reason(profile([{ operationMode: 'LocalLoadBalancing' }]), true), null);
  assert.equal(reason(profile([{ operationMode: 'CentralSetpoint', setpoint: 1 }], 'ChargingStationMaxProfile')), 'InvalidValue');
  const c = controlOf({ profileId: 1, purpose: 'TxProfile', wattsPerUnit: 690, period: { startPeriod: 0, operationMode: 'ExternalLimits', limit: 16, dischargeLimit: -10 } });
  assert.deepEqual(c, { mode: 'ExternalLimits', limitW: 16 * 690, dischargeLimitW: -6900 });
  assert.equal(controlOf(undefined).mode, 'ChargingOnly');
});
