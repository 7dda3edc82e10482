import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEASUREMENTS } from '../../bench/lib/args.js';
import { ceilingArgv, csmsArgv, planFor, rowsFor, runArgv, type ChargestormOutcome, type Outcome } from '../../bench/lib/plans.js';
import type { CeilingResult, PointLike } from '../../bench/lib/figures.js';

const ceiling = (over: Partial<CeilingResult> = {}): Outcome<CeilingResult> => ({
  ok: true, value: { conns: 1000, procs: 1, serverProcs: 1, connectPerS: 6000, roundTripsPerS: 30_000, p50us: 1, p99us: 2, clientKiBPerConn: 20, ...over },
});
const pt = (connected: number, calls: number): PointLike => ({ ms: 1000, calls, errors: 0, gauges: { stations_connected: connected } });
const outcome = (points: PointLike[], rssKiB = 0, csmsPeakConnected: number | null = null): Outcome<ChargestormOutcome> => ({
  ok: true,
  value: { summary: { series: { points } }, generator: { rssKiB, cpuS: 1, processes: 1 }, csms: { rssKiB: 1, cpuS: 1, processes: 1 }, csmsPeakConnected, wallS: 1 },
});

test('every measurement has a bounded plan, and quick plans are smaller', () => {
  for (const name of MEASUREMENTS) {
    const full = planFor(name, false);
    const quick = planFor(name, true);
    assert.ok(quick.stations <= full.stations, name);
    assert.ok(full.runTimeoutMs > 0 && full.runTimeoutMs <= 600_000, name);
    assert.ok(full.ceilingTimeoutMs > 0 && full.ceilingTimeoutMs <= 600_000, name);
    assert.equal(full.ceiling.conns, full.stations, name);
    assert.equal(full.scenario, `bench/scenarios/${name}.yaml`);
  }
  const hold = planFor('hold-100k', false);
  assert.equal(hold.stations, 100_000);
  assert.equal(hold.procs, 7);
  assert.equal(hold.csmsWorkers, 7);
  assert.deepEqual(hold.ceiling, { conns: 100_000, seconds: 5, procs: 7, serverProcs: 7 });
  assert.equal(planFor('hold-100k', true).stations, 5000);
  assert.equal(planFor('calls-10k', false).csmsWorkers, 1);
});

test('command lines: ceiling with its processes, CSMS on port 0, run against the target with the plan\'s overrides', () => {
  assert.deepEqual(ceilingArgv('../c.mjs', { conns: 10, seconds: 2, procs: 1, serverProcs: 1 }),
    ['../c.mjs', '--conns', '10', '--seconds', '2', '--procs', '1', '--server-procs', '1']);
  const hold = planFor('hold-100k', true);
  assert.deepEqual(csmsArgv(hold), ['bin/chargestorm.js', 'csms', '--port', '0', '--stats-every', '1',
    '--scenario', 'bench/scenarios/hold-100k.yaml', '--heartbeat', '5']);
  assert.deepEqual(csmsArgv(planFor('hold-100k', false)).slice(6, 8), ['--workers', '7']);
  assert.deepEqual(runArgv(hold, 'ws://127.0.0.1:1/ocpp', '/tmp/s.json'), ['bin/chargestorm.js', 'run', 'bench/scenarios/hold-100k.yaml',
    '--quiet', '--no-color', '--target', 'ws://127.0.0.1:1/ocpp', '--summary-export', '/tmp/s.json', '--stations', '5000', '--duration', '20s', '--procs', '1']);
});

test('calls rows compare steady calls/s with round trips/s', () => {
  const [r] = rowsFor(planFor('calls-1k', false), outcome([pt(500, 1), pt(1000, 1), pt(1000, 24_000), pt(1000, 24_000), pt(1000, 1), pt(0, 0)]), ceiling());
  assert.equal(r!.chargestorm, 24_000);
  assert.equal(r!.ceiling, 30_000);
  assert.equal(r!.ratio, 0.8);
  assert.equal(r!.pass, true);
  assert.equal(r!.note, undefined);
});

test('a failed side gives n/a with the reason in the note', () => {
  const [r] = rowsFor(planFor('calls-10k', true), { ok: false, error: 'run exited 104: unknown key' }, ceiling());
  assert.equal(r!.chargestorm, null);
  assert.equal(r!.pass, null);
  assert.match(r!.note!, /^chargestorm: run exited 104/);
  assert.match(r!.label, /2,000 stations \(quick\)/);
  const [c] = rowsFor(planFor('calls-1k', false), outcome([pt(5, 1), pt(5, 1)]), { ok: false, error: 'timed out' });
  assert.equal(c!.ceiling, null);
  assert.equal(c!.note, 'ceiling: timed out');
});

test('hold rows: stations held against the count, KiB per station from the sampled RSS', () => {
  const rows = rowsFor(planFor('hold-100k', true), outcome([pt(2500, 0), pt(5000, 0), pt(5000, 0)], 150_000), ceiling({ conns: 5000, clientKiBPerConn: 25 }));
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.chargestorm, 5000);
  assert.equal(rows[0]!.pass, true);
  assert.equal(rows[1]!.chargestorm, 30);
  assert.equal(rows[1]!.ratio, 1.2);
  assert.equal(rows[1]!.pass, true);
});

test('hold rows take the stations held from the CSMS\'s own count when it printed one', () => {
  const [held] = rowsFor(planFor('hold-100k', true), outcome([pt(5000, 0)], 150_000, 4990), ceiling({ conns: 5000 }));
  assert.equal(held!.chargestorm, 4990);
  assert.equal(held!.pass, false);
});

test('connect-rate row: absolute target, lower-bound note for short ramps', () => {
  const [r] = rowsFor(planFor('connect-rate', true), outcome([pt(3000, 0), pt(5000, 0)]), ceiling());
  assert.equal(r!.chargestorm, 3000);
  assert.equal(r!.pass, false);
  assert.match(r!.note!, /lower bound/);
});
