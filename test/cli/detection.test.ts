import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { startCsms } from '../../src/csms/server.js';
import type { Alert as CsmsAlert } from '../../src/csms/detector/index.js';
import { parseGroundTruth } from '../../src/detection/index.js';
import { assertExit, assertNoStack, closedPort, readJson, runCli, tempDir } from './helpers.js';

const ATTACK = 'fixtures/scenarios/cli-attack.yaml';
const tmp = tempDir();
after(() => tmp.cleanup());

/** The CSMS under test for the "foreign CSMS" cases: the embedded one, started here with its detector learning for 1 s. */
async function foreignCsms(sinks: { alertsWebhook?: string; alertsFile?: string; onAlert?: (a: CsmsAlert) => void }) {
  return startCsms({ detector: { enabled: true, thresholds: { warmupMs: 1000 }, ...sinks } });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function assertA06Detected(d: any, where: string): void {
  assert.equal(d.scored, true, where);
  assert.equal(d.byType.A06.instances, 2, `${where}: ${JSON.stringify(d.byType)}`);
  assert.equal(d.byType.A06.recall, 1, `${where}: ${JSON.stringify(d.instances)}`);
  for (const v of d.instances) {
    assert.equal(v.type, 'A06');
    assert.equal(v.detected, true, `${where}: ${v.id}`);
    assert.match(v.firstAlertCategory, /token-brute-force/);
    assert.ok(v.latencyMs >= 0 && v.latencyMs < 10_000, `${where}: latency ${v.latencyMs}`);
  }
}

describe('chargestorm run: detection scoring', { concurrency: 2 }, () => {
  test('embedded CSMS, --procs 2: its detector\'s alerts are scored, ground truth written, detection section and gates (exit 99)', async () => {
    const summary = tmp.file('embedded.json');
    const gt = tmp.file('embedded-gt.jsonl');
    const junit = tmp.file('embedded.xml');
    const r = await runCli(['run', ATTACK, '--procs', '2', '--summary-export', summary, '--ground-truth', gt, '--junit', junit, '--no-color',
      '--threshold', 'detection_recall{type:A06}:value>=0.9', '--threshold', 'detection_fn{type:A06}:count>0']);
    assertExit(r, 99);
    assertNoStack(r);
    const s = readJson(summary);
    assert.equal(s.execution.processes, 2);
    const d = s.detection;
    assertA06Detected(d, 'embedded');
    assert.equal(d.intake.embeddedDetector, true);
    assert.ok(d.intake.inProcess.accepted >= 2);
    assert.equal(d.planned, 2);
    assert.deepEqual(d.notInjected, []);
    assert.equal(d.settings.warmupMs, 1000);
    assert.equal(d.run.scoreFromMs - d.run.startMs, 1000);
    assert.equal(typeof d.byType.A06.conformance.expected, 'number');
    assert.equal(s.metrics['detection_recall{type:A06}'].values.value, 1);
    assert.equal(s.metrics['detection_tp{type:A06}'].values.count, 2);
    // The recall gate passes, the one asking for a miss fails: exit 99, both in the results and the JUnit file.
    const byMetric = Object.fromEntries(s.thresholds.map((t: { metric: string; passed: boolean }) => [t.metric, t.passed]));
    assert.deepEqual(byMetric, { 'detection_recall{type:A06}': true, 'detection_fn{type:A06}': false });
    assert.match(readFileSync(junit, 'utf8'), /detection_fn\{type:A06\}/);
    // The ground truth: run record, both instances (their parts from two processes merged), their reactions.
    const g = parseGroundTruth(readFileSync(gt, 'utf8'));
    assert.deepEqual(g.problems, []);
    assert.equal(g.run?.stations, 6);
    assert.deepEqual(g.instances.map((i) => i.id).sort(), ['a06-1', 'a06-2']);
    assert.deepEqual(g.instances.map((i) => i.id).sort(), d.instances.map((v: { id: string }) => v.id).sort());
    assert.ok(g.reactions.length >= 20 && g.reactions.every((x) => x.instanceId.startsWith('a06-')));
    // The terminal table.
    assert.match(r.stdout, /DETECTION {2}detection scoring/);
    assert.match(r.stdout, /type +inst +TP +FN +recall \[Wilson 95%\] +prec +latency p50\/p95\/max +conf +FP +FP\/h/);
    assert.match(r.stdout, /A06 +2 +2 +0 +100\.0% \[/);
  });

  test('a foreign CSMS posting its alerts to --alerts-listen: they arrive over HTTP and are scored', async () => {
    const port = await closedPort();
    const csms = await foreignCsms({ alertsWebhook: `http://127.0.0.1:${port}/alerts` });
    try {
      const summary = tmp.file('webhook.json');
      const r = await runCli(['run', ATTACK, '--target', `${csms.url}/ocpp`, '--alerts-listen', `127.0.0.1:${port}`, '--summary-export', summary, '--quiet']);
      assertExit(r, 0);
      const d = readJson(summary).detection;
      assertA06Detected(d, 'webhook');
      assert.equal(d.intake.embeddedDetector, false);
      assert.ok(d.intake.webhook.requests >= 1 && d.intake.webhook.accepted >= 2, JSON.stringify(d.intake));
    } finally {
      await csms.close();
    }
  });

  test('a foreign CSMS writing a JSONL alert log: --alerts-file follows it', async () => {
    const file = tmp.file('csms-alerts.jsonl');
    const csms = await foreignCsms({ alertsFile: file });
    try {
      const summary = tmp.file('jsonl.json');
      const r = await runCli(['run', ATTACK, '--target', `${csms.url}/ocpp`, '--alerts-file', file, '--summary-export', summary, '--quiet']);
      assertExit(r, 0);
      const d = readJson(summary).detection;
      assertA06Detected(d, 'jsonl');
      assert.ok(d.intake.files[0].accepted >= 2, JSON.stringify(d.intake));
    } finally {
      await csms.close();
    }
  });

  test('an Alertmanager-style API polled with --alerts-poll, station named through the scenario\'s mapping', async () => {
    // The CSMS's alerts, re-published as Alertmanager API v2 items with the station in a custom label.
    const items: unknown[] = [];
    const csms = await foreignCsms({
      onAlert: (a) => {
        const station = a.entity === 'fleet' ? undefined : a.entity.stationId;
        items.push({ fingerprint: a.alertId, startsAt: a.ts, labels: { alertname: a.category, severity: a.severity, ...(station ? { charger: station } : {}) }, annotations: {} });
      },
    });
    const api = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(items)); });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const scenario = tmp.file('poll.yaml');
      writeFileSync(scenario, readFileSync(ATTACK, 'utf8').replace('detection: { warmup: 1s, tail: 1s }',
        'detection: { warmup: 1s, tail: 1s, alerts: { pollInterval: 500ms, mapping: { station: labels.charger } } }'));
      const summary = tmp.file('poll.json');
      const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/v2/alerts`;
      const r = await runCli(['run', scenario, '--target', `${csms.url}/ocpp`, '--alerts-poll', url, '--summary-export', summary, '--quiet']);
      assertExit(r, 0);
      const d = readJson(summary).detection;
      assertA06Detected(d, 'poll');
      assert.ok(d.intake.polls[0].polls >= 3 && d.intake.polls[0].accepted >= 2, JSON.stringify(d.intake));
    } finally {
      api.close();
      await csms.close();
    }
  });

  test('a detection threshold with a typo\'d metric or an impossible type is invalid input (104), before anything runs', async () => {
    const r = await runCli(['run', ATTACK, '--threshold', 'detection_recal{type:A06}:value>=0.9', '--threshold', 'detection_recall{type:A6}:value>=0.9',
      '--threshold', 'false_alarms_per_hour{type:A06}:value<=0.5']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /unknown metric "detection_recal" \(did you mean "detection_recall"\?\)/);
    assert.match(r.stderr, /type "A6" is not an attack type/);
    assert.match(r.stderr, /false_alarms_per_hour has no tag "type"/);
    assert.doesNotMatch(r.stderr, /chargestorm: cli-attack —/, 'nothing ran');
    const listen = await runCli(['run', ATTACK, '--alerts-listen', 'http://x:99']);
    assertExit(listen, 104);
    assert.match(listen.stderr, /--alerts-listen expects PORT or HOST:PORT/);
    const poll = await runCli(['run', ATTACK, '--alerts-poll', 'ftp://x/alerts']);
    assertExit(poll, 104);
    assert.match(poll.stderr, /--alerts-poll expects an http:\/\/ or https:\/\/ URL/);
  });
});
