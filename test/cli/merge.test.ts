import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { mergeShards, parseThresholdOptions, readShards, type ShardInput } from '../../src/cli/merge.js';
import type { RunSummary } from '../../src/cli/run.js';
import { loadgenReport, type LoadgenStats } from '../../src/fleet/loadgen.js';
import { callErrorOutcome } from '../../src/metrics/outcomes.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { summarize } from '../../src/metrics/summary.js';
import { ManualClock } from '../../src/util/clock.js';
import { ExitCode, InvalidInputError } from '../../src/util/errors.js';
import { readHlog } from '../metrics/outputs.js';
import { assertExit, assertNoStack, readJson, runCli, tempDir } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const fresh = (name: string): string => tmp.file(`${n++}-${name}`);

/**
 * Samples of a 3-second run, station by station: station s books its calls into whichever registry `pick(s)`
 * returns. Splitting by `s % 3` gives three shards of one plan; one registry gives the unsharded run.
 */
function record(pick: (station: number) => MetricsRegistry, clock: ManualClock, stations = 30): void {
  const held = new Map<MetricsRegistry, number>();
  for (let sec = 0; sec < 3; sec++) {
    for (let s = 0; s < stations; s++) {
      const m = pick(s);
      if (sec === 0) {
        m.recordConnect(1000 + 37 * s, true);
        m.recordCall('BootNotification', 500 + 101 * s, 400 + 99 * s, 'ok');
        // A gauge is what the process holds (its connected stations), so it is set to its running total.
        held.set(m, (held.get(m) ?? 0) + 1);
        m.gauge('stations_connected', held.get(m)!);
      }
      // Spread over three orders of magnitude, past 2.048 ms where HDR buckets start to merge values.
      m.recordCall('Heartbeat', 100 + ((s * 7919 + sec * 104_729) % 250_000), 90 + s, 'ok');
      if (s % 5 === 0) m.recordCall('Authorize', 2000 + s * 13 + sec, 1500, s % 10 === 0 ? 'rejected' : callErrorOutcome('NotImplemented'));
      if (s % 4 === sec) m.count('tx_started');
      m.add('energy_wh', 12.5 * (s + 1));
    }
    clock.advance(1000);
    for (let s = 0; s < 3; s++) pick(s).tick();
  }
}

const stats = (pid: number, stations: number): LoadgenStats => ({
  pid, stations, rssKiBPeak: 90_000, rssKiBAtPeakStations: 80_000, cpuPercentAvg: 10, cpuPercentMax: 20, eventLoopDelayP99Ms: 3, eventLoopDelayMaxMs: 9,
});

interface ShardOptions { scenario?: string; interrupted?: boolean; errors?: string[]; thresholds?: unknown[]; target?: string }

function runSummary(reg: MetricsRegistry, shard: string, stations: number, o: ShardOptions = {}): RunSummary {
  const snapshot = reg.snapshot();
  return {
    ...summarize(snapshot, { scenario: o.scenario ?? 'merge-test', target: o.target ?? 'ws://127.0.0.1:9000/ocpp', stations }),
    loadgen: loadgenReport([stats(1000 + stations, stations)], stations),
    execution: { processes: 1, shard, peakConnected: stations, interrupted: o.interrupted ?? false, errors: o.errors ?? [] },
    ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    snapshot,
  } as RunSummary;
}

/** Three shards of 30 stations (10 each) and the same samples recorded by one unsharded registry. */
function fixture(o: (i: number) => ShardOptions = () => ({})): { shards: RunSummary[]; whole: RunSummary } {
  const clock = new ManualClock(T0);
  const regs = [0, 1, 2].map(() => new MetricsRegistry({ clock }));
  record((s) => regs[s % 3]!, clock);
  const wclock = new ManualClock(T0);
  const one = new MetricsRegistry({ clock: wclock });
  record(() => one, wclock);
  return { shards: regs.map((r, i) => runSummary(r, `${i}/3`, 10, o(i))), whole: runSummary(one, '0/1', 30) };
}

function write(s: unknown, name = 'shard.json'): string {
  const file = fresh(name);
  writeFileSync(file, typeof s === 'string' ? s : JSON.stringify(s));
  return file;
}

const inputs = (list: RunSummary[]): ShardInput[] => readShards(list.map((s, i) => write(s, `shard-${i}.json`)));

