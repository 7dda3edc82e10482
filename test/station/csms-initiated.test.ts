// Acceptance (FLOWS.md §9): a station of the fleet, behind a recording tap, against the embedded CSMS. First every
// CSMS→station action of OCPP 2.1 is sent once and must be answered (a schema-valid CALLRESULT, or CALLERROR
// NotSupported/NotImplemented — never a timeout); then the real effects of the ones the simulator implements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { csmsToStationActions } from '../../src/ocpp/actions.js';
import { parseFrame } from '../../src/ocpp/framing.js';
import { validatorFor } from '../../src/ocpp/schemas.js';
import type { CallOutcome, Payload } from '../../src/ocpp/session.js';
import { auditFrames, sampled } from '../support/audit.js';
import { runScenario, scenario, sleep, waitFor, type FleetRun } from '../support/fleet.js';
import { minimalRequests } from '../support/requests.js';
import { startTap, type Tap } from '../support/tap.js';

const ID = 'CMD-1';
const LIMIT_W = 3000;

const TEXT = `
name: csms-initiated
seed: 21
callTimeout: 5s
reconnect: { waitMinimum: 100ms, randomRange: 100ms, repeatTimes: 2 }
stations:
  - { count: 1, idTemplate: "${ID}", evses: 2, behaviour: idle, evse: { type: AC, maxKw: 22, phases: 3, voltage: 230 } }
sessions:
  plugDuration: 5m
  meterInterval: 1s
  energyKwh: 60
  batteryKwh: 100
  initialSocPercent: 10
  carMaxKw: 50
phases:
  - { duration: 0s, target: 100% }
  - { duration: 60s, target: 100% }
drainTimeout: 2s
`;

interface Seen { index: number; conn: number; atMs: number; id: string; action: string; payload: Payload }

/** The station's CALLs on the tap, in order, from frame index `from`. */
function stationCalls(tap: Tap, from = 0): Seen[] {
  const out: Seen[] = [];
  for (let i = from; i < tap.frames.length; i++) {
    const f = tap.frames[i]!;
    if (f.dir !== 'toCsms') continue;
    const r = parseFrame(f.text);
    if (r.ok && r.frame.type === 2) out.push({ index: i, conn: f.conn, atMs: f.atMs, id: r.frame.id, action: r.frame.action, payload: r.frame.payload as Payload });
  }
  return out;
}

/** Waits (≤ timeoutMs) for a station CALL after `from` that satisfies `pred`; fails the test otherwise. */
async function expectCall(tap: Tap, from: number, what: string, pred: (c: Seen) => boolean, timeoutMs = 3000): Promise<Seen> {
  let found: Seen | undefined;
  await waitFor(() => (found = stationCalls(tap, from).find(pred)) !== undefined, timeoutMs);
  if (!found) assert.fail(`no ${what} within ${timeoutMs} ms; got ${stationCalls(tap, from).map((c) => c.action).join(', ')}`);
  return found;
}

function ok(o: CallOutcome, what: string): Payload {
  if (!o.ok) assert.fail(`${what}: ${o.kind} ${o.code ?? ''} ${o.description ?? ''}`);
  return o.payload;
}

function txEvents(tap: Tap, txId: string, from = 0): Seen[] {
  return stationCalls(tap, from).filter((c) => c.action === 'TransactionEvent' && c.payload.transactionInfo.transactionId === txId);
}

/** Between consecutive metered events, the register grows by the previously reported power × Δt (±0.3 Wh). */
function assertEnergyFollowsPower(events: readonly Seen[]): void {
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!.payload;
    const b = events[i]!.payload;
    const p = sampled(a, 'Power.Active.Import');
    const e0 = sampled(a);
    const e1 = sampled(b);
    if (p === undefined || e0 === undefined || e1 === undefined) continue;
    const hours = (Date.parse(b.timestamp) - Date.parse(a.timestamp)) / 3_600_000;
    const expected = p * hours;
    assert.ok(Math.abs(e1 - e0 - expected) <= 0.3,
      `seq ${a.seqNo}→${b.seqNo} (${b.triggerReason}): register +${(e1 - e0).toFixed(2)} Wh, reported ${p} W × ${(hours * 3600).toFixed(3)} s = ${expected.toFixed(2)} Wh`);
  }
}

