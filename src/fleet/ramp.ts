import type { Phase } from '../scenario/spec.js';

/**
 * Stations that should be connected `elapsedMs` into the run (k6 ramping stages): linear from the previous
 * phase's target to this phase's target over its duration. Returns 0 after the last phase.
 */
export function targetAt(phases: readonly Phase[], elapsedMs: number): number {
  let start = 0;
  let from = 0;
  for (const p of phases) {
    if (elapsedMs < start + p.duration) {
      const f = p.duration > 0 ? (elapsedMs - start) / p.duration : 1;
      return Math.round(from + (p.target - from) * f);
    }
    start += p.duration;
    from = p.target;
  }
  return 0;
}

/**
 * A shard's share of a whole-fleet target: the fleet's first `target` stations in plan order are the ones
 * connected, so a shard connects its own stations among them — those with index < target and
 * index % count === shard.index. Exact: over all shards the shares add up to the target.
 */
export function shardTarget(target: number, shard: { index: number; count: number }): number {
  return target > shard.index ? Math.floor((target - 1 - shard.index) / shard.count) + 1 : 0;
}
