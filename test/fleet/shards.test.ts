/**
 * The sharding acceptance test (issue: "Scale and measurement → Across machines"): three `chargestorm run
 * --shard i/3` processes with a common `--start-at`, one unsharded run of the same scenario, and `chargestorm
 * merge` of the three. Each of the two runs has its own CSMS (in this process), so the same station ids never
 * meet on one server.
 *
 * What is compared, and why it is deterministic: fixtures/scenarios/shard-sessions.yaml fixes the plan (60
 * stations, ids and identities from (seed, global index)) and gives every EVSE exactly one session that starts
 * well inside the run and ends only when the run stops the station. So the number of stations, connects,
 * BootNotifications, StatusNotifications, Authorizes, TransactionEvents, transactions started and ended follow
 * from the plan alone, and the merged shards must equal the unsharded run exactly. Not compared, because they
 * depend on timing: latency values, energy delivered (charging time), run duration and rates, per-second
 * series, and gauge peaks (a sum of peaks taken at different instants).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { createExecutor } from '../../src/fleet/executors.js';
import { planStations } from '../../src/fleet/plan.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { WorkloadSpec } from '../../src/scenario/spec.js';
import type { StationSink } from '../../src/station/context.js';
import type { Station } from '../../src/station/station.js';
import { ManualClock } from '../../src/util/clock.js';
import { Rng, mixSeed } from '../../src/util/rng.js';
import { Timeline } from '../../src/util/timeline.js';
import { assertExit, readJson, repoRoot, runCli, startCli, tempDir, type CliResult } from '../cli/helpers.js';

const FILE = 'fixtures/scenarios/shard-sessions.yaml';
const SHARDS = 3;
const RUN_TIMEOUT_MS = 40_000;
const T0 = Date.UTC(2026, 0, 1);

/** A CSMS that remembers how often each identity connected. */
async function countingCsms(): Promise<{ csms: Csms; connects: Map<string, number> }> {
  const connects = new Map<string, number>();
  const csms = await startCsms({
    port: 0,
    spec: { heartbeatInterval: 3600 },
    observer: { connection(id, open) { if (open) connects.set(id, (connects.get(id) ?? 0) + 1); } },
  });
  return { csms, connects };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('3 shards as separate processes, merged, equal one unsharded run', () => {
  const tmp = tempDir();
  const spec = loadScenarioFile(`${repoRoot}${FILE}`);
  const plan = planStations(spec);
  const evses = plan.reduce((n, st) => n + st.group.evses.length, 0);
  let sharded: { csms: Csms; connects: Map<string, number> };
  let whole: { csms: Csms; connects: Map<string, number> };
  let runs: CliResult[] = [];
  let merge: CliResult;
  let shardFiles: string[] = [];
  let shards: Json[] = [];
  let merged: Json;
  let single: Json;
  let startAt = 0;

  before(async () => {
    sharded = await countingCsms();
    whole = await countingCsms();
    // Far enough ahead for four node processes to load and check the scenario.
    startAt = Date.now() + 3000;
    shardFiles = Array.from({ length: SHARDS }, (_, i) => tmp.file(`shard-${i}.json`));
    const common = ['--start-at', String(startAt), '--quiet'];
    const procs = [
      ...shardFiles.map((f, i) => startCli(['run', FILE, '--target', `${sharded.csms.url}/ocpp`, '--shard', `${i}/${SHARDS}`, '--summary-export', f, ...common], RUN_TIMEOUT_MS)),
      startCli(['run', FILE, '--target', `${whole.csms.url}/ocpp`, '--summary-export', tmp.file('whole.json'), ...common], RUN_TIMEOUT_MS),
    ];
    runs = await Promise.all(procs.map((p) => p.done));
    for (const r of runs) assertExit(r, 0);
    merge = await runCli(['merge', ...shardFiles, '--summary-export', tmp.file('merged.json'), '--quiet']);
    assertExit(merge, 0);
    shards = shardFiles.map((f) => readJson(f));
    merged = readJson(tmp.file('merged.json'));
    single = readJson(tmp.file('whole.json'));
  });

  after(async () => {
    await Promise.all([sharded?.csms.close(), whole?.csms.close()]);
    tmp.cleanup();
  });

  test('each shard ran its own third of the plan; the merge covers all three', () => {
    assert.deepEqual(shards.map((s) => s.execution.shard), ['0/3', '1/3', '2/3']);
    assert.deepEqual(shards.map((s) => s.run.stations), [20, 20, 20]);
    assert.equal(merged.execution.shard, '0,1,2/3');
    assert.deepEqual(merged.merged.missing, []);
    assert.equal(merge.stderr, '', 'no warnings');
  });

  test('no station connected before the common --start-at, in any process', () => {
    for (const { csms } of [sharded, whole]) {
      for (const st of plan) {
        const at = csms.station(st.id)?.connectedMs ?? 0;
        assert.ok(at >= startAt, `${st.id} connected at ${at}, ${startAt - at} ms before --start-at`);
      }
    }
  });

  test('plan-deterministic counts: merged = unsharded, exactly', () => {
    assert.equal(merged.run.stations, single.run.stations);
    assert.equal(single.run.stations, plan.length);
    assert.deepEqual(Object.keys(merged.actions), Object.keys(single.actions));
    for (const a of Object.keys(single.actions)) {
      assert.equal(merged.actions[a].count, single.actions[a].count, `${a} count`);
      assert.equal(merged.actions[a].ok, single.actions[a].ok, `${a} ok`);
      assert.equal(merged.actions[a].failed, 0, `${a} failed`);
    }
    assert.equal(merged.calls.count, single.calls.count);
    assert.deepEqual(
      [merged.connect.attempts, merged.connect.ok, merged.connect.failed],
      [single.connect.attempts, single.connect.ok, single.connect.failed],
    );
    for (const c of ['tx_started', 'tx_ended', 'boot_accepted']) assert.equal(merged.counters[c]?.count, single.counters[c]?.count, c);
    assert.deepEqual(merged.incoming, single.incoming);
    // And what the plan says they are: one boot per station, one session (and one Authorize) per EVSE.
    assert.equal(single.actions.BootNotification.count, plan.length);
    assert.equal(single.connect.ok, plan.length);
    assert.equal(single.counters.tx_started.count, evses);
    assert.equal(single.counters.tx_ended.count, evses);
    assert.equal(single.actions.Authorize.count, evses);
  });

  test('merged histogram totals are the sums of the shards\' (and extremes their extremes)', () => {
    const sum = (pick: (s: Json) => number): number => shards.reduce((n, s) => n + pick(s), 0);
    for (const a of Object.keys(merged.snapshot.calls)) {
      for (const h of ['latency', 'service']) {
        const total = sum((s) => s.snapshot.calls[a]?.[h].count ?? 0);
        assert.equal(merged.snapshot.calls[a][h].count, total, `${a} ${h}`);
        assert.equal(merged.snapshot.calls[a][h].sumUs, sum((s) => s.snapshot.calls[a]?.[h].sumUs ?? 0), `${a} ${h} sum`);
        assert.equal(merged.snapshot.calls[a][h].maxUs, Math.max(...shards.map((s) => s.snapshot.calls[a]?.[h].maxUs ?? 0)), `${a} ${h} max`);
      }
      assert.equal(merged.actions[a].duration.count, merged.snapshot.calls[a].latency.count, `${a}: the report reads the merged histogram`);
    }
    assert.equal(merged.snapshot.connect.duration.count, sum((s) => s.snapshot.connect.duration.count));
    assert.equal(merged.connect.duration.count, merged.connect.ok);
    assert.equal(merged.execution.processes, sum((s) => s.execution.processes));
    assert.equal(merged.loadgen.processes.length, sum((s) => s.loadgen.processes.length));
  });

  test('the CSMS saw the same stations from the shards as from the unsharded run, each exactly once', () => {
    const ids = plan.map((st) => st.id).sort();
    assert.deepEqual([...sharded.connects.keys()].sort(), ids);
    assert.deepEqual([...whole.connects.keys()].sort(), ids);
    for (const [id, n] of sharded.connects) assert.equal(n, 1, `${id} connected ${n} times`);
    assert.equal(sharded.csms.stats().duplicateConnections, 0);
  });

  test('a station is the same wherever it runs: its idToken (from seed and global index) matches', () => {
    for (const st of plan) {
      const a = sharded.csms.station(st.id)?.transactions().map((t) => t.idToken);
      const b = whole.csms.station(st.id)?.transactions().map((t) => t.idToken);
      assert.ok(a && a.length === st.group.evses.length && a.every((t) => t !== undefined), `${st.id}: ${JSON.stringify(a)}`);
      assert.deepEqual(a, b, st.id);
    }
  });
});

/**
 * Arrival-rate executors compute one fleet-wide arrival sequence from the run seed; shard i of N takes the
 * arrivals n with n % N === i (k6 execution segments). The shards' arrivals must add up to the unsharded run's
 * exactly, ramps and Poisson included. Driven on a manual clock with mocked timers: 10 simulated seconds.
 */
describe('arrival-rate split by shard', () => {
  const SECONDS = 10;

  /** Iterations shard `index` of `count` starts in SECONDS (all stations always free). */
  function iterations(t: TestContext, w: WorkloadSpec, index: number, count: number): number {
    t.mock.timers.enable({ apis: ['setTimeout'], now: 0 });
    const clock = new ManualClock(T0);
    let n = 0;
    const sink = { count(name: string) { if (name === 'iterations') n++; else assert.fail(`unexpected ${name}`); } } as unknown as StationSink;
    const free = { online: true, idle: true, call: () => Promise.resolve(), workPayload: () => ({}) } as unknown as Station;
    const active = Array.from({ length: 20 }, () => free);
    const ex = createExecutor(w, active, clock, sink, new Rng(mixSeed(7, 0xe7ec)), { index, count }, T0, new Timeline(clock));
    ex.start();
    for (let ms = 0; ms < SECONDS * 1000; ms += 5) {
      clock.advance(5);
      t.mock.timers.tick(5);
    }
    ex.stop();
    t.mock.timers.reset();
    return n;
  }

  const workload = (o: Partial<WorkloadSpec>): WorkloadSpec => ({
    executor: 'constant-arrival-rate', work: 'Heartbeat', rate: 0, startRate: 0, stages: [], poisson: false, pauseMs: 0, maxQueue: 100, startTimeMs: 0, ...o,
  });

  const cases: [string, WorkloadSpec, number][] = [
    ['constant 50/s', workload({ rate: 50 }), 500],
    ['constant 7.3/s', workload({ rate: 7.3 }), 73],
    ['ramping 0 → 100/s → 20/s', workload({ executor: 'ramping-arrival-rate', stages: [{ duration: 5000, target: 100 }, { duration: 5000, target: 20 }] }), 550],
    ['Poisson 50/s', workload({ rate: 50, poisson: true }), 500],
  ];
  for (const [name, w, expected] of cases) {
    test(`${name}: N shards together start exactly what one process does`, (t) => {
      const whole = iterations(t, w, 0, 1);
      // Evenly spaced: the integral of the rate, within one arrival; Poisson: within 5 sd of the mean.
      const tolerance = w.poisson ? 5 * Math.sqrt(expected) : 1;
      assert.ok(Math.abs(whole - expected) <= tolerance, `one process started ${whole}, expected ~${expected}`);
      for (const n of [2, 3, 10, 30]) {
        const parts = Array.from({ length: n }, (_, i) => iterations(t, w, i, n));
        assert.equal(parts.reduce((a, b) => a + b, 0), whole, `${n} shards: ${parts.join(' + ')}`);
      }
    });
  }
});
