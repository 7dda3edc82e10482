import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvseModel } from '../../src/scenario/spec.js';
import { ProfileStore, type ChargingProfile, type ChargingSchedulePeriod } from '../../src/station/smart-charging.js';
import { schemaErrors } from './schema-helper.js';

const AC3: EvseModel = { current: 'AC', maxPowerW: 22080, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] };
const AC1: EvseModel = { current: 'AC', maxPowerW: 7360, phases: 1, voltageV: 230, connectors: [{ type: 'sType2' }] };
const DC: EvseModel = { current: 'DC', maxPowerW: 50000, phases: 3, voltageV: 400, connectors: [{ type: 'cCCS2' }] };
const EVSES = [AC3, AC1, DC];
const NOW = Date.UTC(2025, 2, 1, 10, 0, 0);
const MIN = 60_000;

function profile(
  id: number, purpose: ChargingProfile['chargingProfilePurpose'], stackLevel: number,
  periods: ChargingSchedulePeriod[], extra: Partial<ChargingProfile> = {}, unit: 'A' | 'W' = 'A',
): ChargingProfile {
  const kind = extra.chargingProfileKind ?? 'Absolute';
  return {
    id, stackLevel, chargingProfilePurpose: purpose, chargingProfileKind: kind, ...extra,
    chargingSchedule: [{
      id: 1, chargingRateUnit: unit, chargingSchedulePeriod: periods,
      ...(kind === 'Relative' ? {} : { startSchedule: '2025-03-01T00:00:00Z' }),
    }],
  };
}

/** Installs through the schema, so every fixture is also a valid SetChargingProfileRequest. */
function install(s: ProfileStore, evseId: number, p: ChargingProfile) {
  assert.equal(schemaErrors('SetChargingProfileRequest', { evseId, chargingProfile: p }), null);
  const r = s.install(evseId, p);
  assert.equal(schemaErrors('SetChargingProfileResponse', r), null);
  return r;
}

test('highest stackLevel wins per purpose; EVSE-specific TxDefault over station-wide; A → W per EVSE', () => {
  const s = new ProfileStore(EVSES);
  assert.equal(install(s, 0, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 32 }])).status, 'Accepted');
  assert.equal(install(s, 1, profile(2, 'TxDefaultProfile', 1, [{ startPeriod: 0, limit: 16 }])).status, 'Accepted');
  assert.equal(s.limitAt(1, NOW), 16 * 3 * 230);
  // 1-phase EVSE: numberPhases defaults to 3 but it only has one.
  assert.equal(s.limitAt(2, NOW), 32 * 230);
  assert.equal(s.limitAt(3, NOW), 32 * 400);
  assert.equal(install(s, 1, profile(3, 'TxDefaultProfile', 2, [{ startPeriod: 0, limit: 10, numberPhases: 1 }])).status, 'Accepted');
  assert.equal(s.limitAt(1, NOW), 10 * 230);
});

test('TxProfile overrides TxDefaultProfile; ChargingStationMaxProfile caps; TxProfiles leave with their transaction', () => {
  const s = new ProfileStore(EVSES);
  install(s, 0, profile(1, 'TxDefaultProfile', 5, [{ startPeriod: 0, limit: 8 }]));
  s.setTransaction(1, 'tx-1', NOW - 10 * MIN);
  const tx = profile(2, 'TxProfile', 0, [{ startPeriod: 0, limit: 20 }], { transactionId: 'tx-1' });
  assert.equal(install(s, 1, tx).status, 'Accepted');
  assert.equal(s.limitAt(1, NOW), 20 * 690);
  install(s, 0, profile(3, 'ChargingStationMaxProfile', 0, [{ startPeriod: 0, limit: 11000 }], {}, 'W'));
  assert.equal(s.limitAt(1, NOW), 11000);
  assert.equal(s.limitAt(2, NOW), 8 * 230);
  assert.equal(s.limitAt(0, NOW), 11000);
  s.endTransaction(1);
  assert.equal(s.size, 2);
  assert.equal(s.limitAt(1, NOW), 8 * 690);
});

test('TxProfile needs the running transaction of that EVSE (TxNotFound)', () => {
  const s = new ProfileStore(EVSES);
  const p = profile(7, 'TxProfile', 0, [{ startPeriod: 0, limit: 10 }], { transactionId: 'tx-9' });
  assert.deepEqual(install(s, 1, p).statusInfo?.reasonCode, 'TxNotFound');
  s.setTransaction(2, 'tx-9', NOW);
  assert.equal(install(s, 1, p).statusInfo?.reasonCode, 'TxNotFound');
  s.setTransaction(1, 'tx-8', NOW);
  assert.equal(install(s, 1, p).statusInfo?.reasonCode, 'TxNotFound');
  assert.equal(install(s, 2, p).status, 'Accepted');
  const { transactionId: _t, ...noTx } = p;
  assert.equal(install(s, 1, noTx as ChargingProfile).statusInfo?.reasonCode, 'TxNotFound');
});

