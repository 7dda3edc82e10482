import type { Rng } from '../util/rng.js';
import type { RateStage } from '../scenario/spec.js';

/**
 * The fleet-wide arrival sequence of an arrival-rate executor: arrival n happens when the integrated rate
 * reaches n (evenly spaced), or n unit-exponential steps of integrated rate (Poisson, a non-homogeneous process
 * by time change). Every shard computes the same global sequence from the run seed and takes the arrivals
 * with n % count === index — an exact split of arrivals, as k6's execution segments do, and independent of how
 * few stations a shard holds (a per-shard rate would wait one long gap at the foot of a ramp).
 */
export class ArrivalSequence {
  private n = 0;
  /** Elapsed time (ms) of the last arrival computed, and the integrated rate (arrivals) up to it. */
  private t = 0;
  private stage = 0;

  constructor(
    private readonly startRate: number,
    private readonly stages: readonly RateStage[],
    private readonly poisson: boolean,
    private readonly rng: Rng,
    private readonly shard: { index: number; count: number },
  ) {}

  /** Elapsed ms of this shard's next arrival, or Infinity when the rate stays at 0 for good. */
  next(): number {
    for (;;) {
      const step = this.poisson ? this.rng.exponential(1) : this.n === 0 ? 0 : 1;
      const at = this.advance(step);
      if (at === Infinity) return Infinity;
      const mine = this.n % this.shard.count === this.shard.index;
      this.n++;
      if (mine) return at;
    }
  }

  /** Moves t forward until `need` more arrivals' worth of rate has been integrated. */
  private advance(need: number): number {
    let left = need;
    for (;;) {
      const seg = this.segment();
      const a = seg.rateAt(this.t); // per second
      const b = seg.slope; // per second per ms
      const end = seg.end;
      // Arrivals available before the segment ends: ∫ rate dt (rate per s, t in ms).
      const span = end - this.t;
      const avail = span === Infinity ? Infinity : ((a + (a + b * span)) / 2) * (span / 1000);
      if (left <= 1e-12) return this.t;
      if (avail >= left) {
        this.t += solve(a, b, left);
        return this.t;
      }
      if (end === Infinity) return Infinity; // constant rate 0 forever
      left -= avail;
      this.t = end;
      this.stage++;
    }
  }

  /** The linear piece of the rate at the current stage: start, slope, end (ms since run start). */
  private segment(): { rateAt(t: number): number; slope: number; end: number } {
    let t0 = 0;
    let from = this.startRate;
    for (let i = 0; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      if (i === this.stage && s.duration > 0) {
        const slope = (s.target - from) / s.duration;
        const start = t0;
        const r0 = from;
        return { rateAt: (t) => r0 + slope * (t - start), slope, end: t0 + s.duration };
      }
      if (i === this.stage) this.stage++;
      t0 += s.duration;
      from = s.target;
    }
    const last = from;
    return { rateAt: () => last, slope: 0, end: Infinity };
  }
}

/** dt (ms) such that ∫_0^dt (a + b·x) dx / 1000 = need, with a per second and b per second per ms. */
function solve(a: number, b: number, need: number): number {
  const target = need * 1000;
  if (Math.abs(b) < 1e-15) return target / a;
  // (b/2)·dt² + a·dt − target = 0
  const disc = a * a + 2 * b * target;
  return (-a + Math.sqrt(Math.max(0, disc))) / b;
}
