/**
 * Small seeded PRNG (splitmix32 mixing + mulberry32 stream). Every random decision of a station derives from
 * (run seed, global station index, stream) so a station behaves the same wherever its shard runs.
 */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number { return min + (max - min) * this.next(); }
  /** Integer in [min, max]. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  /** Exponential with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number { return -Math.log(1 - this.next()) * mean; }
  /** Standard normal (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
}

/** Derives a 32-bit seed from several integers (run seed, station index, stream number). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= (p >>> 0) + 0x9e3779b9 + (h << 6) + (h >>> 2);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    // fold in the high part of large indices
    h ^= Math.floor(p / 4294967296);
  }
  return h >>> 0;
}
