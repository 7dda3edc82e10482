// Acceptance (FLOWS.md §5.1-§5.3): bidirectional EVs against the embedded CSMS, through the recording tap. The CSMS
// answers V2X needs with a TxProfile mixing charge, discharge, LocalFrequency and other modes; every frame is
// schema-valid, export measurands are present and never negative, both registers are monotonic, the reported power
// is the active period's setpoint, the export register grows by ∫discharge dt, and SoC falls while discharging.
// Against a 2.0.1-only CSMS the same scenario runs with the 2.1-only parts skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../src/metrics/summary.js';
import { formatReport } from '../../src/metrics/report.js';
import type { Payload } from '../../src/ocpp/session.js';
import { interpolate } from '../../src/station/v2x-physics.js';
import { auditFrames, sampled, transactionEvents } from '../support/audit.js';
import { runAgainstEmbedded } from '../support/embedded-run.js';
import { runScenario, scenario, waitFor } from '../support/fleet.js';
import { scriptedServer } from '../support/scripted.js';
import type { ParsedTappedFrame } from '../support/tap.js';

const H = 3_600_000;
/** Registers are rounded to 0.1 Wh, timestamps to the ms. */
const TOL_WH = 0.25;
/** Events this close to a profile's arrival or a period boundary are not attributed to either side. */
const EDGE_MS = 50;

const TEXT = `
name: v2x-acceptance
seed: 21
callTimeout: 3s
stations:
  - name: dc
    count: 3
    behaviour: v2x
    evse: { type: DC, maxKw: 50 }
    v2x: { dischargeKw: { uniform: [15, 20] }, minSocPercent: 20, maxSocPercent: 90 }
  - { name: ac, count: 2, behaviour: v2x, evse: { type: AC, maxKw: 11 } }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 300ms
  plugDuration: 15s
  energyKwh: 4
  batteryKwh: 5
  initialSocPercent: 50
  carMaxKw: 30
  meterInterval: 1s
  stopByTokenRatio: 0
phases:
  - { duration: 0s, target: 100% }
  - { duration: 14s, target: 100% }
drainTimeout: 3s
csms:
  commands:
    - { at: 5s, action: NotifyAllowedEnergyTransfer, stations: 40%, params: { bidirectional: true } }
    - { at: 7s, every: 500ms, action: AFRRSignal, params: { signal: 1 } }
`;

interface Sent { callAtMs: number; resultAtMs: number; payload: Payload; accepted: boolean }

/** CSMS→station calls of one action per connection, with when the station's answer passed the tap. */
function csmsCalls(frames: readonly ParsedTappedFrame[], action: string): Map<number, Sent[]> {
  const out = new Map<number, Sent[]>();
  const open = new Map<string, Sent>();
  for (const f of frames) {
    const fr = f.frame;
    if (!fr) continue;
    if (f.dir === 'toStation' && fr.type === 2 && fr.action === action) {
      const s: Sent = { callAtMs: f.atMs, resultAtMs: Infinity, payload: fr.payload as Payload, accepted: false };
      open.set(`${f.conn}|${fr.id}`, s);
      let list = out.get(f.conn);
      if (!list) out.set(f.conn, (list = []));
      list.push(s);
    } else if (f.dir === 'toCsms' && fr.type === 3) {
      const s = open.get(`${f.conn}|${fr.id}`);
      if (s) { s.resultAtMs = f.atMs; s.accepted = (fr.payload as Payload).status === 'Accepted'; }
    }
  }
  return out;
}

/**
 * Per connection: how far the station's clock runs behind the tap's. The station sets its clock from the
 * BootNotification currentTime, so it lags by that response's transit (more under load).
 */
function clockLag(frames: readonly ParsedTappedFrame[]): Map<number, number> {
  const lag = new Map<number, number>();
  for (const f of frames) {
    const fr = f.frame;
    if (f.dir === 'toStation' && fr?.type === 3 && typeof (fr.payload as Payload).currentTime === 'string' && (fr.payload as Payload).interval !== undefined) {
      lag.set(f.conn, f.atMs - Date.parse((fr.payload as Payload).currentTime));
    }
  }
  return lag;
}

