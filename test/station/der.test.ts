// DER control (FLOWS.md §5.4): the station's control store (defaults vs scheduled, priority and superseding, windows,
// ReportDERControl parts), and the round trip against the embedded CSMS through the tap — SetDERControl,
// GetDERControl + ReportDERControl, ClearDERControl, NotifyDERStartStop at the window edges, NotifyDERAlarm on grid
// excursions, controls surviving a reboot — then the same scenario against a 2.0.1-only CSMS, skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Payload } from '../../src/ocpp/session.js';
import { peekUseCaseState } from '../../src/csms/usecases/state.js';
import { DerControlStore, reportParts } from '../../src/station/usecases/der-store.js';
import { auditFrames } from '../support/audit.js';
import { runAgainstEmbedded } from '../support/embedded-run.js';
import { schemaErrors } from './schema-helper.js';

const T0 = Date.UTC(2025, 2, 1, 17, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const droop = (priority: number, extra: Payload = {}) => ({ priority, overFreq: 50.2, underFreq: 49.8, overDroop: 5, underDroop: 5, responseTime: 2, ...extra });
const curve = (priority: number, extra: Payload = {}) => ({ priority, yUnit: 'PctMaxW', curveData: [{ x: 106, y: 100 }, { x: 110, y: 0 }], ...extra });

test('store: settings must match the type, defaults-only types, same id replaces', () => {
  const s = new DerControlStore();
  assert.equal(s.set({ isDefault: true, controlId: 'a', controlType: 'FreqDroop', freqDroop: droop(1) }, T0).status, 'Accepted');
  assert.equal(s.set({ isDefault: true, controlId: 'b', controlType: 'FreqDroop', curve: curve(1) }, T0).statusInfo?.reasonCode, 'InvalidValue');
  assert.equal(s.set({ isDefault: true, controlId: 'c', controlType: 'VoltWatt' }, T0).status, 'Rejected');
  assert.equal(s.set({ isDefault: false, controlId: 'd', controlType: 'Gradients', gradient: { priority: 1, gradient: 1, softGradient: 1 } }, T0).status, 'Rejected');
  assert.equal(s.set({ isDefault: true, controlId: 'd', controlType: 'Gradients', gradient: { priority: 1, gradient: 1, softGradient: 1 } }, T0).status, 'Accepted');
  assert.equal(s.set({ isDefault: true, controlId: 'a', controlType: 'FreqDroop', freqDroop: droop(3) }, T0).status, 'Accepted');
  assert.equal(s.size, 2);
  assert.equal(s.find({ controlId: 'a' })[0]!.priority, 3);
});

test('store: the lowest priority number wins where windows overlap; the losers are superseded; defaults yield to running controls', () => {
  const s = new DerControlStore();
  s.set({ isDefault: true, controlId: 'def2', controlType: 'VoltWatt', curve: curve(2) }, T0);
  const r = s.set({ isDefault: true, controlId: 'def1', controlType: 'VoltWatt', curve: curve(1) }, T0);
  assert.deepEqual(r.supersededIds, ['def2']);
  // A worse newcomer is stored but superseded at once (nothing newly superseded by it).
  assert.equal(s.set({ isDefault: true, controlId: 'def5', controlType: 'VoltWatt', curve: curve(5) }, T0).supersededIds, undefined);
  assert.deepEqual(s.find({ isDefault: true }).map((c) => [c.id, c.superseded]), [['def2', true], ['def1', false], ['def5', true]]);
  // Scheduled windows: [T0+10s, +20s) and [T0+30s, +10s) do not overlap: neither is superseded.
  s.set({ isDefault: false, controlId: 's1', controlType: 'VoltWatt', curve: curve(4, { startTime: iso(T0 + 10_000), duration: 20 }) }, T0);
  s.set({ isDefault: false, controlId: 's2', controlType: 'VoltWatt', curve: curve(9, { startTime: iso(T0 + 30_000), duration: 10 }) }, T0);
  assert.deepEqual(s.find({ isDefault: false }).map((c) => c.superseded), [false, false]);
  const s3 = s.set({ isDefault: false, controlId: 's3', controlType: 'VoltWatt', curve: curve(1, { startTime: iso(T0 + 25_000), duration: 10 }) }, T0);
  assert.deepEqual(s3.supersededIds, ['s1', 's2']);
  assert.equal(s.active('VoltWatt', T0)!.id, 'def1');
  assert.equal(s.active('VoltWatt', T0 + 26_000)!.id, 's3');
  assert.equal(s.active('VoltWatt', T0 + 40_000)!.id, 'def1');
  assert.deepEqual(s.running(T0 + 26_000).map((c) => c.id), ['s3']);
  assert.equal(s.nextTransition(T0), T0 + 10_000);
  assert.equal(s.nextTransition(T0 + 26_000), T0 + 30_000);
  assert.deepEqual(s.supersededBy(s.find({ controlId: 's3' })[0]!).sort(), ['s1', 's2']);
  // Clearing the winner revives the others.
  assert.deepEqual(s.clear({ isDefault: false, controlId: 's3' }).map((c) => c.id), ['s3']);
  assert.deepEqual(s.find({ isDefault: false }).map((c) => c.superseded), [false, false]);
  assert.deepEqual(s.clear({ isDefault: true, controlType: 'FreqDroop' }), []);
  assert.equal(s.purgeEnded(T0 + 35_000), 1, 'a scheduled control is forgotten once its window ended');
  assert.deepEqual(s.find({ isDefault: false }).map((c) => c.id), ['s2']);
  assert.equal(s.clear({ isDefault: true }).length, 3);
});

test('ReportDERControl parts: grouped by settings kind, ≤ 24 per array, tbc on all but the last, schema-valid', () => {
  const s = new DerControlStore();
  for (let i = 0; i < 30; i++) s.set({ isDefault: true, controlId: `vw-${i}`, controlType: 'VoltWatt', curve: curve(i) }, T0);
  s.set({ isDefault: true, controlId: 'es', controlType: 'EnterService', enterService: { priority: 0, highVoltage: 253, lowVoltage: 207, highFreq: 50.1, lowFreq: 49.9 } }, T0);
  s.set({ isDefault: true, controlId: 'pf', controlType: 'FixedPFInject', fixedPFInject: { priority: 0, displacement: 0.95, excitation: true } }, T0);
  s.set({ isDefault: false, controlId: 'lmd', controlType: 'LimitMaxDischarge', limitMaxDischarge: { priority: 0, pctMaxDischargePower: 50, startTime: iso(T0), duration: 60 } }, T0);
  const parts = reportParts(42, s.all());
  assert.equal(parts.length, 2);
  assert.deepEqual(parts.map((p) => p.tbc), [true, undefined]);
  assert.equal(parts[0]!.curve.length, 24);
  assert.equal(parts[1]!.curve.length, 6);
  assert.deepEqual(parts[1]!.enterService, [{ id: 'es', enterService: s.find({ controlId: 'es' })[0]!.settings }]);
  assert.equal(parts[1]!.fixedPFInject[0].fixedPF.excitation, true);
  assert.equal(parts[1]!.limitMaxDischarge[0].isDefault, false);
  assert.equal(parts[0]!.curve[0].curveType, 'VoltWatt');
  for (const p of parts) assert.equal(schemaErrors('ReportDERControlRequest', p), null);
});

const TEXT = `
name: der-acceptance
seed: 9
callTimeout: 3s
stations:
  - name: der
    count: 3
    behaviour: v2x
    evse: { type: AC, maxKw: 11 }
    v2x: { gridEvents: { every: 1s, probability: 0.5, duration: 600ms } }
sessions: { arrivalsPerEvsePerHour: 0 }
phases:
  - { duration: 0s, target: 100% }
  - { duration: 12s, target: 100% }
drainTimeout: 2s
csms:
  commands:
    - { at: 1s, action: SetDERControl, params: { controlType: FreqDroop, priority: 2 } }
    - { at: 1500ms, action: SetDERControl, params: { controlType: VoltWatt } }
    - { at: 2s, action: SetDERControl, params: { controlType: LimitMaxDischarge, isDefault: false, startIn: 1s, duration: 2s } }
    - { at: 2500ms, action: SetDERControl, params: { controlType: EnterService, isDefault: false } }
    - { at: 3s, action: SetDERControl, params: { controlType: FreqDroop, priority: 1 } }
    - { at: 4s, action: GetDERControl }
    - { at: 6s, action: Reset, params: { type: Immediate } }
    - { at: 9s, action: GetDERControl, params: { isDefault: true } }
    - { at: 10s, action: ClearDERControl, params: { controlType: FreqDroop } }
    - { at: 10500ms, action: ClearDERControl, params: { controlType: FreqDroop } }
    - { at: 11s, action: GetDERControl, params: { controlType: WattPF } }
`;

interface Exchange { at: number; payload: Payload; result?: Payload }

test('DER round trip against the embedded CSMS (2.1): set, supersede, report, start/stop, alarms, reboot, clear', async () => {
  const { run, csms, frames } = await runAgainstEmbedded(TEXT);
  const audit = auditFrames(frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), []);
  assert.deepEqual(audit.csmsProblems.slice(0, 10), []);
  assert.deepEqual(audit.errors, []);

  // Per station identity: the CSMS's DER calls with their results, and the station's DER notifications.
  const calls = new Map<string, Map<string, Exchange[]>>();
  const open = new Map<string, Exchange>();
  const notes = new Map<string, { action: string; at: number; p: Payload }[]>();
  for (const f of frames) {
    const fr = f.frame;
    if (!fr) continue;
    if (f.dir === 'toStation' && fr.type === 2) {
      const ex: Exchange = { at: f.atMs, payload: fr.payload as Payload };
      open.set(`${f.conn}|${fr.id}`, ex);
      const byAction = calls.get(f.identity) ?? new Map<string, Exchange[]>();
      calls.set(f.identity, byAction);
      byAction.set(fr.action, [...(byAction.get(fr.action) ?? []), ex]);
    } else if (f.dir === 'toCsms' && fr.type === 3) {
      const ex = open.get(`${f.conn}|${fr.id}`);
      if (ex) ex.result = fr.payload as Payload;
    } else if (f.dir === 'toCsms' && fr.type === 2 && fr.action.includes('DER')) {
      notes.set(f.identity, [...(notes.get(f.identity) ?? []), { action: fr.action, at: f.atMs, p: fr.payload as Payload }]);
    }
  }
  assert.equal(calls.size, 3);
  let alarms = 0;
  for (const [id, byAction] of calls) {
    const set = byAction.get('SetDERControl')!;
    assert.deepEqual(set.map((x) => x.result?.status), ['Accepted', 'Accepted', 'Accepted', 'Rejected', 'Accepted'], id);
    const [droop2, , lmd, , droop1] = set;
    assert.deepEqual(droop1!.result!.supersededIds, [droop2!.payload.controlId], `${id}: the priority-1 FreqDroop supersedes the priority-2 one`);
    const mine = notes.get(id) ?? [];

    // NotifyDERStartStop at the scheduled window's edges (startIn 1s, duration 2s).
    const startMs = Date.parse(lmd!.payload.limitMaxDischarge.startTime);
    const ss = mine.filter((n) => n.action === 'NotifyDERStartStop' && n.p.controlId === lmd!.payload.controlId);
    assert.deepEqual(ss.map((n) => n.p.started), [true, false], `${id}: start/stop`);
    assert.ok(Math.abs(Date.parse(ss[0]!.p.timestamp) - startMs) < 150, `${id}: started at ${ss[0]!.p.timestamp}`);
    assert.ok(Math.abs(Date.parse(ss[1]!.p.timestamp) - (startMs + 2000)) < 150, `${id}: stopped at ${ss[1]!.p.timestamp}`);

    // GetDERControl → ReportDERControl with the same requestId; after the reboot the defaults are still there.
    const gets = byAction.get('GetDERControl')!;
    assert.deepEqual(gets.map((x) => x.result?.status), ['Accepted', 'Accepted', 'NotFound'], id);
    const reports = mine.filter((n) => n.action === 'ReportDERControl');
    assert.equal(reports.length, 2, `${id}: one report part per accepted request`);
    const [all, defaults] = reports.map((n) => n.p);
    assert.equal(all!.requestId, gets[0]!.payload.requestId);
    assert.deepEqual(all!.freqDroop.map((e: Payload) => [e.id, e.isSuperseded]), [[droop2!.payload.controlId, true], [droop1!.payload.controlId, false]]);
    assert.equal(all!.curve[0].curveType, 'VoltWatt');
    assert.equal(all!.limitMaxDischarge[0].id, lmd!.payload.controlId);
    assert.equal(defaults!.requestId, gets[1]!.payload.requestId);
    assert.ok(defaults!.freqDroop.length === 2 && defaults!.curve.length === 1 && defaults!.limitMaxDischarge === undefined, `${id}: defaults survive the reboot`);
    assert.ok(byAction.get('Reset')![0]!.result?.status === 'Accepted');
    assert.ok(gets[1]!.at > byAction.get('Reset')![0]!.at);
    assert.deepEqual(byAction.get('ClearDERControl')!.map((x) => x.result?.status), ['Accepted', 'NotFound']);

    // Grid excursions: each alarm names a watching control type and ends with alarmEnded.
    const raised = mine.filter((n) => n.action === 'NotifyDERAlarm' && n.p.alarmEnded !== true);
    const ended = mine.filter((n) => n.action === 'NotifyDERAlarm' && n.p.alarmEnded === true);
    alarms += raised.length;
    assert.ok(ended.length >= raised.length - 1 && ended.length <= raised.length, `${id}: ${raised.length} raised, ${ended.length} ended`);
    for (const a of raised) {
      assert.ok(['OverVoltage', 'UnderVoltage', 'OverFrequency', 'UnderFrequency'].includes(a.p.gridEventFault));
      if (a.p.gridEventFault === 'OverVoltage' && a.at > set[1]!.at + 50) assert.equal(a.p.controlType, 'VoltWatt', `${id}: the active VoltWatt default watches over-voltage`);
    }
    const u = peekUseCaseState(csms.station(id));
    assert.ok(u && u.derReported.has(droop1!.payload.controlId) && u.derRunning.size === 0, `${id}: CSMS state`);
    assert.equal(u.alarms, raised.length);
  }
  assert.ok(alarms >= 3, `${alarms} alarms`);
  assert.equal(run.counter('der_controls_set'), 12);
  assert.equal(run.counter('der_reports'), 6);
  assert.equal(run.counter('der_alarms'), alarms);
  assert.ok(run.counter('der_start_stop') >= 6);
  const s = csms.stats();
  assert.equal(s.commands.SetDERControl!.outcomes.Accepted, 12);
  assert.equal(s.useCases['der.reports'], 6);
});

test('DER against a 2.0.1-only CSMS: no DER frames, commands skipped, alarms counted as skipped', async () => {
  const { run, csms, frames } = await runAgainstEmbedded(TEXT, ['ocpp2.0.1']);
  const audit = auditFrames(frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), []);
  assert.deepEqual(audit.csmsProblems.slice(0, 10), []);
  assert.ok(frames.length > 0 && frames.every((f) => f.protocol === 'ocpp2.0.1' && !f.text.includes('DERControl') && !f.text.includes('NotifyDER')));
  const cmds = csms.stats().commands;
  for (const a of ['SetDERControl', 'GetDERControl', 'ClearDERControl']) {
    assert.ok(cmds[a]!.skipped > 0 && cmds[a]!.sent === 0, `${a}: ${JSON.stringify(cmds[a])}`);
  }
  assert.equal(cmds.Reset!.outcomes.Accepted, 3);
  assert.ok(run.counter('usecase_skipped_201') >= 1, 'grid alarms are counted as skipped');
  // Each alarm raised and each end of one is a NotifyDERAlarm not sent.
  assert.ok(run.counter('usecase_skipped_201') >= run.counter('der_alarms'));
});
