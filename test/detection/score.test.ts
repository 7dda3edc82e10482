import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreDetection } from '../../src/detection/score.js';
import type { Alert, AttackInstance } from '../../src/detection/types.js';
import { alert, inst, s, T0 } from './helpers.js';

// A06 on CS-1: t_s = 100 s, t_e = 160 s, g = 60 s, δ = 2 s  →  W = [98 s, 220 s].
const a06 = inst('a06-1', 'A06', { stations: ['CS-1'] }, 100, 160);

test('an alert just before the window: inside δ it detects (latency 0), outside δ it is a false positive', () => {
  const inside = scoreDetection([a06], [alert('x', 98.5, 'token_brute_force', { stationId: 'CS-1' })]);
  assert.equal(inside.instances[0]!.detected, true);
  assert.equal(inside.instances[0]!.latencyMs, 0);
  assert.equal(inside.alerts.falsePositives, 0);

  const outside = scoreDetection([a06], [alert('x', 97, 'token_brute_force', { stationId: 'CS-1' })]);
  assert.equal(outside.instances[0]!.detected, false);
  assert.equal(outside.overall.fn, 1);
  assert.equal(outside.alerts.falsePositives, 1);
  assert.equal(outside.falsePositives[0]!.alertId, 'x');
});

test('window edges are inclusive: t_s − δ and t_e + g match, one millisecond later does not', () => {
  const edges = scoreDetection([a06], [alert('lo', 98, 'c', { stationId: 'CS-1' }), alert('hi', 220, 'c', { stationId: 'CS-1' })]);
  assert.equal(edges.alerts.matched, 2);
  const late: Alert = { alertId: 'late', ts: s(220) + 1, category: 'c', entity: { stationId: 'CS-1' } };
  assert.equal(scoreDetection([a06], [late]).alerts.falsePositives, 1);
  // A wider δ moves the window start.
  assert.equal(scoreDetection([a06], [alert('x', 97, 'c', { stationId: 'CS-1' })], { deltaMs: 5_000 }).overall.tp, 1);
});

test('an alert on another station, or in the right window on the wrong entity, is a false positive', () => {
  const r = scoreDetection([a06], [alert('x', 120, 'c', { stationId: 'CS-2' }), alert('y', 120, 'c', { ip: '10.0.0.1' })]);
  assert.equal(r.overall.tp, 0);
  assert.equal(r.alerts.falsePositives, 2);
});

test('repeats of a detected attack are duplicates, not false positives', () => {
  const r = scoreDetection([a06], [
    alert('a', 110, 'c', { stationId: 'CS-1' }),
    alert('b', 130, 'c', { stationId: 'CS-1' }),
    alert('c', 200, 'c', { stationId: 'CS-1' }),
  ]);
  const v = r.instances[0]!;
  assert.deepEqual([v.detected, v.firstAlertId, v.latencyMs, v.matchedAlerts, v.duplicates], [true, 'a', 10_000, 3, 2]);
  assert.deepEqual([r.alerts.matched, r.alerts.duplicates, r.alerts.falsePositives], [3, 2, 0]);
  assert.equal(r.overall.precision, 1);
  assert.equal(r.byType.A06!.duplicates, 2);
});

test('the first alert is the earliest, whatever the input order; the result does not depend on the order', () => {
  const alerts = [alert('late', 150, 'c', { stationId: 'CS-1' }), alert('early', 105, 'c', { stationId: 'CS-1' }), alert('fp', 300, 'c', { stationId: 'CS-1' })];
  const r = scoreDetection([a06], alerts);
  assert.equal(r.instances[0]!.firstAlertId, 'early');
  assert.equal(r.instances[0]!.latencyMs, 5_000);
  assert.deepEqual(scoreDetection([a06], [...alerts].reverse()), r);
});

test('fleet alerts match fleet-scope attacks and attacks touching at least k stations', () => {
  const a12 = inst('a12', 'A12', { fleet: true }, 0, 60);
  const a01 = inst('a01', 'A01', { stations: ['CS-1', 'CS-2', 'CS-3'] }, 1000, 1010);
  const a03 = inst('a03', 'A03', { stations: ['CS-4', 'CS-5'] }, 2000, 2010);
  const alerts = [
    alert('f1', 30, 'grid', { fleet: true }),
    alert('f2', 1005, 'flood', { fleet: true }),
    alert('f3', 2005, 'impersonation', { fleet: true }),
  ];
  const r = scoreDetection([a12, a01, a03], alerts);
  assert.deepEqual(r.instances.map((v) => v.detected), [true, true, false]);
  assert.deepEqual(r.falsePositives.map((a) => a.alertId), ['f3']);
  const k2 = scoreDetection([a12, a01, a03], alerts, { fleetMinStations: 2 });
  assert.deepEqual(k2.instances.map((v) => v.detected), [true, true, true]);
  // An alert that names no entity at all is about the fleet.
  const bare = scoreDetection([a12], [alert('b', 10, 'grid', {})]);
  assert.equal(bare.overall.tp, 1);
});

