import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { startCsms } from '../../src/csms/server.js';
import { parseGroundTruth } from '../../src/detection/index.js';
import { assertExit, assertNoStack, readJson, runCli, tempDir } from './helpers.js';

const ATTACK = 'fixtures/scenarios/cli-attack.yaml';
const tmp = tempDir();
after(() => tmp.cleanup());

test('a sharded attack run: each shard keeps its part of the ground truth, `merge --alerts` scores the whole run and gates it', async () => {
  const alertLog = tmp.file('csms-alerts.jsonl');
  const csms = await startCsms({ detector: { enabled: true, alertsFile: alertLog, thresholds: { warmupMs: 1000 } } });
  const shard = (i: number): string => tmp.file(`shard-${i}.json`);
  try {
    const startAt = String(Date.now() + 3000);
    const runs = await Promise.all([0, 1].map((i) => runCli(['run', ATTACK, '--target', `${csms.url}/ocpp`, '--shard', `${i}/2`, '--start-at', startAt,
      '--summary-export', shard(i), '--ground-truth', tmp.file('gt-{shard}.jsonl'), '--threshold', 'detection_recall{type:A06}:value>=0.9', '--quiet'])));
    for (const r of runs) assertExit(r, 0);
    // Each shard: not scored, its part of the ground truth, the threshold deferred to the merge.
    for (const i of [0, 1]) {
      const d = readJson(shard(i)).detection;
      assert.equal(d.scored, false);
      assert.deepEqual(d.deferredThresholds.map((t: { metric: string }) => t.metric), ['detection_recall{type:A06}']);
      assert.deepEqual(readJson(shard(i)).thresholds, []);
      assert.equal(parseGroundTruth(readFileSync(tmp.file(`gt-${i}.jsonl`), 'utf8')).run?.stations, 3);
    }
    const parts = [0, 1].flatMap((i) => readJson(shard(i)).detection.groundTruth.instances.map((x: { id: string }) => x.id));
    assert.deepEqual([...new Set(parts)].sort(), ['a06-1', 'a06-2']);
  } finally {
    await csms.close();
  }
  const merged = tmp.file('merged.json');
  const gt = tmp.file('merged-gt.jsonl');
  const r = await runCli(['merge', shard(0), shard(1), '--alerts', alertLog, '--ground-truth', gt, '--summary-export', merged, '--no-color']);
  assertExit(r, 0);
  assertNoStack(r);
  const s = readJson(merged);
  const d = s.detection;
  assert.equal(d.scored, true);
  assert.equal(d.run.stations, 6);
  assert.equal(d.byType.A06.instances, 2);
  assert.equal(d.byType.A06.recall, 1, JSON.stringify(d.instances));
  assert.ok(d.intake.files[0].accepted >= 2);
  assert.deepEqual(s.thresholds.map((t: { metric: string; passed: boolean }) => [t.metric, t.passed]), [['detection_recall{type:A06}', true]]);
  assert.match(r.stdout, /A06 +2 +2 +0 +100\.0%/);
  assert.deepEqual(parseGroundTruth(readFileSync(gt, 'utf8')).instances.map((i) => i.id).sort(), ['a06-1', 'a06-2']);
  // The same merge with a gate the run fails: exit 99; without the alerts every attack is missed.
  const failing = await runCli(['merge', shard(0), shard(1), '--quiet']);
  assertExit(failing, 99);
  assert.match(failing.stderr, /no alerts/);
});