/** A 104 InvalidInputError with a problem matching each pattern. */
function invalid(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, String(e));
    assert.equal(e.exitCode, ExitCode.invalidInput);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe('mergeShards', () => {
  test('three shards merge to exactly the unsharded run: counts, histograms, percentiles, counters', () => {
    const { shards, whole } = fixture();
    const { summary, code, warnings, results } = mergeShards(inputs(shards));
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(warnings, []);
    assert.deepEqual(results, []);
    // Every number measured is the same as if one process had recorded all the samples.
    assert.deepEqual(summary.actions, whole.actions);
    assert.deepEqual(summary.calls, whole.calls);
    assert.deepEqual(summary.connect, whole.connect);
    assert.deepEqual(summary.counters, whole.counters);
    assert.deepEqual(summary.metrics, whole.metrics);
    assert.equal(summary.counters.energy_wh!.count, 30 * 3 * 12.5 * 31 / 2);
    // Histogram totals: the merged count of each action is the sum of the shards'.
    for (const a of Object.keys(whole.snapshot.calls)) {
      const sum = shards.reduce((k, s) => k + s.snapshot.calls[a]!.latency.count, 0);
      assert.equal(summary.snapshot.calls[a]!.latency.count, sum, a);
      assert.equal(summary.snapshot.calls[a]!.service.count, sum, a);
      assert.equal(summary.snapshot.calls[a]!.latency.maxUs, Math.max(...shards.map((s) => s.snapshot.calls[a]!.latency.maxUs)), a);
    }
    // Run info: the fleet's stations, all processes, which shards went in.
    assert.equal(summary.run.stations, 30);
    assert.equal(summary.run.scenario, 'merge-test');
    assert.equal(summary.run.shards, 3);
    assert.equal(summary.execution.shard, '0,1,2/3');
    assert.equal(summary.execution.processes, 3);
    assert.equal(summary.execution.peakConnected, 30);
    assert.equal(summary.loadgen.processes.length, 3);
    assert.deepEqual(summary.merged.shards, [0, 1, 2]);
    assert.deepEqual(summary.merged.missing, []);
    assert.equal(summary.gauges.stations_connected!.max, 30);
  });

  test('peakConnected is the peak of the merged connected series, not the sum of peaks taken at different times', () => {
    const clock = new ManualClock(T0);
    const regs = [0, 1].map(() => new MetricsRegistry({ clock }));
    // Shard 0 holds 10 stations in the first second, shard 1 in the second: together never more than 12 at once,
    // while the sum of their peaks (20) never happened.
    const held = [[10, 2, 0], [1, 10, 0]];
    for (let sec = 0; sec < 3; sec++) {
      regs.forEach((r, i) => { r.recordCall('Heartbeat', 100, 90, 'ok'); r.gauge('stations_connected', held[i]![sec]!); });
      clock.advance(1000);
      for (const r of regs) r.tick();
    }
    const shards = regs.map((r, i) => runSummary(r, `${i}/2`, 10));
    assert.equal(shards[0]!.execution.peakConnected, 10);
    const { summary } = mergeShards(inputs(shards));
    assert.equal(summary.execution.peakConnected, 12);
    assert.equal(summary.gauges.stations_connected!.max, 12);
    // KiB per station over the peak that happened: both processes' memory (80,000 KiB each) over 12 stations.
    assert.equal(summary.loadgen.kibPerStation, Math.round((160_000 / 12) * 10) / 10);
  });

  test('a missing shard is a warning: the present ones are merged and the summary names the missing one', () => {
    const { shards } = fixture();
    const { summary, code, warnings } = mergeShards(inputs([shards[2]!, shards[0]!]));
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(warnings, ['shard 1/3 missing: merging the 2 of 3 present']);
    assert.deepEqual(summary.merged.missing, [1]);
    assert.equal(summary.execution.shard, '0,2/3');
    assert.equal(summary.run.stations, 20);
  });

  test('a merged summary merges again with the shards it lacks', () => {
    const { shards, whole } = fixture();
    const partial = mergeShards(inputs([shards[0]!, shards[1]!])).summary;
    const all = mergeShards(inputs([partial, shards[2]!])).summary;
    assert.equal(all.execution.shard, '0,1,2/3');
    assert.deepEqual(all.actions, whole.actions);
    invalid(() => mergeShards(inputs([partial, shards[1]!])), /shard 1\/3 is also in/);
  });

  test('thresholds stored in the shards are evaluated on the merged metrics', () => {
    const defs = [
      { metric: 'tx_started', expression: 'count>=20' }, // 7-8 per shard: fails on each, passes merged
      { metric: 'ocpp_calls{action:BootNotification}', expression: 'count<20', abortOnFail: false, delayAbortEvalMs: 0 }, // 10 each, 30 merged
    ];
    const { shards } = fixture(() => ({ thresholds: defs }));
    const { summary, results, code } = mergeShards(inputs(shards));
    assert.equal(code, ExitCode.thresholdsFailed);
    assert.deepEqual(results.map((r) => [r.metric, r.expression, r.observed, r.passed]), [
      ['tx_started', 'count>=20', 23, true],
      ['ocpp_calls{action:BootNotification}', 'count<20', 30, false],
    ]);
    assert.deepEqual(summary.thresholds, results);
  });

  test('extra thresholds (merge --threshold) join the stored ones; the same one twice is checked once', () => {
    const { shards } = fixture(() => ({ thresholds: [{ metric: 'tx_started', expression: 'count>=20' }] }));
    const extra = parseThresholdOptions(['tx_started:count>=20', 'ocpp_call_duration:p(99.5)<1000']);
    const { results, code, summary } = mergeShards(inputs(shards), extra);
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(results.map((r) => r.expression), ['count>=20', 'p(99.5)<1000']);
    assert.equal(typeof summary.calls.duration['p(99.5)'], 'number', 'percentiles the thresholds read are computed');
  });

  test('a threshold whose abortOnFail ended a shard fails the merge (99, not 105), though the merged numbers pass', () => {
    const def = { metric: 'ocpp_call_failed', expression: 'rate<0.5', abortOnFail: true, delayAbortEvalMs: 1000 };
    const aborted = { ...def, observed: 0.9, passed: false, abortedRun: { elapsedMs: 1500, observed: 0.9 } };
    const { shards } = fixture((i) => (i === 1 ? { interrupted: true, thresholds: [aborted] } : { thresholds: [{ ...def, observed: 0.05, passed: true }] }));
    const { results, code } = mergeShards(inputs(shards));
    assert.equal(code, ExitCode.thresholdsFailed);
    assert.equal(results.length, 1);
    assert.equal(results[0]!.observed, 0.065217, 'the merged value: 9 failed of 138 calls');
    assert.equal(results[0]!.passed, false);
    assert.deepEqual(results[0]!.abortedRun, { elapsedMs: 1500, observed: 0.9 });
  });

  test('a stored threshold run would reject (an action that is not station → CSMS) is a 104 naming the shard file', () => {
    const { shards } = fixture(() => ({ thresholds: [{ metric: 'ocpp_call_duration{action:Reset}', expression: 'p(99)<5' }] }));
    invalid(() => mergeShards(inputs(shards)), /shard-0\.json\s+thresholds\[0\]: action "Reset" is not a station → CSMS action/);
  });

  test('an interrupted shard makes the merge 105, a failed generator process 107', () => {
    assert.equal(mergeShards(inputs(fixture((i) => ({ interrupted: i === 1 })).shards)).code, ExitCode.interrupted);
    const failed = mergeShards(inputs(fixture((i) => ({ errors: i === 2 ? ['generator process 42 exited with code 1'] : [] })).shards));
    assert.equal(failed.code, ExitCode.runtimeError);
    assert.deepEqual(failed.summary.execution.errors, ['shard 2/3: generator process 42 exited with code 1']);
  });

  test('shards of different scenarios, shard counts, or the same shard twice are 104s naming the files', () => {
    const { shards, whole } = fixture((i) => ({ scenario: i === 2 ? 'other' : 'merge-test' }));
    invalid(() => mergeShards(inputs(shards)), /shard-2\.json\s+run\.scenario: scenario "other" differs from "merge-test"/);
    invalid(() => mergeShards(inputs([fixture().shards[0]!, whole])), /shard count 1 differs from 3/);
    const s0 = fixture().shards[0]!;
    invalid(() => mergeShards(inputs([s0, s0])), /shard 0\/3 is also in/);
    invalid(() => mergeShards([]), /no shard files given/);
  });

  test('different targets only warn (machines may reach one CSMS by different addresses)', () => {
    const { shards } = fixture((i) => ({ target: `ws://10.0.0.${i + 1}:9000/ocpp` }));
    const { summary, warnings } = mergeShards(inputs(shards));
    assert.match(warnings.join('\n'), /different targets/);
    assert.equal(summary.run.target, null);
  });
});