test('a fleet-scope attack takes alerts about any entity, unless told not to', () => {
  const a12 = inst('a12', 'A12', { fleet: true }, 0, 60);
  const station = [alert('s', 30, 'oscillation', { stationId: 'CS-77' })];
  assert.equal(scoreDetection([a12], station).overall.tp, 1);
  assert.equal(scoreDetection([a12], station, { fleetScopeMatchesAnyEntity: false }).overall.tp, 0);
});

test('an attack never detected is a miss: in recall, censored in latency', () => {
  const i1 = inst('a', 'A06', { stations: ['CS-1'] }, 0, 10);
  const i2 = inst('b', 'A06', { stations: ['CS-2'] }, 0, 10);
  const r = scoreDetection([i1, i2], [alert('x', 4, 'c', { stationId: 'CS-1' })]);
  const missed = r.instances[1]!;
  assert.deepEqual([missed.detected, missed.firstAlertId, missed.latencyMs, missed.matchedAlerts], [false, null, null, 0]);
  const t = r.byType.A06!;
  assert.deepEqual([t.tp, t.fn, t.recall], [1, 1, 0.5]);
  assert.equal(t.latency!.count, 1);
  assert.equal(t.latency!.max, 4_000);
});

test('strict mode requires a category allowed for the type', () => {
  const a01 = inst('a01', 'A01', { stations: ['CS-1'] }, 0, 10);
  const right = [alert('x', 5, 'MessageFlood', { stationId: 'CS-1' })];
  const wrong = [alert('x', 5, 'meter_anomaly', { stationId: 'CS-1' })];
  assert.equal(scoreDetection([a01], right, { strict: true }).overall.tp, 1);
  assert.equal(scoreDetection([a01], wrong).overall.tp, 1);
  const strict = scoreDetection([a01], wrong, { strict: true });
  assert.deepEqual([strict.overall.tp, strict.alerts.falsePositives], [0, 1]);
  // The type id is always a valid category; a scenario's rows replace the defaults.
  assert.equal(scoreDetection([a01], [alert('x', 5, 'A01', { stationId: 'CS-1' })], { strict: true }).overall.tp, 1);
  assert.equal(scoreDetection([a01], right, { strict: true, categories: { A01: ['ddos'] } }).overall.tp, 0);
});

test('precision, composite F and latency percentiles on a hand-computed case', () => {
  // 4 A06 instances; 3 detected at 5 s, 10 s, 30 s after t_s; one duplicate; 2 false positives.
  const instances = [0, 1, 2, 3].map((n) => inst(`i${n}`, 'A06', { stations: [`CS-${n}`] }, 1000 * n, 1000 * n + 60));
  const alerts = [
    alert('d0', 5, 'c', { stationId: 'CS-0' }),
    alert('d1', 1010, 'c', { stationId: 'CS-1' }),
    alert('d2', 2030, 'c', { stationId: 'CS-2' }),
    alert('dup', 2040, 'c', { stationId: 'CS-2' }),
    alert('fp1', 500, 'token_enumeration', { stationId: 'CS-0' }),
    alert('fp2', 5000, 'c', { stationId: 'CS-9' }),
  ];
  const r = scoreDetection(instances, alerts);
  const o = r.overall;
  assert.deepEqual([o.tp, o.fn, o.fp, o.matchedAlerts, o.duplicates], [3, 1, 2, 4, 1]);
  assert.equal(o.recall, 0.75);
  assert.equal(o.precision, 0.666667); // 4 / 6
  assert.equal(o.f, 0.705882); // 2·(2/3)·(3/4) / (2/3 + 3/4) = 12/17
  assert.equal(o.macroRecall, 0.75);
  assert.deepEqual([o.latency!.p50, o.latency!.p95, o.latency!.max], [10_000, 30_000, 30_000]);
  // Only fp1's category names A06: per-type FP and precision count it alone.
  assert.equal(r.byType.A06!.fp, 1);
  assert.equal(r.byType.A06!.precision, 0.8);
});

test('macro recall averages per-type recall; one alert may detect two overlapping attacks', () => {
  const i1 = inst('a', 'A06', { stations: ['CS-1'] }, 0, 10);
  const i2 = inst('b', 'A02', { stations: ['CS-1'], ips: ['10.0.0.1'] }, 0, 10);
  const i3 = inst('c', 'A02', { ips: ['10.0.0.2'] }, 0, 10);
  const r = scoreDetection([i1, i2, i3], [alert('x', 5, 'c', { stationId: 'CS-1' })]);
  assert.deepEqual(r.instances.map((v) => v.detected), [true, true, false]);
  assert.deepEqual([r.alerts.matched, r.alerts.duplicates], [1, 0]);
  assert.equal(r.byType.A06!.recall, 1);
  assert.equal(r.byType.A02!.recall, 0.5);
  assert.equal(r.overall.macroRecall, 0.75);
  assert.equal(r.overall.recall, 0.666667);
});