test('same id replaces; same purpose+stackLevel+EVSE with another id and overlapping validity is DuplicateProfile', () => {
  const s = new ProfileStore(EVSES);
  install(s, 1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 16 }], { validTo: '2025-03-02T00:00:00Z' }));
  const dup = install(s, 1, profile(2, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }]));
  assert.equal(dup.status, 'Rejected');
  assert.equal(dup.statusInfo?.reasonCode, 'DuplicateProfile');
  // Not overlapping: starts when the first one ends.
  assert.equal(install(s, 1, profile(3, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }], { validFrom: '2025-03-02T00:00:00Z' })).status, 'Accepted');
  assert.equal(install(s, 1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 6 }], { validTo: '2025-03-02T00:00:00Z' })).status, 'Accepted');
  assert.equal(s.size, 2);
  assert.equal(s.limitAt(1, NOW), 6 * 690);
  // Station-wide and EVSE-specific TxDefault on the same stackLevel would be ambiguous.
  assert.equal(install(s, 0, profile(4, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 6 }])).statusInfo?.reasonCode, 'DuplicateProfile');
  // Other EVSE, other stackLevel: fine.
  assert.equal(install(s, 2, profile(5, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 6 }])).status, 'Accepted');
});

test('invalid profiles are rejected with a reason code', () => {
  const s = new ProfileStore(EVSES);
  const code = (evseId: number, p: ChargingProfile): string | undefined => install(s, evseId, p).statusInfo?.reasonCode;
  assert.equal(code(1, profile(1, 'ChargingStationMaxProfile', 0, [{ startPeriod: 0, limit: 10 }])), 'InvalidValue');
  assert.equal(code(0, profile(1, 'ChargingStationExternalConstraints', 0, [{ startPeriod: 0, limit: 10 }])), 'InvalidValue');
  assert.equal(code(1, profile(1, 'PriorityCharging', 0, [{ startPeriod: 0, limit: 10 }])), 'UnsupportedPurpose');
  assert.equal(code(1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0 }], { chargingProfileKind: 'Dynamic' })), 'UnsupportedKind');
  assert.equal(code(1, profile(1, 'TxDefaultProfile', 99, [{ startPeriod: 0, limit: 10 }])), 'InvalidStackLevel');
  assert.equal(code(1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 5, limit: 10 }])), 'InvalidSchedule');
  assert.equal(code(1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }, { startPeriod: 0, limit: 5 }])), 'InvalidSchedule');
  assert.equal(code(1, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }], { chargingProfileKind: 'Recurring' })), 'InvalidSchedule');
  assert.equal(code(4, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }])), 'UnknownEvse');
  const rel = profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 10 }], { chargingProfileKind: 'Relative' });
  rel.chargingSchedule[0]!.startSchedule = '2025-03-01T00:00:00Z';
  assert.equal(code(1, rel), 'InvalidSchedule');
  assert.equal(s.size, 0);
});

test('Absolute, Recurring and Relative schedules; a period without limit does not limit', () => {
  const s = new ProfileStore(EVSES);
  // FLOWS.md §9 example: daily 32 A, 10 A from 17:00, 32 A from 21:00.
  install(s, 0, profile(100, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 32 }, { startPeriod: 61200, limit: 10 }, { startPeriod: 75600, limit: 32 }],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily' }));
  assert.equal(s.limitAt(1, Date.UTC(2025, 2, 5, 16, 59)), 32 * 690);
  assert.equal(s.limitAt(1, Date.UTC(2025, 2, 5, 17, 0)), 10 * 690);
  assert.equal(s.limitAt(1, Date.UTC(2025, 2, 5, 21, 30)), 32 * 690);
  // Relative TxProfile from the transaction start: 0-10 min 6 A, then no limit (2.1), so TxDefault is overridden.
  s.setTransaction(1, 'tx', NOW);
  install(s, 1, profile(5, 'TxProfile', 0, [{ startPeriod: 0, limit: 6 }, { startPeriod: 600 }],
    { chargingProfileKind: 'Relative', transactionId: 'tx' }));
  assert.equal(s.limitAt(1, NOW + 5 * MIN), 6 * 690);
  assert.equal(s.limitAt(1, NOW + 15 * MIN), undefined);
  // An Absolute schedule with a duration stops limiting when it ends (falling back to TxDefault).
  install(s, 2, profile(6, 'TxDefaultProfile', 3, [{ startPeriod: 0, limit: 2000 }], { }, 'W'));
  const withDuration = profile(7, 'TxDefaultProfile', 4, [{ startPeriod: 0, limit: 1000 }], {}, 'W');
  withDuration.chargingSchedule[0]!.duration = 11 * 3600;
  install(s, 2, withDuration);
  assert.equal(s.limitAt(2, Date.UTC(2025, 2, 1, 10, 59)), 1000);
  assert.equal(s.limitAt(2, Date.UTC(2025, 2, 1, 11, 0)), 2000);
});

