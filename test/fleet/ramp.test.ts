import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shardTarget, targetAt } from '../../src/fleet/ramp.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Phase } from '../../src/scenario/spec.js';

const ph = (...p: [duration: number, target: number][]): Phase[] => p.map(([duration, target], i) => ({ name: `p${i + 1}`, duration, target }));

// up 0 -> 100 over 10 s, hold 20 s, down 100 -> 0 over 10 s.
const UP_HOLD_DOWN = ph([10_000, 100], [20_000, 100], [10_000, 0]);

describe('targetAt', () => {
  test('linear ramp up from 0, hold, linear ramp down to 0', () => {
    const at = (ms: number): number => targetAt(UP_HOLD_DOWN, ms);
    assert.equal(at(0), 0);
    assert.equal(at(1_000), 10);
    assert.equal(at(2_500), 25);
    assert.equal(at(5_000), 50);
    assert.equal(at(9_999), 100);
    assert.equal(at(10_000), 100);
    assert.equal(at(20_000), 100);
    assert.equal(at(29_999), 100);
    assert.equal(at(30_000), 100);
    assert.equal(at(32_500), 75);
    assert.equal(at(35_000), 50);
    assert.equal(at(39_000), 10);
    assert.equal(at(39_999), 0);
  });

  test('0 at and after the end of the last phase, whatever its target', () => {
    assert.equal(targetAt(UP_HOLD_DOWN, 40_000), 0);
    assert.equal(targetAt(UP_HOLD_DOWN, 1e9), 0);
    assert.equal(targetAt(ph([10_000, 100]), 10_000), 0);
    assert.equal(targetAt([], 0), 0);
  });

  test('piecewise linear: every point lies on the segment between the neighbouring phase ends', () => {
    const phases = ph([4_000, 40], [6_000, 100], [5_000, 30], [5_000, 0]);
    const ends = [[0, 0], [4_000, 40], [10_000, 100], [15_000, 30], [20_000, 0]] as const;
    for (let ms = 0; ms < 20_000; ms += 37) {
      const k = ends.findIndex(([t]) => t > ms) - 1;
      const [t0, v0] = ends[k]!;
      const [t1, v1] = ends[k + 1]!;
      const exact = v0 + ((v1 - v0) * (ms - t0)) / (t1 - t0);
      assert.equal(targetAt(phases, ms), Math.round(exact), `at ${ms} ms`);
    }
  });

  test('a ramp starts from the previous phase\'s target, not from 0', () => {
    const phases = ph([10_000, 80], [20_000, 100]);
    assert.equal(targetAt(phases, 10_000), 80);
    assert.equal(targetAt(phases, 20_000), 90);
    assert.equal(targetAt(phases, 29_999), 100);
  });

  test('monotone during a ramp up and during a ramp down (no station is started then stopped by rounding)', () => {
    let last = -1;
    for (let ms = 0; ms < 10_000; ms += 7) {
      const v = targetAt(ph([10_000, 37]), ms);
      assert.ok(v >= last, `${v} < ${last} at ${ms}`);
      last = v;
    }
    last = Infinity;
    for (let ms = 10_000; ms < 20_000; ms += 7) {
      const v = targetAt(ph([10_000, 37], [10_000, 0]), ms);
      assert.ok(v <= last, `${v} > ${last} at ${ms}`);
      last = v;
    }
  });

  test('a zero-length phase jumps to its target at its start, and the next ramp starts from there', () => {
    const phases = ph([10_000, 100], [0, 20], [10_000, 60]);
    assert.equal(targetAt(phases, 9_999), 100);
    assert.equal(targetAt(phases, 10_000), 20);
    assert.equal(targetAt(phases, 15_000), 40);
    assert.equal(targetAt(phases, 19_999), 60);
  });

  test('a zero-length first phase starts the run at its target; a zero-length last phase ends it', () => {
    assert.equal(targetAt(ph([0, 100], [10_000, 100]), 0), 100);
    assert.equal(targetAt(ph([0, 50], [10_000, 100]), 5_000), 75);
    assert.equal(targetAt(ph([10_000, 100], [0, 0]), 9_999), 100);
    assert.equal(targetAt(ph([10_000, 100], [0, 0]), 10_000), 0);
  });

  test('several zero-length phases in a row: the last one wins', () => {
    const phases = ph([5_000, 10], [0, 90], [0, 30], [5_000, 30]);
    assert.equal(targetAt(phases, 5_000), 30);
    assert.equal(targetAt(phases, 7_500), 30);
  });

  test('the phases a scenario gets from `duration:` alone (ramp-up 25 %, hold, ramp-down 10 % to 0)', () => {
    const s = parseScenario('stations: [{ count: 40 }]\nduration: 4s', 'ramp.yaml');
    assert.deepEqual(s.phases.map((p) => [p.duration, p.target]), [[1_000, 40], [2_600, 40], [400, 0]]);
    assert.equal(targetAt(s.phases, 500), 20);
    assert.equal(targetAt(s.phases, 1_000), 40);
    assert.equal(targetAt(s.phases, 3_800), 20);
    assert.equal(targetAt(s.phases, 4_000), 0);
  });
});

describe('shardTarget', () => {
  // A shard's share of the fleet target; the fleet's first `target` stations in plan order connect.
  const share = (t: number, total: number, n: number, i: number): number => Math.min(planSizeOf(total, n, i), shardTarget(t, { index: i, count: n }));
  const planSizeOf = (total: number, n: number, i: number): number => (total > i ? Math.floor((total - 1 - i) / n) + 1 : 0);

  test('one shard: the fleet target itself', () => {
    for (let t = 0; t <= 10; t++) assert.equal(shardTarget(t, { index: 0, count: 1 }), t);
  });

  test('target 0: every shard 0; a shard whose first station is beyond the target: 0', () => {
    for (let i = 0; i < 4; i++) assert.equal(shardTarget(0, { index: i, count: 4 }), 0);
    assert.equal(shardTarget(3, { index: 3, count: 4 }), 0);
    assert.equal(shardTarget(4, { index: 3, count: 4 }), 1);
  });

  test('monotone in the fleet target and never above the shard\'s stations', () => {
    for (const [total, n] of [[10, 4], [7, 3], [1000, 3]] as const) {
      for (let i = 0; i < n; i++) {
        let last = 0;
        for (let t = 0; t <= total; t++) {
          const v = share(t, total, n, i);
          assert.ok(v <= planSizeOf(total, n, i) && v >= last, `shard ${i}/${n} of ${total} at ${t} = ${v}`);
          last = v;
        }
      }
    }
  });

  test('over all shards: the connected stations add up to the fleet target exactly', () => {
    for (const total of [1, 7, 10, 12, 100, 1001]) {
      for (let n = 1; n <= 5; n++) {
        for (let t = 0; t <= total; t++) {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += share(t, total, n, i);
          assert.equal(sum, t, `${n} shards of ${total} at target ${t}`);
        }
      }
    }
  });

  test('nested shards compose: process j of P within shard i of N is shard i + N*j of N*P', () => {
    const N = 3, P = 2, t = 17;
    for (let i = 0; i < N; i++) {
      let inner = 0;
      for (let j = 0; j < P; j++) inner += shardTarget(t, { index: i + N * j, count: N * P });
      assert.equal(inner, shardTarget(t, { index: i, count: N }));
    }
  });
});