/** The station's TransactionEvents per transaction with the connection they came on. */
function txEventsByConn(frames: readonly ParsedTappedFrame[]): Map<string, { conn: number; events: Payload[] }> {
  const out = new Map<string, { conn: number; events: Payload[] }>();
  for (const f of frames) {
    const fr = f.frame;
    if (!fr || f.dir !== 'toCsms' || fr.type !== 2 || fr.action !== 'TransactionEvent') continue;
    const p = fr.payload as Payload;
    const id = p.transactionInfo.transactionId as string;
    let e = out.get(id);
    if (!e) out.set(id, (e = { conn: f.conn, events: [] }));
    e.events.push(p);
  }
  return out;
}

test('V2X against the embedded CSMS (2.1): valid frames, export measurands, power follows the schedule, energy and SoC', async () => {
  const { run, csms, frames } = await runAgainstEmbedded(TEXT);
  const audit = auditFrames(frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), [], 'station frames are valid 2.1');
  assert.deepEqual(audit.csmsProblems.slice(0, 10), [], 'CSMS frames are valid 2.1');
  assert.deepEqual(audit.errors, []);
  assert.ok(frames.every((f) => f.protocol === 'ocpp2.1'));

  // Needs: ISO 15118-20 V2X needs, answered Accepted, followed by an accepted V2X TxProfile.
  const needs = audit.stationCalls.filter((c) => c.action === 'NotifyEVChargingNeeds');
  assert.ok(needs.length >= 5, `${needs.length} needs`);
  for (const n of needs) {
    const cn = n.payload.chargingNeeds;
    assert.match(cn.requestedEnergyTransfer, /_BPT$/);
    const v = cn.v2xChargingParameters;
    assert.ok(v && v.maxDischargePower > 0 && v.evMinV2XEnergyRequest < 0 && v.evMaxV2XEnergyRequest > 0, JSON.stringify(v));
    assert.equal(cn.controlMode, 'DynamicControl');
    assert.equal(n.response?.status, 'Accepted');
  }
  const profiles = csmsCalls(frames, 'SetChargingProfile');
  const allProfiles = [...profiles.values()].flat();
  assert.ok(allProfiles.length >= needs.length && allProfiles.every((s) => s.accepted), 'every V2X profile accepted');
  const allowed = [...csmsCalls(frames, 'NotifyAllowedEnergyTransfer').values()].flat();
  assert.ok(allowed.length >= 1 && allowed.every((s) => s.accepted), 'NotifyAllowedEnergyTransfer accepted');
  const afrr = csmsCalls(frames, 'AFRRSignal');
  const afrrAccepted = [...afrr.values()].flat().filter((s) => s.accepted);
  assert.ok(afrrAccepted.length >= 1, 'some AFRRSignal met a LocalFrequency period');

  let setpointChecks = 0;
  let dischargeChecks = 0;
  let lfChecks = 0;
  let energyChecks = 0;
  let socChecks = 0;
  const modesSeen = new Set<string>();
  const lag = clockLag(frames);
  for (const [id, { conn, events }] of txEventsByConn(frames)) {
    assert.deepEqual(events.map((e) => e.seqNo), events.map((_e, i) => i), id);
    let lastImp = -Infinity;
    let lastExp = -Infinity;
    for (const e of events) {
      for (const mv of (e.meterValue ?? []) as Payload[]) {
        for (const sv of mv.sampledValue as Payload[]) {
          if (sv.measurand !== 'Power.Active.Setpoint') assert.ok(sv.value >= 0, `${id} seq ${e.seqNo}: ${sv.measurand} ${sv.value}`);
        }
      }
      const imp = sampled(e);
      const exp = sampled(e, 'Energy.Active.Export.Register');
      if (e.meterValue) assert.ok(exp !== undefined, `${id} seq ${e.seqNo}: no Energy.Active.Export.Register`);
      if (imp !== undefined) { assert.ok(imp >= lastImp, `${id}: import register fell`); lastImp = imp; }
      if (exp !== undefined) { assert.ok(exp >= lastExp, `${id}: export register fell`); lastExp = exp; }
      if (e.triggerReason === 'OperationModeChanged') {
        assert.ok(e.transactionInfo.operationMode, 'OperationModeChanged carries transactionInfo.operationMode');
        modesSeen.add(e.transactionInfo.operationMode);
      }
      if (e.eventType === 'Updated' && e.meterValue && sampled(e, 'Power.Active.Import') !== undefined) {
        assert.ok(sampled(e, 'Power.Active.Export') !== undefined, 'Power.Active.Export in every periodic reading');
      }
    }

    // Reported power vs the schedule of the profile in force at each event (FLOWS.md §5.2).
    const mine = (profiles.get(conn) ?? []).filter((s) => s.payload.chargingProfile.transactionId === id);
    const signals = (afrr.get(conn) ?? []).filter((s) => s.accepted);
    for (const e of events) {
      const t = Date.parse(e.timestamp);
      // Profile and aFRR arrivals are tap times: compare them with the event in tap time.
      const tapT = t + (lag.get(conn) ?? 0);
      const setpoint = sampled(e, 'Power.Active.Setpoint');
      const importW = sampled(e, 'Power.Active.Import');
      const exportW = sampled(e, 'Power.Active.Export');
      if (importW === undefined || exportW === undefined) continue;
      if (mine.some((s) => tapT >= s.callAtMs - EDGE_MS && tapT <= s.resultAtMs + EDGE_MS)) continue;
      const inForce = mine.filter((s) => s.resultAtMs < tapT).at(-1);
      if (!inForce) { assert.equal(setpoint, undefined, `${id} seq ${e.seqNo}: setpoint before any profile`); continue; }
      const schedule = inForce.payload.chargingProfile.chargingSchedule[0];
      const offsetMs = t - Date.parse(schedule.startSchedule);
      const periods = schedule.chargingSchedulePeriod as Payload[];
      if (offsetMs >= schedule.duration * 1000 - EDGE_MS) continue;
      if (periods.some((p) => Math.abs(offsetMs - p.startPeriod * 1000) < EDGE_MS)) continue;
      const period = periods.filter((p) => p.startPeriod * 1000 <= offsetMs).at(-1)!;
      const signed = importW - exportW;
      switch (period.operationMode) {
        case 'CentralSetpoint':
          assert.equal(setpoint, period.setpoint, `${id} seq ${e.seqNo}: Power.Active.Setpoint`);
          assert.ok(Math.abs(signed - period.setpoint) <= 0.1, `${id} seq ${e.seqNo}: power ${signed} W, setpoint ${period.setpoint} W`);
          setpointChecks++;
          if (period.setpoint < 0) dischargeChecks++;
          break;
        case 'Idle':
          assert.equal(signed, 0, `${id} seq ${e.seqNo}: Idle`);
          break;
        case 'LocalFrequency': {
          if (signals.some((s) => tapT >= s.callAtMs - EDGE_MS && tapT <= s.resultAtMs + EDGE_MS)) break;
          const withSignal = signals.some((s) => s.resultAtMs < tapT);
          const curve = (period.v2xSignalWattCurve as Payload[]).map((q) => ({ x: q.signal, y: q.power }));
          const expected = period.v2xBaseline + (withSignal ? interpolate(curve, 1) : 0);
          assert.equal(setpoint, expected, `${id} seq ${e.seqNo}: LocalFrequency baseline + aFRR`);
          assert.ok(Math.abs(signed - expected) <= 0.1, `${id} seq ${e.seqNo}: LocalFrequency power ${signed}, expected ${expected}`);
          if (withSignal) lfChecks++;
          break;
        }
      }
    }

    // Energy: power is constant between events, so each register grows by the reported power × Δt. SoC: over
    // each run of discharging intervals it never rises, and falls once more than 0.15 % of the battery left it.
    let run0: { soc: number; wh: number } | null = null;
    for (let i = 0; i + 1 < events.length; i++) {
      const a = events[i]!;
      const b = events[i + 1]!;
      const pi = sampled(a, 'Power.Active.Import');
      const pe = sampled(a, 'Power.Active.Export');
      const [ia, ib, ea, eb] = [sampled(a), sampled(b), sampled(a, 'Energy.Active.Export.Register'), sampled(b, 'Energy.Active.Export.Register')];
      if (pi === undefined || pe === undefined || ia === undefined || ib === undefined || ea === undefined || eb === undefined) continue;
      const dtH = (Date.parse(b.timestamp) - Date.parse(a.timestamp)) / H;
      assert.ok(Math.abs((eb - ea) - pe * dtH) <= TOL_WH, `${id} seq ${a.seqNo}→${b.seqNo}: export +${eb - ea} Wh, ∫ = ${pe * dtH} Wh`);
      assert.ok(Math.abs((ib - ia) - pi * dtH) <= TOL_WH, `${id} seq ${a.seqNo}→${b.seqNo}: import +${ib - ia} Wh, ∫ = ${pi * dtH} Wh`);
      energyChecks++;
      const sa = sampled(a, 'SoC');
      const sb = sampled(b, 'SoC');
      if (pe > 0 && sa !== undefined && sb !== undefined) {
        assert.ok(sb <= sa, `${id} seq ${a.seqNo}: SoC rose while discharging`);
        run0 ??= { soc: sa, wh: 0 };
        run0.wh += pe * dtH;
        if (run0.wh > 7.5) { assert.ok(sb < run0.soc, `${id} seq ${b.seqNo}: SoC did not fall over ${run0.wh} Wh discharged`); socChecks++; }
      } else if (pi > 0) run0 = null;
    }
  }
  assert.ok(setpointChecks >= 10 && dischargeChecks >= 3, `${setpointChecks} setpoint checks, ${dischargeChecks} while discharging`);
  assert.ok(lfChecks >= 1, 'a LocalFrequency period with an aFRR signal was checked');
  assert.ok(energyChecks >= 20 && socChecks >= 2, `${energyChecks} energy checks, ${socChecks} SoC checks`);
  for (const m of ['CentralSetpoint', 'LocalFrequency']) assert.ok(modesSeen.has(m), `mode ${m} reported`);

  // Figures: station counters, CSMS stats, the report.
  const exported = run.counter('energy_export_wh');
  assert.ok(exported > 0 && run.counter('v2x_discharge_sessions') >= 1, `exported ${exported} Wh`);
  assert.equal(run.counter('usecase_skipped_201'), 0);
  const s = csms.stats();
  assert.ok(Math.abs(s.transactions.energyExportWh - exported) < 1, `CSMS saw ${s.transactions.energyExportWh} Wh exported, stations ${exported} Wh`);
  assert.ok((s.useCases['v2x.profilesAccepted'] ?? 0) >= needs.length);
  const report = formatReport(summarize(run.snapshot));
  assert.match(report, /energy exported \(V2X\)\s+\d+\.\d{3} kWh/);
  assert.match(report, /energy delivered\s+\d+\.\d{3} kWh/);
});