test('composite schedule: merged periods, capped by the rating, schema-valid in W and A', () => {
  const s = new ProfileStore(EVSES);
  install(s, 0, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 32 }, { startPeriod: 37800, limit: 10 }, { startPeriod: 39600, limit: 32 }]));
  install(s, 0, profile(2, 'ChargingStationMaxProfile', 0, [{ startPeriod: 0, limit: 40000 }], {}, 'W'));
  const w = s.compositeSchedule(1, 3 * 3600, NOW + 123)!;
  assert.equal(schemaErrors('GetCompositeScheduleResponse', { status: 'Accepted', schedule: w }), null);
  assert.equal(w.scheduleStart, '2025-03-01T10:00:00.000Z');
  assert.deepEqual(w.chargingSchedulePeriod, [
    { startPeriod: 0, limit: 22080, numberPhases: 3 },
    { startPeriod: 1800, limit: 6900, numberPhases: 3 },
    { startPeriod: 3600, limit: 22080, numberPhases: 3 },
  ]);
  const a = s.compositeSchedule(1, 3 * 3600, NOW, 'A')!;
  assert.equal(schemaErrors('GetCompositeScheduleResponse', { status: 'Accepted', schedule: a }), null);
  assert.deepEqual(a.chargingSchedulePeriod.map((p) => p.limit), [32, 10, 32]);
  const dc = s.compositeSchedule(3, 600, NOW, 'A')!;
  assert.deepEqual(dc.chargingSchedulePeriod, [{ startPeriod: 0, limit: 32 }]);
  const station = s.compositeSchedule(0, 3 * 3600, NOW)!;
  assert.equal(schemaErrors('GetCompositeScheduleResponse', { status: 'Accepted', schedule: station }), null);
  assert.equal(station.chargingSchedulePeriod[0]!.limit, 40000);
  // 22080 + 7360 + 12800 W capped at 40 kW, then 10 A everywhere: 6900 + 2300 + 4000 W.
  assert.equal(station.chargingSchedulePeriod[1]!.limit, 6900 + 2300 + 4000);
  assert.equal(s.compositeSchedule(9, 60, NOW), undefined);
  const none = new ProfileStore(EVSES).compositeSchedule(2, 60, NOW)!;
  assert.deepEqual(none.chargingSchedulePeriod, [{ startPeriod: 0, limit: 7360, numberPhases: 1 }]);
});

test('get groups by EVSE as ReportChargingProfiles; clear by id and by criteria', () => {
  const s = new ProfileStore(EVSES);
  install(s, 0, profile(1, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 32 }]));
  install(s, 1, profile(2, 'TxDefaultProfile', 1, [{ startPeriod: 0, limit: 16, dischargeLimit: -5, setpoint: 3 }]));
  install(s, 2, profile(3, 'TxDefaultProfile', 2, [{ startPeriod: 0, limit: 16 }]));
  install(s, 0, profile(4, 'ChargingStationMaxProfile', 0, [{ startPeriod: 0, limit: 40 }]));
  const all = s.get({});
  assert.deepEqual(all.map((g) => [g.evseId, g.chargingProfile.map((p) => p.id)]), [[0, [1, 4]], [1, [2]], [2, [3]]]);
  for (const [i, g] of all.entries()) {
    assert.equal(schemaErrors('ReportChargingProfilesRequest', { requestId: 1, tbc: i < all.length - 1, ...g }), null);
  }
  // V2X fields are kept as received.
  assert.equal(all[1]!.chargingProfile[0]!.chargingSchedule[0]!.chargingSchedulePeriod[0]!.dischargeLimit, -5);
  assert.equal(s.get({ chargingProfilePurpose: 'ChargingStationMaxProfile' })[0]!.chargingProfile[0]!.id, 4);
  assert.deepEqual(s.get({ chargingProfileId: [2, 3] }, 2).map((g) => g.evseId), [2]);
  assert.deepEqual(s.get({ chargingLimitSource: ['EMS'] }), []);
  assert.equal(s.clear({ chargingProfileId: 2 }).status, 'Accepted');
  assert.equal(s.clear({ chargingProfileId: 2 }).status, 'Unknown');
  assert.equal(s.clear({ chargingProfileCriteria: { stackLevel: 7 } }).status, 'Unknown');
  assert.equal(s.clear({ chargingProfileCriteria: { evseId: 0, chargingProfilePurpose: 'TxDefaultProfile' } }).status, 'Accepted');
  assert.equal(s.size, 2);
  assert.equal(schemaErrors('ClearChargingProfileResponse', s.clear({})), null);
  assert.equal(s.size, 0);
});

test('a RequestStartTransaction profile is installed when its transaction starts', () => {
  const s = new ProfileStore(EVSES);
  const p = profile(901, 'TxProfile', 0, [{ startPeriod: 0, limit: 16, numberPhases: 3 }], { chargingProfileKind: 'Relative' });
  assert.equal(s.setRemoteStartProfile(1, profile(9, 'TxDefaultProfile', 0, [{ startPeriod: 0, limit: 1 }])).status, 'Rejected');
  assert.equal(s.setRemoteStartProfile(1, p).status, 'Accepted');
  assert.equal(s.size, 0);
  s.setTransaction(1, 'tx-remote', NOW);
  assert.equal(s.get({})[0]!.chargingProfile[0]!.transactionId, 'tx-remote');
  assert.equal(s.limitAt(1, NOW + MIN), 16 * 690);
});