test('false alarms per hour and per 1,000 station-hours; warm-up alerts are ignored', () => {
  const run = { startMs: T0, endMs: T0 + 2 * 3_600_000, stations: 500 };
  const fps = [alert('a', 100, 'c', { stationId: 'CS-1' }), alert('b', 200, 'c', { stationId: 'CS-2' }), alert('c', 4000, 'c', { fleet: true })];
  const r = scoreDetection([], fps, { run });
  assert.deepEqual(r.falseAlarms, { count: 3, hours: 2, perHour: 1.5, per1kStationHours: 3 });
  assert.equal(r.overall.recall, null);
  assert.equal(r.overall.precision, 0);
  // 30 min warm-up: the first two alerts are not scored, 1.5 h remain.
  const warm = scoreDetection([], fps, { run: { ...run, scoreFromMs: T0 + 1_800_000 } });
  assert.deepEqual(warm.falseAlarms, { count: 1, hours: 1.5, perHour: 0.666667, per1kStationHours: 1.333333 });
  assert.equal(warm.alerts.ignored, 2);
  assert.deepEqual(scoreDetection([], fps).falseAlarms, { count: 3, hours: null, perHour: null, per1kStationHours: null });
});

test('faults: maintenance alerts on F01/F02 are not FPs; security alerts on them and anything on F03/F04 are', () => {
  const f01 = inst('f01', 'F01', { stations: ['CS-9'] }, 0, 100);
  const f03 = inst('f03', 'F03', { stations: ['CS-8'] }, 0, 100);
  const alerts = [
    alert('m', 50, 'MeterFault', { stationId: 'CS-9' }),
    alert('s', 60, 'energy_theft', { stationId: 'CS-9' }),
    alert('b', 70, 'maintenance', { stationId: 'CS-8' }),
  ];
  const r = scoreDetection([f01, f03], alerts);
  assert.deepEqual([r.alerts.maintenance, r.alerts.falsePositives], [1, 2]);
  assert.deepEqual(r.falsePositives.map((a) => a.alertId), ['s', 'b']);
  assert.deepEqual(r.hardNegatives.map((h) => [h.id, h.cls, h.maintenanceAlerts, h.otherAlerts]), [['f01', 'fault', 1, 1], ['f03', 'benign', 0, 1]]);
  assert.equal(r.instances.length, 0);
  assert.equal(r.byType.A08!.fp, 1);
  const together = scoreDetection([f01, f03], alerts, { scoreFaultsSeparately: false });
  assert.deepEqual([together.alerts.maintenance, together.alerts.falsePositives], [0, 3]);
});

test('token scopes match raw and hashed idTokens', () => {
  const a07 = inst('a07', 'A07', { tokens: ['04A1B2C3'] }, 0, 10);
  const hashToken = (t: string): string => `h:${t.toLowerCase()}`;
  assert.equal(scoreDetection([a07], [alert('x', 5, 'c', { idToken: '04A1B2C3' })]).overall.tp, 1);
  const hashed = [alert('x', 5, 'c', { idTokenHash: 'h:04a1b2c3' })];
  assert.equal(scoreDetection([a07], hashed).overall.tp, 0);
  assert.equal(scoreDetection([a07], hashed, { hashToken }).overall.tp, 1);
});

test('NAB-style score: 100 for detection at the window start, 0 for none, less for late ones and FPs', () => {
  const i = inst('a', 'A06', { stations: ['CS-1'] }, 100, 160);
  assert.equal(scoreDetection([i], [alert('x', 98, 'c', { stationId: 'CS-1' })]).nab!.normalized, 100);
  assert.equal(scoreDetection([i], []).nab!.normalized, 0);
  const late = scoreDetection([i], [alert('x', 200, 'c', { stationId: 'CS-1' })]).nab!.normalized!;
  assert.ok(late > 60 && late < 80, String(late)); // y = (200 − 220)/122: σ ≈ 0.39 → ≈ 69.9
  const withFp = scoreDetection([i], [alert('x', 98, 'c', { stationId: 'CS-1' }), alert('y', 5000, 'c', { stationId: 'CS-1' })]).nab!.normalized!;
  assert.ok(withFp < 100 && withFp > 90, String(withFp));
  assert.equal(scoreDetection([i], [], { nab: false }).nab, null);
});

test('100k alerts against 2,000 windows score in well under a second', () => {
  const instances: AttackInstance[] = [];
  for (let n = 0; n < 2000; n++) instances.push(inst(`i${n}`, 'A06', { stations: [`CS-${n % 500}`] }, n * 10, n * 10 + 30));
  const alerts: Alert[] = [];
  for (let n = 0; n < 100_000; n++) alerts.push({ alertId: `a${n}`, ts: T0 + n * 200, category: 'c', entity: { stationId: `CS-${n % 700}` } });
  const t = performance.now();
  const r = scoreDetection(instances, alerts);
  const ms = performance.now() - t;
  assert.equal(r.alerts.matched + r.alerts.falsePositives, 100_000);
  assert.ok(ms < 1500, `${ms} ms`);
});
