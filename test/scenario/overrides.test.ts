import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { apportion } from '../../src/scenario/overrides.js';
import { totalStations } from '../../src/scenario/spec.js';
import { problemAt, problemsOf, repoPath } from './helpers.js';

const MULTI = repoPath('fixtures/scenarios/multi-group.yaml');

describe('apportion (largest remainder)', () => {
  it('sums exactly and stays proportional', () => {
    assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(apportion(7, [50, 30, 20]), [4, 2, 1]);
    assert.deepEqual(apportion(100, [50, 30, 20]), [50, 30, 20]);
    assert.deepEqual(apportion(1, [800, 200]), [1, 0]);
    for (const total of [1, 2, 3, 97, 1001, 123_457]) {
      const parts = apportion(total, [3, 7, 11, 13]);
      assert.equal(parts.reduce((a, b) => a + b, 0), total);
      parts.forEach((n, i) => assert.ok(Math.abs(n - (total * [3, 7, 11, 13][i]!) / 34) < 1));
    }
  });
});

describe('--stations override', () => {
  it('spreads the total over groups with an exact sum and scales phase targets', () => {
    const spec = loadScenarioFile(MULTI, { stations: 7 });
    assert.deepEqual(spec.groups.map((g) => [g.name, g.count]), [['a', 4], ['b', 2], ['c', 1]]);
    assert.equal(totalStations(spec), 7);
    // target 80 of 100 → 80% of 7 = 5.6 → 6; 100% → 7; 0 stays 0.
    assert.deepEqual(spec.phases.map((p) => p.target), [6, 7, 0]);
  });

  it('scales up too', () => {
    const spec = loadScenarioFile(MULTI, { stations: 1001 });
    assert.deepEqual(spec.groups.map((g) => g.count), [501, 300, 200]);
    assert.deepEqual(spec.phases.map((p) => p.target), [801, 1001, 0]);
  });

  it('drops groups scaled to zero stations', () => {
    const spec = loadScenarioFile(MULTI, { stations: 1 });
    assert.deepEqual(spec.groups.map((g) => [g.name, g.count]), [['a', 1]]);
  });

  it('re-checks station ids against the new count', () => {
    const yaml = 'stations:\n  - count: 10\n    idTemplate: "A-Station-With-A-Rather-Long-Name-And-Number-{index}"\n';
    assert.ok(parseScenario(yaml, 'ok.yaml'));
    const p = problemAt(problemsOf(yaml, { stations: 100_000 }), 'stations[0].idTemplate');
    assert.match(p.message, /at most 48.*--stations/);
  });
});

describe('--duration override', () => {
  it('scales the phases so they sum to the new duration', () => {
    const spec = loadScenarioFile(MULTI, { duration: 20_000 });
    assert.deepEqual(spec.phases.map((p) => p.duration), [5_000, 10_000, 5_000]);
    assert.equal(spec.duration, 20_000);
  });

  it('keeps an exact sum when the split is uneven', () => {
    const spec = loadScenarioFile(repoPath('scenarios/quickstart.yaml'), { duration: 100_001 });
    assert.equal(spec.phases.reduce((a, p) => a + p.duration, 0), 100_001);
    assert.equal(spec.duration, 100_001);
  });
});

describe('other overrides', () => {
  it('replace target, seed and validation', () => {
    const spec = loadScenarioFile(MULTI, { target: 'wss://csms.example.com/ocpp/', seed: 9, validation: 'off' });
    assert.equal(spec.target, 'wss://csms.example.com/ocpp');
    assert.equal(spec.seed, 9);
    assert.equal(spec.validation, 'off');
  });

  it('invalid overrides are reported with the file problems, first', () => {
    const problems = problemsOf('stations: [{count: 0}]\n', {
      target: 'http://x', stations: 2.5, duration: -1, seed: -3, validation: 'loud' as 'off',
    });
    assert.deepEqual(problems.map((p) => p.path), ['--target', '--stations', '--duration', '--seed', '--validation', 'stations[0].count']);
    assert.ok(problems.slice(0, 5).every((p) => p.file === 'command line' && p.line === undefined));
  });
});
