import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { parseFrame } from '../../src/ocpp/framing.js';
import { recordingServer, type TestServer } from '../support/servers.js';
import { assertExit, assertNoStack, closedPort, readJson, runCli, startCli, tempDir } from './helpers.js';

const SMALL = 'fixtures/scenarios/cli-small.yaml';
const tmp = tempDir();
after(() => tmp.cleanup());

let n = 0;
const summaryFile = (): string => tmp.file(`summary-${n++}.json`);

const TREND_KEYS = ['avg', 'count', 'max', 'med', 'min', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'];
const CALL_STATS_KEYS = ['count', 'duration', 'errors', 'failed', 'failedRate', 'ok', 'ratePerS', 'rejected', 'service'];
const BUILTINS: Record<string, string> = {
  ocpp_calls: 'counter', ocpp_call_duration: 'trend', ocpp_call_service_duration: 'trend', ocpp_call_failed: 'rate',
  ocpp_call_rejected: 'rate', ocpp_call_errors: 'counter', ocpp_incoming_calls: 'counter', ocpp_incoming_failed: 'rate',
  ocpp_connects: 'counter', ocpp_connect_duration: 'trend', ocpp_connect_failed: 'rate', ocpp_connect_errors: 'counter',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function assertTrend(t: any, where: string): void {
  assert.deepEqual(Object.keys(t).sort(), TREND_KEYS, where);
  for (const k of TREND_KEYS) assert.equal(typeof t[k], 'number', `${where}.${k}`);
  assert.ok(t.min <= t.med && t.med <= t['p(99)'] && t['p(99)'] <= t.max, `${where}: ${JSON.stringify(t)}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function assertCallStats(c: any, where: string): void {
  assert.deepEqual(Object.keys(c).sort(), CALL_STATS_KEYS, where);
  assert.equal(c.count, c.ok + c.rejected + c.failed, `${where}: count = ok + rejected + failed`);
  assertTrend(c.duration, `${where}.duration`);
  assertTrend(c.service, `${where}.service`);
}

/** Every number finite (JSON turns NaN/Infinity into null): walks the whole document. */
function assertNoNulls(v: unknown, where = '$'): void {
  assert.notEqual(v, null, `${where} is null`);
  if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) assertNoNulls(x, `${where}.${k}`);
}

/** The deterministic identity of every station that booted: id (URL path) and BootNotification.chargingStation. */
function boots(server: TestServer): { ids: string[]; stations: string[] } {
  const stations = server.received.flatMap((text) => {
    const r = parseFrame(text);
    return r.ok && r.frame.type === 2 && r.frame.action === 'BootNotification' ? [JSON.stringify((r.frame.payload as { chargingStation: unknown }).chargingStation)] : [];
  });
  return { ids: [...new Set(server.identities)].sort(), stations: [...new Set(stations)].sort() };
}

// Each test spawns one to three children; three at a time keep a 2-core CI runner responsive.
describe('chargestorm run', { concurrency: 3 }, () => {
  test('--quiet against the embedded CSMS: exit 0, silent, and the summary JSON has the documented shape', async () => {
    const file = summaryFile();
    const r = await runCli(['run', SMALL, '--stations', '10', '--duration', '4s', '--summary-export', file, '--quiet']);
    assertExit(r, 0);
    assertNoStack(r);
    assert.equal(r.stdout, '', '--quiet prints no report');
    assert.doesNotMatch(r.stderr, /calls\/s|stations for/, '--quiet prints no progress and no banner');
    const s = readJson(file);
    assert.equal(s.version, 1);
    // Adding fields is not breaking (SUMMARY.md); the documented ones must all be there, with finite numbers.
    for (const k of ['version', 'run', 'calls', 'actions', 'incoming', 'connect', 'counters', 'gauges', 'series', 'metrics', 'embeddedCsms']) {
      assert.ok(k in s, `summary lacks ${k}`);
      assertNoNulls(s[k], k);
    }
    assert.deepEqual(Object.keys(s.run).sort(), ['durationMs', 'endTime', 'scenario', 'shards', 'startTime', 'stations', 'target']);
    // run
    assert.equal(s.run.scenario, 'cli-small');
    assert.match(s.run.target, /^ws:\/\/127\.0\.0\.1:\d+\/ocpp$/);
    assert.equal(s.run.stations, 10);
    assert.equal(s.run.shards, 1);
    assert.ok(s.run.durationMs >= 4000 && s.run.durationMs < 30_000, `durationMs ${s.run.durationMs}`);
    assert.ok(Math.abs(Date.parse(s.run.endTime) - Date.parse(s.run.startTime) - s.run.durationMs) <= 1, "endTime - startTime = durationMs");
    // calls and actions
    assertCallStats(s.calls, 'calls');
    for (const [a, c] of Object.entries(s.actions)) assertCallStats(c, `actions.${a}`);
    assert.equal(s.actions.BootNotification.count, 10);
    assert.equal(s.actions.BootNotification.ok, 10);
    assert.equal(s.calls.count, Object.values(s.actions).reduce((x: number, c) => x + (c as { count: number }).count, 0));
    assert.equal(s.calls.failed, 0, JSON.stringify(s.calls.errors));
    // connect
    assert.deepEqual(Object.keys(s.connect).sort(), ['attempts', 'duration', 'errors', 'failed', 'ok']);
    assert.ok(s.connect.attempts >= 10, `connect attempts ${s.connect.attempts}`);
    assert.equal(s.connect.ok, 10);
    assertTrend(s.connect.duration, 'connect.duration');
    // transactions (the fixture squeezes sessions into a second or two)
    for (const name of ['tx_started', 'tx_ended', 'energy_wh']) {
      assert.deepEqual(Object.keys(s.counters[name] ?? {}).sort(), ['count', 'rate'], `counters.${name}`);
    }
    assert.ok(s.counters.tx_started.count >= 1);
    assert.ok(s.counters.energy_wh.count > 0);
    assert.deepEqual(s.gauges.stations_connected, { value: 0, max: 10 });
    // series: one point per second
    assert.equal(s.series.intervalMs, 1000);
    assert.equal(s.series.truncated, false);
    assert.ok(s.series.points.length >= 3, `${s.series.points.length} points`);
    for (const p of s.series.points) assert.deepEqual(Object.keys(p).sort(), ['calls', 'errors', 'gauges', 'ms', 'p99', 't']);
    assert.equal(s.series.points.reduce((x: number, p: { calls: number }) => x + p.calls, 0), s.calls.count, 'the series adds up to the calls');
    // metrics: the k6 view, built-ins always present
    for (const [name, type] of Object.entries(BUILTINS)) assert.equal(s.metrics[name]?.type, type, name);
    assert.equal(s.metrics['ocpp_calls{action:BootNotification}'].values.count, 10);
    // what the embedded CSMS saw agrees with what the stations measured
    assert.equal(s.embeddedCsms.boots.total, 10);
    assert.equal(s.embeddedCsms.stationsSeen, 10);
    assert.equal(s.embeddedCsms.transactions.started, s.counters.tx_started.count);
  });

  test('summary durations have microsecond resolution (at most 3 decimals), as SUMMARY.md says', async () => {
    const file = summaryFile();
    const r = await runCli(['run', SMALL, '--stations', '2', '--duration', '2s', '--summary-export', file, '--quiet']);
    assertExit(r, 0);
    const s = readJson(file);
    const decimals = (x: number): number => (String(x).split('.')[1] ?? '').length;
    assert.ok(decimals(s.run.durationMs) <= 3, `run.durationMs = ${s.run.durationMs}`);
    for (const p of s.series.points) assert.ok(decimals(p.ms) <= 3, `series ms = ${p.ms}`);
  });

  test('after the run the embedded CSMS has seen every station leave', async () => {
    const file = summaryFile();
    const r = await runCli(['run', SMALL, '--stations', '4', '--duration', '2s', '--summary-export', file, '--quiet']);
    assertExit(r, 0);
    const csms = readJson(file).embeddedCsms;
    assert.equal(csms.connections, 4, JSON.stringify(csms));
    assert.equal(csms.connected, 0, JSON.stringify(csms));
    assert.equal(csms.disconnects, csms.connections);
  });

  test('without --quiet: a banner on stderr and the report with its per-action table on stdout', async () => {
    const file = summaryFile();
    const r = await runCli(['run', SMALL, '--stations', '10', '--duration', '4s', '--summary-export', file]);
    assertExit(r, 0);
    assertNoStack(r);
    assert.match(r.stderr, /cli-small — 10 stations for 4s against ws:\/\/127\.0\.0\.1:\d+\/ocpp \(embedded CSMS\)/);
    assert.match(r.stdout, /end-of-test summary/);
    assert.match(r.stdout, /^\s+action\s+count\s+calls\/s\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+svc p99\s+failed\s+rejected$/m);
    const s = readJson(file);
    for (const [action, c] of Object.entries(s.actions)) {
      assert.match(r.stdout, new RegExp(`^\\s+${action}\\s+${(c as { count: number }).count}\\s`, 'm'), `no row for ${action}:\n${r.stdout}`);
    }
    assert.match(r.stdout, new RegExp(`^\\s+all\\s+${s.calls.count}\\s`, 'm'));
    assert.match(r.stdout, /^\s+BootNotification\s+10\s/m);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colours when stdout is not a terminal');
  });

  test('--seed: the same seed gives the same station ids and identities, another seed other identities', async () => {
    const servers = await Promise.all([recordingServer(), recordingServer(), recordingServer()]);
    try {
      const seeds = ['11', '11', '12'];
      const results = await Promise.all(servers.map((srv, i) => runCli(
        ['run', SMALL, '--target', `${srv.url}/ocpp`, '--stations', '6', '--duration', '3s', '--seed', seeds[i]!, '--quiet'])));
      for (const r of results) assertExit(r, 0);
      const [a, b, c] = servers.map(boots);
      assert.deepEqual(a!.ids, ['CLI-0000', 'CLI-0001', 'CLI-0002', 'CLI-0003', 'CLI-0004', 'CLI-0005']);
      assert.equal(a!.stations.length, 6, 'six distinct identities');
      assert.deepEqual(b, a, 'same seed, same fleet');
      assert.deepEqual(c!.ids, a!.ids, 'ids come from the template, not the seed');
      assert.equal(c!.stations.filter((x) => a!.stations.includes(x)).length, 0, 'another seed, other identities');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  test('--target on a closed port: the run completes, connect failures are counted, exit 0', async () => {
    const file = summaryFile();
    const port = await closedPort();
    const r = await runCli(['run', SMALL, '--target', `ws://127.0.0.1:${port}/ocpp`, '--stations', '10', '--duration', '3s', '--summary-export', file, '--quiet']);
    assertExit(r, 0);
    assertNoStack(r);
    const s = readJson(file);
    // cli-small waits 25 s before a reconnect: a run that waited for its stations' back-off would last over 28 s.
    assert.ok(s.run.durationMs < 20_000, `durationMs ${s.run.durationMs}: stations waiting to reconnect must not hold the run up`);
    assert.equal(s.run.target, `ws://127.0.0.1:${port}/ocpp`);
    assert.ok(s.connect.attempts >= 10, `attempts ${s.connect.attempts}`);
    assert.equal(s.connect.ok, 0);
    assert.equal(s.connect.failed, s.connect.attempts);
    assert.equal(s.connect.errors.refused, s.connect.attempts);
    assert.equal(s.calls.count, 0);
    assert.equal(s.metrics.ocpp_connect_failed.values.rate, 1);
    assert.equal(s.embeddedCsms, undefined, 'no embedded CSMS with --target');
  });

  for (const [args, flag] of [
    [['--stations', 'abc'], '--stations'],
    [['--stations', '0'], '--stations'],
    [['--stations', '2.5'], '--stations'],
    [['--duration', 'xyz'], '--duration'],
    [['--duration', '0s'], '--duration'],
    [['--seed', '-1'], '--seed'],
    [['--validation', 'loose'], '--validation'],
    [['--target', 'http://127.0.0.1:9000/ocpp'], '--target'],
  ] as const) {
    test(`${args.join(' ')}: exit 104 naming ${flag}, before anything runs`, async () => {
      const file = summaryFile();
      const r = await runCli(['run', SMALL, ...args, '--summary-export', file]);
      assertExit(r, 104);
      assertNoStack(r);
      assert.ok(r.stderr.includes(flag), r.stderr);
      assert.ok(r.stderr.includes(`'${args[1]}'`) || r.stderr.includes(args[1]), `the bad value is quoted:\n${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(file), false, 'no run, no summary');
    });
  }

  test('an invalid scenario: exit 104 with its problems, nothing runs', async () => {
    const r = await runCli(['run', 'fixtures/scenarios/cli-invalid.yaml', '--stations', '5']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /cli-invalid\.yaml:\d+:\d+  stations\[0\]\.cuont: unknown key/);
  });

  test('a bad flag and a bad file: both reported at once, the command line first (docs/scenario-format.md)', async () => {
      const r = await runCli(['run', 'fixtures/scenarios/cli-invalid.yaml', '--stations', 'abc']);
      assertExit(r, 104);
      assert.match(r.stderr, /command line {2}--stations: [^\n]*\n[^]*cli-invalid\.yaml:\d+:\d+ {2}stations\[0\]\.cuont/);
    });

  test('--summary-export into a missing directory: exit 104 at once, not after the whole run', async () => {
    const started = Date.now();
    const bad = tmp.file('no-such-dir/summary.json');
    const r = await runCli(['run', SMALL, '--stations', '2', '--duration', '30s', '--quiet', '--summary-export', bad]);
    assertExit(r, 104);
    assertNoStack(r);
    assert.ok(r.stderr.includes('--summary-export') && r.stderr.includes(bad), r.stderr);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms: the 30 s run must not have started`);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during a run: exit 105 and a partial summary is written`, async () => {
      const server = await recordingServer();
      try {
        const file = summaryFile();
        const cli = startCli(['run', SMALL, '--target', `${server.url}/ocpp`, '--stations', '10', '--duration', '30s', '--summary-export', file], 40_000);
        // Signal once the run is under way: the first station has booted.
        const deadline = Date.now() + 10_000;
        while (!server.received.some((t) => t.includes('"BootNotification"'))) {
          assert.ok(Date.now() < deadline, 'no station booted within 10 s');
          await new Promise((r) => setTimeout(r, 50));
        }
        const signalled = Date.now();
        cli.child.kill(signal);
        const r = await cli.done;
        assertExit(r, 105);
        assertNoStack(r);
        assert.ok(Date.now() - signalled < 10_000, `took ${Date.now() - signalled} ms to stop`);
        assert.match(r.stderr, /interrupted/);
        assert.match(r.stdout, /end-of-test summary/, 'the partial report is printed too');
        const s = readJson(file);
        assert.ok(s.run.durationMs < 20_000, `durationMs ${s.run.durationMs}`);
        assert.ok(s.actions.BootNotification.count >= 1, 'what happened before the signal is in the summary');
        assert.equal(s.gauges.stations_connected.value, 0, 'every station was stopped');
      } finally {
        await server.close();
      }
    });
  }
});