describe('readShards: every problem of every file, 104', () => {
  const good = (): RunSummary => fixture().shards[0]!;

  test('unreadable, not JSON, not a summary: all files reported at once', () => {
    invalid(() => readShards([tmp.file('does-not-exist.json'), write('{ nope'), write('[1, 2]')]),
      /3 problems/, /does-not-exist\.json\s+\(document\): cannot read it \(ENOENT\)/, /not JSON/, /expected a chargestorm summary/);
  });

  test('a summary without the raw snapshot (or shard) says how to write one', () => {
    const { snapshot: _s, ...noSnap } = good();
    invalid(() => readShards([write(noSnap)]), /snapshot: missing/);
    const { execution: _e, ...noExec } = good();
    invalid(() => readShards([write(noExec)]), /execution\.shard: missing: write shard summaries with `chargestorm run --shard i\/N/);
  });

  test('malformed fields are named by path', () => {
    const s = good() as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    s.version = 2;
    s.execution.shard = '3/3';
    s.snapshot.calls.Heartbeat.latency = { count: 'x' };
    delete s.snapshot.series;
    invalid(() => readShards([write(s)]), /version: expected 1, got 2/, /execution\.shard: expected i\/N, got "3\/3"/,
      /snapshot\.calls\.Heartbeat: malformed/, /snapshot\.series: malformed/);
  });

  test('a corrupt histogram is the file\'s fault (104), not a runtime error', () => {
    const s = good();
    s.snapshot.calls.Heartbeat!.latency.hdr = 'bm90IGFuIGhkciBoaXN0b2dyYW0=';
    invalid(() => readShards([write(s)]), /snapshot: cannot be decoded/);
  });

  test('a stored threshold that does not parse is a 104', () => {
    const { shards } = fixture(() => ({ thresholds: [{ metric: 'ocpp_call_duration', expression: 'p(99)<<1' }] }));
    invalid(() => mergeShards(inputs(shards)), /thresholds\[0\]/, /not a threshold expression/);
  });
});

describe('chargestorm merge (the CLI)', { concurrency: true }, () => {
  test('merges, prints the report, writes the summary and JUnit, exits 0', async () => {
    const files = fixture(() => ({ thresholds: [{ metric: 'tx_started', expression: 'count>=20' }] })).shards.map((s, i) => write(s, `shard-${i}.json`));
    const out = fresh('merged.json');
    const junit = fresh('junit.xml');
    const r = await runCli(['merge', ...files, '--summary-export', out, '--junit', junit]);
    assertExit(r, 0);
    assertNoStack(r);
    assert.match(r.stdout, /scenario:\s+merge-test/);
    assert.match(r.stdout, /stations:\s+30/);
    assert.match(r.stdout, /BootNotification\s+30\b/);
    assert.match(r.stdout, /✓ tx_started\s+count>=20/);
    assert.match(r.stdout, /MERGED {2}3 of 3 shards from 3 files/);
    const s = readJson(out);
    assert.equal(s.actions.BootNotification.count, 30);
    assert.equal(s.execution.shard, '0,1,2/3');
    assert.equal(s.snapshot.version, 1);
    assert.match(readFileSync(junit, 'utf8'), /<testsuite name="chargestorm thresholds: merge-test" tests="1" failures="0"/);
  });

  test('--hlog: the merged per-second histograms as an interval log whose counts are the merged counts', async () => {
    const { shards, whole } = fixture();
    const files = shards.map((s, i) => write(s, `shard-${i}.json`));
    const hlog = fresh('merged.hlog');
    const r = await runCli(['merge', ...files, '--hlog', hlog, '--quiet']);
    assertExit(r, 0);
    const text = readFileSync(hlog, 'utf8');
    assert.match(text, /^#\[Histogram log format version 1\.3\]/);
    const intervals = readHlog(text);
    const total = (tag: string): number => intervals.filter((i) => i.tag === tag).reduce((k, i) => k + i.count, 0);
    for (const a of Object.keys(whole.actions)) assert.equal(total(`ocpp_call_duration.${a}`), whole.actions[a]!.duration.count, a);
    assert.equal(total('ocpp_call_duration'), whole.calls.duration.count);
    assert.equal(total('ocpp_connect_duration'), whole.connect.duration.count);
    // One line per second and tag, the three shards' seconds added: as many seconds as the run had.
    assert.equal(new Set(intervals.filter((i) => i.tag === 'ocpp_call_duration').map((i) => i.startMs)).size, 3);
  });

  test('a --hlog (or --junit) that cannot be written: exit 104 before anything is read', async () => {
    const r = await runCli(['merge', tmp.file('none.json'), '--hlog', tmp.file('no/such/dir/x.hlog')]);
    assertExit(r, 104);
    assert.match(r.stderr, /--hlog cannot write .*: its directory does not exist/);
    assert.doesNotMatch(r.stderr, /none\.json/);
  });

  test('thresholds failing on the merged metrics: exit 99, the failure in the report and the JUnit file', async () => {
    const files = fixture().shards.map((s, i) => write(s, `shard-${i}.json`));
    const junit = fresh('junit.xml');
    const r = await runCli(['merge', ...files, '--threshold', 'ocpp_calls{action:BootNotification}:count<20', '--junit', junit]);
    assertExit(r, 99);
    assertNoStack(r);
    assert.match(r.stdout, /✗ ocpp_calls\{action:BootNotification\}\s+count<20\s+observed 30/);
    assert.match(readFileSync(junit, 'utf8'), /failures="1"/);
  });

  test('run --threshold is stored in each shard and judged on the merged metrics: shards 99, merge 0', async () => {
    const files = [0, 1, 2].map((i) => fresh(`run-shard-${i}.json`));
    const startAt = String(Date.now() + 2000);
    const runs = await Promise.all(files.map((f, i) => runCli([
      'run', 'fixtures/scenarios/cli-small.yaml', '--stations', '9', '--duration', '2s', '--shard', `${i}/3`, '--start-at', startAt,
      '--threshold', 'ocpp_calls{action:BootNotification}:count>=9', '--summary-export', f, '--quiet',
    ], 30_000)));
    for (const r of runs) assertExit(r, 99); // 3 BootNotifications each: a shard sees a third of the fleet
    const r = await runCli(['merge', ...files]);
    assertExit(r, 0);
    assert.match(r.stdout, /✓ ocpp_calls\{action:BootNotification\}\s+count>=9\s+observed 9/);
  });

  test('a missing shard: a warning on stderr and in the report, still merged', async () => {
    const { shards } = fixture();
    const r = await runCli(['merge', write(shards[0]!), write(shards[2]!)]);
    assertExit(r, 0);
    assert.match(r.stderr, /warning: shard 1\/3 missing: merging the 2 of 3 present/);
    assert.match(r.stdout, /MERGED {2}2 of 3 shards from 2 files; MISSING 1\/3/);
  });

  test('a bad file: exit 104, the file named, no stack trace', async () => {
    const bad = write('not json at all', 'bad.json');
    const r = await runCli(['merge', write(fixture().shards[0]!), bad]);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /bad\.json\s+\(document\): not JSON/);
    assert.equal(r.stdout, '');
  });

  test('shards of different scenarios: exit 104', async () => {
    const { shards } = fixture((i) => ({ scenario: i === 0 ? 'a' : 'b' }));
    const r = await runCli(['merge', ...shards.map((s) => write(s))]);
    assertExit(r, 104);
    assert.match(r.stderr, /scenario "b" differs from "a"/);
  });

  test('a bad --threshold: exit 104 before anything is read', async () => {
    const r = await runCli(['merge', tmp.file('none.json'), '--threshold', 'ocpp_call_duraton:p(99)<5']);
    assertExit(r, 104);
    assert.match(r.stderr, /--threshold 'ocpp_call_duraton:p\(99\)<5': unknown metric "ocpp_call_duraton" \(did you mean "ocpp_call_duration"\?\)/);
    assert.doesNotMatch(r.stderr, /none\.json/);
  });

  test('an interrupted shard: exit 105', async () => {
    const r = await runCli(['merge', ...fixture((i) => ({ interrupted: i === 0 })).shards.map((s) => write(s)), '--quiet']);
    assertExit(r, 105);
    assert.equal(r.stdout, '');
  });
});
