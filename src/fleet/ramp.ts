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

/** Scales a whole-fleet target to one shard's share (its stations / all stations), exactly at the ends. */
export function shardTarget(target: number, total: number, mine: number): number {
  if (total === 0) return 0;
  return Math.min(mine, Math.round((target * mine) / total));
}
