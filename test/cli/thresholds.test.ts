import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { listTags } from 'hdr-histogram-js';
import { parseScenario } from '../../src/scenario/load.js';
import { parseGateThresholds } from '../../src/cli/gates.js';
import { InvalidInputError } from '../../src/util/errors.js';
import { assertWellFormedXml, readHlog } from '../metrics/outputs.js';
import { assertExit, assertNoStack, lineOf, readJson, repoRoot, runCli, startCli, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const file = (ext: string): string => tmp.file(`gates-${n++}.${ext}`);

/** A 5-station scenario whose sessions fit in a 3-second run, with the given `thresholds:` body. */
function scenario(thresholds: string, duration = '3s'): { path: string; text: string } {
  const text = `name: gates
seed: 7
stations: [{ name: ac, count: 5, idTemplate: "GATE-{index:04}" }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: { uniform: [100ms, 300ms] }
  plugDuration: { uniform: [1s, 2s] }
  meterInterval: 1s
duration: ${duration}
drainTimeout: 2s
thresholds:
${thresholds}`;
  const path = file('yaml');
  writeFileSync(path, text);
  return { path, text };
}

const THRESHOLD_LINE = /^ {4}([✓✗]) (\S+) {2}(\S+)(?: {2}(.*))?$/;
const thresholdLines = (stdout: string): string[][] => stdout.split('\n').flatMap((l) => {
  const m = THRESHOLD_LINE.exec(l);
  return m ? [[m[1]!, m[2]!, m[3]!, m[4] ?? '']] : [];
});

describe('chargestorm run: CI gates', { concurrency: 3 }, () => {
  test('passing thresholds (scenario and --threshold): exit 0, ✓ in the report, results in the summary, JUnit and hlog', async () => {
    const s = scenario(`  ocpp_call_duration: ["p(99)<10000", "p(97.5)<10000"]
  "ocpp_call_duration{action:BootNotification}": ["max<10000"]
  ocpp_call_failed: [{ threshold: "rate<0.5", abortOnFail: true, delayAbortEval: 1s }]
  offline_dropped: ["count<1"]
`);
    const [summaryFile, junit, hlog] = [file('json'), file('xml'), file('hlog')];
    const r = await runCli(['run', s.path, '--summary-export', summaryFile, '--junit', junit, '--hlog', hlog,
      '--threshold', 'ocpp_calls:count>0', '--threshold', 'ocpp_call_duration{action:BootNotification}:p(99)<10000'], 40_000);
    assertExit(r, 0);
    assertNoStack(r);
    const lines = thresholdLines(r.stdout);
    assert.deepEqual(lines.map((l) => `${l[0]} ${l[1]} ${l[2]}`), [
      '✓ ocpp_call_duration p(99)<10000', '✓ ocpp_call_duration p(97.5)<10000', '✓ ocpp_call_duration{action:BootNotification} max<10000',
      '✓ ocpp_call_failed rate<0.5', '✓ offline_dropped count<1', '✓ ocpp_calls count>0', '✓ ocpp_call_duration{action:BootNotification} p(99)<10000',
    ], r.stdout);
    assert.ok(lines.every((l) => /^observed \d/.test(l[3]!)), r.stdout);

    const summary = readJson(summaryFile);
    assert.equal(summary.thresholds.length, 7);
    for (const t of summary.thresholds) {
      assert.deepEqual(Object.keys(t).sort(), ['abortOnFail', 'delayAbortEvalMs', 'expression', 'metric', 'observed', 'passed']);
      assert.equal(t.passed, true);
      assert.equal(typeof t.observed, 'number');
    }
    assert.equal(summary.thresholds[0].observed, summary.metrics.ocpp_call_duration.values['p(99)']);
    assert.equal(typeof summary.metrics.ocpp_call_duration.values['p(97.5)'], 'number', 'percentiles the thresholds read are computed');
    assert.deepEqual([summary.thresholds[3].abortOnFail, summary.thresholds[3].delayAbortEvalMs], [true, 1000]);

    const [root] = assertWellFormedXml(readFileSync(junit, 'utf8'));
    assert.deepEqual([root!.attrs.tests, root!.attrs.failures], ['7', '0']);
    assert.equal(root!.children[0]!.children.length, 7);

    // The interval log, read back by hdr-histogram-js: one tag per action, and counts add up to the summary's.
    const text = readFileSync(hlog, 'utf8');
    assert.match(text, /^#\[Histogram log format version 1\.3\]\n#\[StartTime: \d+\.\d{3} \(seconds since epoch\), /);
    const intervals = readHlog(text);
    const total = (tag: string): number => intervals.filter((i) => i.tag === tag).reduce((k, i) => k + i.count, 0);
    const actions = Object.keys(summary.actions);
    assert.ok(actions.includes('BootNotification') && actions.includes('TransactionEvent'), actions.join());
    for (const a of actions) assert.equal(total(`ocpp_call_duration.${a}`), summary.actions[a].duration.count, a);
    assert.equal(total('ocpp_call_duration'), summary.calls.duration.count);
    assert.equal(total('ocpp_connect_duration'), summary.connect.duration.count);
    assert.deepEqual(listTags(text).sort(), ['ocpp_call_duration', ...actions.map((a) => `ocpp_call_duration.${a}`), 'ocpp_connect_duration'].sort());
    const starts = intervals.map((i) => i.startMs);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'intervals in time order');
  });

  test('a failing threshold: exit 99, ✗ with the observed value, a <failure> in the JUnit file (two processes)', async () => {
    const s = scenario(`  "ocpp_call_duration{action:BootNotification}": ["p(99)<0.001"]
  ocpp_call_failed: ["rate<0.5"]
`);
    const [junit, hlog, summaryFile] = [file('xml'), file('hlog'), file('json')];
    const r = await runCli(['run', s.path, '--junit', junit, '--procs', '2', '--hlog', hlog, '--summary-export', summaryFile], 40_000);
    assertExit(r, 99);
    assertNoStack(r);
    const lines = thresholdLines(r.stdout);
    assert.equal(lines.length, 2, r.stdout);
    assert.deepEqual(lines[0]!.slice(0, 3), ['✗', 'ocpp_call_duration{action:BootNotification}', 'p(99)<0.001']);
    assert.match(lines[0]![3]!, /^observed \d+(\.\d+)?$/);
    assert.equal(lines[1]![0], '✓');
    assert.match(r.stderr, /1 of 2 thresholds failed/);

    const [root] = assertWellFormedXml(readFileSync(junit, 'utf8'));
    assert.deepEqual([root!.attrs.tests, root!.attrs.failures, root!.attrs.errors], ['2', '1', '0']);
    const suite = root!.children[0]!;
    assert.deepEqual([suite.attrs.tests, suite.attrs.failures], ['2', '1']);
    const [failing, passing] = suite.children;
    assert.deepEqual([failing!.attrs.classname, failing!.attrs.name], ['ocpp_call_duration{action:BootNotification}', 'p(99)<0.001']);
    assert.equal(failing!.children[0]!.name, 'failure');
    assert.match(failing!.children[0]!.attrs.message!, /^observed \d+(\.\d+)?; expected p\(99\)<0\.001$/);
    assert.equal(passing!.children.length, 0);

    // The two generator processes' interval histograms are added per second into one log.
    const summary = readJson(summaryFile);
    assert.equal(summary.run.shards, 2);
    // KiB per station covers the parent process as well as the two generators.
    const procs = summary.loadgen.processes as { role?: string; rssKiBAtPeakStations: number }[];
    assert.deepEqual(procs.map((p) => p.role ?? 'generator').sort(), ['generator', 'generator', 'parent']);
    const rss = procs.reduce((k, p) => k + p.rssKiBAtPeakStations, 0);
    assert.equal(summary.loadgen.kibPerStation, Math.round((rss / summary.execution.peakConnected) * 10) / 10);
    const intervals = readHlog(readFileSync(hlog, 'utf8'));
    for (const a of Object.keys(summary.actions)) {
      const total = intervals.filter((i) => i.tag === `ocpp_call_duration.${a}`).reduce((k, i) => k + i.count, 0);
      assert.equal(total, summary.actions[a].duration.count, a);
    }
  });

  test('abortOnFail ends the run early (graceful drain, partial report) with exit 99', async () => {
    const s = scenario(`  ocpp_call_duration: [{ threshold: "max<0.001", abortOnFail: true, delayAbortEval: 1s }]
  ocpp_calls: ["count>0"]
`, '60s');
    const summaryFile = file('json');
    const started = Date.now();
    const r = await runCli(['run', s.path, '--summary-export', summaryFile], 50_000);
    const took = Date.now() - started;
    assertExit(r, 99);
    assertNoStack(r);
    // Well before its 60 s: it aborts on the first completed call after 1 s (slower only on a loaded machine).
    assert.ok(took < 30_000, `the 60 s run should have been aborted, took ${took} ms\n${r.stderr}`);
    assert.match(r.stderr, /threshold ocpp_call_duration max<0\.001 failed at \d+s \(observed [\d.]+\) with abortOnFail: ending the run/);
    assert.match(r.stdout, /✗ ocpp_call_duration {2}max<0\.001 {2}observed [\d.]+; aborted the run at \d+s/);
    const summary = readJson(summaryFile);
    assert.ok(summary.run.durationMs < 30_000, `durationMs ${summary.run.durationMs}`);
    const [aborting, other] = summary.thresholds;
    assert.equal(aborting.passed, false);
    assert.ok(aborting.abortedRun.elapsedMs >= 1000, JSON.stringify(aborting));
    assert.equal(other.passed, true);
  });

  test('interrupted (SIGINT) wins over a failing threshold: exit 105, the threshold still reported', async () => {
    const s = scenario('  ocpp_call_duration: ["max<0.001"]\n', '40s');
    const cli = startCli(['run', s.path], 30_000);
    await cli.waitFor(/stations for 40s/, 'stderr');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    assertExit(r, 105);
    // Observed, or "no samples" when a loaded machine had not completed a call yet: failed either way.
    assert.match(r.stdout, /✗ ocpp_call_duration {2}max<0\.001 {2}(observed|ocpp_call_duration has no samples)/);
  });

  test('an unknown metric is invalid input (104) with file, line and path, for run and validate, before anything runs', async () => {
    const s = scenario(`  ocpp_call_failed: ["rate<0.01"]
  tx_startd: ["count>0"]
  "ocpp_call_duration{action:BootNotifcation}": ["p(99)<500"]
`);
    for (const command of ['run', 'validate']) {
      const r = await runCli([command, s.path]);
      assertExit(r, 104);
      assertNoStack(r);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /stations for/, 'nothing ran');
      assert.match(r.stderr, /^chargestorm: 2 problems in input:\n/);
      const at = (needle: string): string => `  ${s.path}:${lineOf(s.text, needle)}:`;
      assert.ok(r.stderr.includes(`${at('tx_startd')}`), r.stderr);
      assert.match(r.stderr, /:\d+:\d+ {2}thresholds\.tx_startd\[0\]: unknown metric "tx_startd" \(did you mean "tx_started"\?\)/);
      assert.ok(r.stderr.includes(`${at('BootNotifcation')}`), r.stderr);
      assert.match(r.stderr, /thresholds\.ocpp_call_duration\{action:BootNotifcation\}\[0\]: action "BootNotifcation" is not a station → CSMS action \(did you mean "BootNotification"\?\)/);
    }
  });

  test('bad threshold syntax in the scenario: 104 with file, line and path', async () => {
    const s = scenario(`  ocpp_call_duration: ["p99<500", "p(99)<500"]
  ocpp_call_failed: [{ threshold: "avg<1", abortOnFail: yes }]
`);
    const r = await runCli(['run', s.path]);
    assertExit(r, 104);
    assertNoStack(r);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.equal(problems.length, 1, 'shape problems are reported first, alone');
    assert.ok(problems[0]!.startsWith(`  ${s.path}:${lineOf(s.text, 'abortOnFail: yes')}:`), r.stderr);
    assert.match(problems[0]!, /thresholds\.ocpp_call_failed\[0\]\.abortOnFail: expected true or false/);

    writeFileSync(s.path, s.text.replace('abortOnFail: yes', 'abortOnFail: true'));
    const r2 = await runCli(['validate', s.path]);
    assertExit(r2, 104);
    const p2 = r2.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.equal(p2.length, 2, r2.stderr);
    assert.ok(p2[0]!.startsWith(`  ${s.path}:${lineOf(s.text, 'p99<500')}:`), r2.stderr);
    assert.match(p2[0]!, /thresholds\.ocpp_call_duration\[0\]: "p99<500" is not a threshold expression/);
    assert.match(p2[1]!, /thresholds\.ocpp_call_failed\[0\]: avg does not apply to a rate metric/);
  });

  test('bad --threshold options: 104 naming the option, before anything runs', async () => {
    const r = await runCli(['run', 'fixtures/scenarios/cli-small.yaml', '--threshold', 'ocpp_call_failed', '--threshold', 'ocpp_call_failed:rate<<1',
      '--threshold', 'latency:p(99)<5', '--threshold', 'ocpp_call_duration{station:CS1}:p(99)<5', '--threshold', 'ocpp_call_failed:rate<0.01']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.equal(r.stdout, '');
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.deepEqual(problems.map((l) => l.replace(/: .*/, '')), [
      "  command line  --threshold",
      "  command line  --threshold 'ocpp_call_failed:rate<<1'",
      "  command line  --threshold 'latency:p(99)<5'",
      "  command line  --threshold 'ocpp_call_duration{station:CS1}:p(99)<5'",
    ], r.stderr);
    assert.match(problems[0]!, /expected '<metric selector>:<expression>'/);
    assert.match(problems[2]!, /unknown metric "latency"/);
    assert.match(problems[3]!, /has no tag "station"/);
  });

  test('--junit / --hlog into a directory that does not exist: 104 before the run', async () => {
    for (const option of ['--junit', '--hlog']) {
      const r = await runCli(['run', 'fixtures/scenarios/cli-small.yaml', option, tmp.file('no/such/dir/out')]);
      assertExit(r, 104);
      assert.match(r.stderr, new RegExp(`${option} cannot write`));
    }
  });
});

describe('thresholds in the docs', () => {
  test('the examples in docs/scenario-format.md pass the CLI\'s checks', () => {
    const doc = readFileSync(`${repoRoot}docs/scenario-format.md`, 'utf8');
    const block = /## thresholds[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const spec = parseScenario(`stations: [{ count: 1 }]\n${block}`, 'doc.yaml');
    assert.equal(parseGateThresholds(spec).length, 8);
    const full = /<!-- example:full -->\s*```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    assert.equal(parseGateThresholds(parseScenario(full, 'full.yaml')).length, 4);
    assert.throws(() => parseGateThresholds(spec, ['nope:count>1']), (e: unknown) => e instanceof InvalidInputError && e.exitCode === 104);
  });
});