test('V2X against a 2.0.1-only CSMS: same scenario, valid 2.0.1, V2X parts skipped and counted', async () => {
  const { run, csms, frames } = await runAgainstEmbedded(TEXT, ['ocpp2.0.1']);
  assert.ok(frames.length > 0 && frames.every((f) => f.protocol === 'ocpp2.0.1'));
  const audit = auditFrames(frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), [], 'station frames are valid 2.0.1');
  assert.deepEqual(audit.csmsProblems.slice(0, 10), []);
  assert.deepEqual(audit.errors, []);
  const needs = audit.stationCalls.filter((c) => c.action === 'NotifyEVChargingNeeds');
  assert.ok(needs.length >= 5);
  for (const n of needs) {
    assert.ok(['DC', 'AC_three_phase'].includes(n.payload.chargingNeeds.requestedEnergyTransfer));
    assert.equal(n.payload.chargingNeeds.v2xChargingParameters, undefined);
  }
  for (const [id, events] of transactionEvents(audit.stationCalls)) {
    const exports = events.map((e) => sampled(e, 'Energy.Active.Export.Register')).filter((x) => x !== undefined);
    assert.ok(exports.length > 0 && exports.every((x) => x === exports[0]), `${id}: nothing exported on 2.0.1`);
    for (const e of events) {
      assert.equal(e.transactionInfo.operationMode, undefined);
      assert.notEqual(e.triggerReason, 'OperationModeChanged');
      assert.equal(sampled(e, 'Power.Active.Setpoint'), undefined);
      const pe = sampled(e, 'Power.Active.Export');
      if (pe !== undefined) assert.equal(pe, 0);
    }
  }
  assert.ok(run.counter('usecase_skipped_201') >= needs.length, `${run.counter('usecase_skipped_201')} skips`);
  assert.equal(run.counter('energy_export_wh'), 0);
  const cmds = csms.stats().commands;
  assert.ok((cmds.AFRRSignal?.skipped ?? 0) > 0 && (cmds.AFRRSignal?.sent ?? 0) === 0, JSON.stringify(cmds.AFRRSignal));
  assert.ok((cmds.NotifyAllowedEnergyTransfer?.skipped ?? 0) > 0 && (cmds.NotifyAllowedEnergyTransfer?.sent ?? 0) === 0);
  // ISO 15118-2 needs may still get a plain limit profile, never a V2X one.
  for (const c of [...csmsCalls(frames, 'SetChargingProfile').values()].flat()) {
    assert.ok(c.accepted);
    for (const period of c.payload.chargingProfile.chargingSchedule[0].chargingSchedulePeriod as Payload[]) {
      assert.deepEqual(Object.keys(period).filter((k) => !['startPeriod', 'limit', 'numberPhases'].includes(k)), []);
    }
  }
  assert.ok(run.counter('tx_ended') >= 5 && run.counter('energy_wh') > 0);
});