test('every CSMS→station action is answered, and the implemented ones have their effects', async () => {
  const csms: Csms = await startCsms({ spec: { heartbeatInterval: 60 }, callTimeoutMs: 3000 });
  const tap = await startTap(csms.url);
  const abort = new AbortController();
  const running: Promise<FleetRun> = runScenario(scenario(TEXT), `${tap.url}/ocpp`, abort.signal);
  try {
    assert.ok(await waitFor(() => csms.station(ID)?.accepted === true && stationCalls(tap).filter((c) => c.action === 'StatusNotification').length >= 2, 8000),
      'station booted and reported its connectors');

    // ---- 1. The sweep: every action of the catalogue, one schema-valid request each.
    const v = validatorFor('2.1');
    const requests = minimalRequests(new Date().toISOString());
    const answers: Record<string, string> = {};
    for (const action of csmsToStationActions()) {
      const payload = requests[action];
      assert.ok(payload, `a request for ${action}`);
      assert.equal(v.request(action, payload), null, `${action}Request is schema-valid`);
      const o = await csms.send(ID, action, payload);
      if (o.ok) answers[action] = 'result';
      else if (o.kind === 'callerror' && (o.code === 'NotSupported' || o.code === 'NotImplemented')) answers[action] = o.code;
      else assert.fail(`${action}: ${o.kind} ${o.code ?? ''} ${o.description ?? ''}`);
    }
    assert.equal(Object.keys(answers).length, csmsToStationActions().length);
    // The core of the simulator answers with results (schema-checked by the CSMS in strict mode).
    for (const a of ['GetVariables', 'SetVariables', 'GetBaseReport', 'TriggerMessage', 'ChangeAvailability', 'Reset', 'RequestStartTransaction',
      'RequestStopTransaction', 'SetChargingProfile', 'ClearChargingProfile', 'GetCompositeSchedule', 'GetChargingProfiles', 'UnlockConnector',
      'DataTransfer', 'GetTransactionStatus']) {
      assert.equal(answers[a], 'result', `${a} answered with a CALLRESULT`);
    }

    // ---- 2. RequestStartTransaction starts a transaction (F01/F02).
    let mark = tap.frames.length;
    const start = ok(await csms.send(ID, 'RequestStartTransaction', { idToken: { idToken: 'REMOTE-1', type: 'Central' }, remoteStartId: 4711, evseId: 1 }), 'RequestStartTransaction');
    assert.equal(start.status, 'Accepted');
    const started = await expectCall(tap, mark, 'TransactionEvent Started', (c) => c.action === 'TransactionEvent' && c.payload.eventType === 'Started');
    assert.equal(started.payload.triggerReason, 'RemoteStart');
    assert.equal(started.payload.transactionInfo.remoteStartId, 4711);
    assert.deepEqual(started.payload.idToken, { idToken: 'REMOTE-1', type: 'Central' });
    assert.deepEqual(started.payload.evse, { id: 1, connectorId: 1 });
    const txId = started.payload.transactionInfo.transactionId as string;
    // The driver plugs in within 5 s; then charging at full power (min(EVSE 22 kW, car 50 kW)).
    await expectCall(tap, mark, 'CablePluggedIn', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'CablePluggedIn', 7000);
    const fast = await expectCall(tap, mark, 'a periodic meter value', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'MeterValuePeriodic');
    assert.ok(sampled(fast.payload, 'Power.Active.Import')! > 20_000, `charging at ${sampled(fast.payload, 'Power.Active.Import')} W`);
    assert.equal(fast.payload.transactionInfo.chargingState, 'Charging');

    // ---- 3. SetChargingProfile with a low limit: the reported power drops to ≤ the limit (K01). It arrives in the
    // middle of a meter interval, so the energy of that interval must still follow the power before the change.
    mark = tap.frames.length;
    await expectCall(tap, mark, 'a periodic meter value', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'MeterValuePeriodic');
    await sleep(500);
    mark = tap.frames.length;
    const profile = {
      id: 501, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: txId,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: LIMIT_W }] }],
    };
    assert.equal(ok(await csms.send(ID, 'SetChargingProfile', { evseId: 1, chargingProfile: profile }), 'SetChargingProfile').status, 'Accepted');
    const limited = await expectCall(tap, mark, 'ChargingRateChanged', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'ChargingRateChanged');
    // Two more periodic readings under the limit.
    await waitFor(() => txEvents(tap, txId, mark).length >= 3, 3000);
    const underLimit = txEvents(tap, txId, mark);
    assert.ok(underLimit.length >= 3, `events after the profile: ${underLimit.length}`);
    for (const e of underLimit) {
      const w = sampled(e.payload, 'Power.Active.Import');
      assert.ok(w !== undefined && w <= LIMIT_W, `seq ${e.payload.seqNo} ${e.payload.triggerReason}: ${w} W > ${LIMIT_W} W`);
    }
    assert.ok(limited.index >= mark);

    // GetCompositeSchedule reflects it (K08).
    const comp = ok(await csms.send(ID, 'GetCompositeSchedule', { duration: 300, evseId: 1, chargingRateUnit: 'W' }), 'GetCompositeSchedule');
    assert.equal(comp.status, 'Accepted');
    assert.equal(comp.schedule.evseId, 1);
    assert.equal(comp.schedule.chargingRateUnit, 'W');
    assert.equal(comp.schedule.chargingSchedulePeriod[0].limit, LIMIT_W);

    // ClearChargingProfile removes it (K10): full power again, composite back to the EVSE rating.
    mark = tap.frames.length;
    await expectCall(tap, mark, 'a periodic meter value', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'MeterValuePeriodic');
    await sleep(500);
    mark = tap.frames.length;
    assert.equal(ok(await csms.send(ID, 'ClearChargingProfile', { chargingProfileId: 501 }), 'ClearChargingProfile').status, 'Accepted');
    const freed = await expectCall(tap, mark, 'ChargingRateChanged after clear', (c) => c.action === 'TransactionEvent' && c.payload.triggerReason === 'ChargingRateChanged');
    assert.ok(sampled(freed.payload, 'Power.Active.Import')! > 20_000, `after clearing: ${sampled(freed.payload, 'Power.Active.Import')} W`);
    const comp2 = ok(await csms.send(ID, 'GetCompositeSchedule', { duration: 300, evseId: 1, chargingRateUnit: 'W' }), 'GetCompositeSchedule');
    assert.ok(comp2.schedule.chargingSchedulePeriod[0].limit > 20_000, JSON.stringify(comp2.schedule));
    assert.equal(ok(await csms.send(ID, 'ClearChargingProfile', { chargingProfileId: 501 }), 'ClearChargingProfile again').status, 'Unknown');
    await waitFor(() => txEvents(tap, txId, mark).length >= 2, 3000);
    // Energy is consistent with the reported power over the whole transaction so far, limit changes included.
    assertEnergyFollowsPower(txEvents(tap, txId));

    // ---- 4. GetVariables / SetVariables round trip (B05/B06).
    const hbVar = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    const get1 = ok(await csms.send(ID, 'GetVariables', { getVariableData: [hbVar] }), 'GetVariables');
    assert.deepEqual([get1.getVariableResult[0].attributeStatus, get1.getVariableResult[0].attributeValue], ['Accepted', '60']);
    const set = ok(await csms.send(ID, 'SetVariables', { setVariableData: [{ ...hbVar, attributeValue: '45' }] }), 'SetVariables');
    assert.equal(set.setVariableResult[0].attributeStatus, 'Accepted');
    const get2 = ok(await csms.send(ID, 'GetVariables', { getVariableData: [hbVar] }), 'GetVariables');
    assert.equal(get2.getVariableResult[0].attributeValue, '45');
    const badSet = ok(await csms.send(ID, 'SetVariables', { setVariableData: [{ ...hbVar, attributeValue: 'soon' }] }), 'SetVariables bad');
    assert.equal(badSet.setVariableResult[0].attributeStatus, 'Rejected', 'a non-integer interval is refused');

    // ---- 5. GetBaseReport → NotifyReport parts with seqNo 0..n, tbc on all but the last (B07).
    mark = tap.frames.length;
    assert.equal(ok(await csms.send(ID, 'GetBaseReport', { requestId: 77, reportBase: 'FullInventory' }), 'GetBaseReport').status, 'Accepted');
    const last = await expectCall(tap, mark, 'the last NotifyReport', (c) => c.action === 'NotifyReport' && c.payload.requestId === 77 && c.payload.tbc !== true);
    const parts = stationCalls(tap, mark).filter((c) => c.action === 'NotifyReport' && c.payload.requestId === 77 && c.index <= last.index);
    assert.ok(parts.length >= 2, `a full inventory comes in parts: ${parts.length}`);
    assert.deepEqual(parts.map((p) => p.payload.seqNo), parts.map((_p, i) => i));
    assert.ok(parts.slice(0, -1).every((p) => p.payload.tbc === true));
    const reported = parts.flatMap((p) => p.payload.reportData as Payload[]);
    assert.ok(reported.some((d) => d.component.name === 'OCPPCommCtrlr' && d.variable.name === 'HeartbeatInterval'
      && d.variableAttribute.some((a: Payload) => a.value === '45')), 'the report shows the value just set');
    assert.ok(await waitFor(() => csms.stats().reports.completed >= 1, 2000));

    // ---- 6. TriggerMessage produces the requested message (F06).
    for (const [requested, extra, check] of [
      ['StatusNotification', { evse: { id: 2 } }, (c: Seen) => c.action === 'StatusNotification' && c.payload.evseId === 2],
      ['MeterValues', { evse: { id: 1 } }, (c: Seen) => c.action === 'MeterValues' && c.payload.evseId === 1
        && c.payload.meterValue[0].sampledValue.every((s: Payload) => s.context === 'Trigger')],
      ['Heartbeat', {}, (c: Seen) => c.action === 'Heartbeat'],
    ] as const) {
      mark = tap.frames.length;
      assert.equal(ok(await csms.send(ID, 'TriggerMessage', { requestedMessage: requested, ...extra }), `TriggerMessage ${requested}`).status, 'Accepted');
      await expectCall(tap, mark, `triggered ${requested}`, check);
    }
    const trig = ok(await csms.send(ID, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 9 } }), 'TriggerMessage bad evse');
    assert.equal(trig.status, 'Rejected', 'an unknown EVSE is refused');

    // ---- 7. RequestStopTransaction ends the transaction (F03).
    mark = tap.frames.length;
    assert.equal(ok(await csms.send(ID, 'RequestStopTransaction', { transactionId: txId }), 'RequestStopTransaction').status, 'Accepted');
    const ended = await expectCall(tap, mark, 'TransactionEvent Ended', (c) => c.action === 'TransactionEvent' && c.payload.eventType === 'Ended');
    assert.equal(ended.payload.transactionInfo.transactionId, txId);
    assert.equal(ended.payload.triggerReason, 'RemoteStop');
    assert.equal(ended.payload.transactionInfo.stoppedReason, 'Remote');
    const all = txEvents(tap, txId);
    assert.deepEqual(all.map((e) => e.payload.seqNo), all.map((_e, i) => i), 'seqNo contiguous over the whole transaction');
    assertEnergyFollowsPower(all);
    assert.equal(ok(await csms.send(ID, 'RequestStopTransaction', { transactionId: txId }), 'stop again').status, 'Rejected');

    // ---- 8. ChangeAvailability Inoperative → Unavailable, Operative → Available (G03).
    mark = tap.frames.length;
    assert.equal(ok(await csms.send(ID, 'ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }), 'ChangeAvailability').status, 'Accepted');
    await expectCall(tap, mark, 'Unavailable', (c) => c.action === 'StatusNotification' && c.payload.evseId === 2 && c.payload.connectorStatus === 'Unavailable');
    const refused = ok(await csms.send(ID, 'RequestStartTransaction', { idToken: { idToken: 'REMOTE-2', type: 'Central' }, remoteStartId: 4712, evseId: 2 }), 'start on Inoperative');
    assert.equal(refused.status, 'Rejected', 'no remote start on an Inoperative EVSE');
    mark = tap.frames.length;
    assert.equal(ok(await csms.send(ID, 'ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } }), 'ChangeAvailability').status, 'Accepted');
    await expectCall(tap, mark, 'Available', (c) => c.action === 'StatusNotification' && c.payload.evseId === 2 && c.payload.connectorStatus === 'Available');

    // ---- 9. Reset → a new connection and BootNotification with reason RemoteReset (B11/B12).
    mark = tap.frames.length;
    const connsBefore = tap.connections;
    assert.equal(ok(await csms.send(ID, 'Reset', { type: 'Immediate' }), 'Reset').status, 'Accepted');
    const reboot = await expectCall(tap, mark, 'BootNotification after Reset', (c) => c.action === 'BootNotification', 4000);
    assert.equal(reboot.payload.reason, 'RemoteReset');
    assert.equal(tap.connections, connsBefore + 1, 'the reset station came back on a new connection');
    assert.ok(await waitFor(() => (csms.station(ID)?.boots ?? 0) === 2 && csms.station(ID)!.bootReason === 'RemoteReset', 2000));

    // ---- Everything on the wire, sweep included, was valid; the only CALLERRORs are the sweep's NotSupported/NotImplemented.
    const audit = auditFrames(tap.frames);
    assert.deepEqual(audit.stationProblems, []);
    assert.deepEqual(audit.csmsProblems, []);
    const unexpected = audit.errors.filter((e) => !/ CALLERROR (NotSupported|NotImplemented): /.test(e));
    assert.deepEqual(unexpected, []);
    assert.equal(audit.errors.length, Object.values(answers).filter((a) => a !== 'result').length);
    assert.deepEqual(csms.stats().protocolEvents, {});
  } finally {
    abort.abort();
    const run = await running;
    await tap.close();
    await csms.close();
    assert.deepEqual(Object.keys(run.snapshot.counters).filter((k) => k.startsWith('protocol_')), []);
  }
});