test('V2X refusals: needs Rejected end the transaction (ReqEnergyTransferRejected); bad profiles, aFRR and allowed-transfer requests refused', async () => {
  const server = await scriptedServer({
    responder: (c) => (c.action === 'NotifyEVChargingNeeds' ? { status: 'Rejected' } : undefined),
  });
  try {
    const running = runScenario(scenario(`
name: v2x-refusals
seed: 3
callTimeout: 3s
stations: [{ name: v, count: 1, behaviour: v2x, evse: { type: DC, maxKw: 50 } }]
sessions: { arrivalsPerEvsePerHour: 3600, authorizeDelay: 200ms, plugDuration: 20s, meterInterval: 1s }
phases: [{ duration: 0s, target: 100% }, { duration: 5s, target: 100% }]
drainTimeout: 2s
`), `${server.url}/ocpp`);
    assert.ok(await waitFor(() => server.calls(undefined, 'StatusNotification').length > 0, 5000));
    const id = server.calls()[0]!.identity;
    const status = async (action: string, payload: Payload) => {
      const f = await server.call(id, action, payload);
      return f?.type === 3 ? [(f.payload as Payload).status, (f.payload as Payload).statusInfo?.reasonCode] : [f?.type];
    };
    const profile = (period: Payload) => ({
      evseId: 1, chargingProfile: { id: 9, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
        chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, ...period }] }] },
    });
    assert.deepEqual(await status('SetChargingProfile', profile({ operationMode: 'CentralSetpoint', setpoint: -9000, dischargeLimit: -5000 })), ['Rejected', 'InvalidSchedule']);
    assert.deepEqual(await status('SetChargingProfile', profile({ operationMode: 'LocalFrequency', v2xBaseline: 0 })), ['Rejected', 'NoFreqWattCurve']);
    assert.deepEqual(await status('SetChargingProfile', profile({ operationMode: 'LocalLoadBalancing' })), ['Rejected', 'MissingDevModelInfo']);
    assert.deepEqual(await status('AFRRSignal', { timestamp: new Date().toISOString(), signal: 1 }), ['Rejected', 'NoSignalWattCurve']);
    assert.deepEqual(await status('NotifyAllowedEnergyTransfer', { transactionId: 'no-such-tx', allowedEnergyTransfer: ['DC'] }), ['Rejected', 'TxNotFound']);
    const run = await running;
    const ended = server.calls(id, 'TransactionEvent').map((c) => c.payload).filter((p) => p.eventType === 'Ended');
    assert.ok(ended.length >= 1);
    assert.equal(ended[0]!.triggerReason, 'AbnormalCondition');
    assert.equal(ended[0]!.transactionInfo.stoppedReason, 'ReqEnergyTransferRejected');
    assert.ok(run.counter('v2x_needs_rejected') >= 1 && run.counter('v2x_profiles_rejected') === 3);
  } finally {
    await server.close();
  }
});
