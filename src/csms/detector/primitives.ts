/**
 * Constant-memory streaming primitives of the detector (ATTACKS.md §5). Each is a handful of numbers, updated in
 * event time (the CSMS clock at frame receipt) and never allocating on update.
 */

/**
 * Token bucket: `rate` tokens per second up to `burst`. `take(now, cost)` refills by the time elapsed and debits;
 * it returns false (and debits nothing) when the bucket cannot pay.
 */
export class TokenBucket {
  tokens: number;
  lastMs: number;

  constructor(readonly rate: number, readonly burst: number, nowMs: number) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  take(nowMs: number, cost = 1): boolean {
    const dt = nowMs - this.lastMs;
    if (dt > 0) {
      const t = this.tokens + (dt / 1000) * this.rate;
      this.tokens = t > this.burst ? this.burst : t;
      this.lastMs = nowMs;
    }
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Gives back part of a charge (an event that turned out cheaper, e.g. an offline backlog TransactionEvent). */
  refund(amount: number): void {
    const t = this.tokens + amount;
    this.tokens = t > this.burst ? this.burst : t;
  }
}

/**
 * Exponentially decaying event counter: value ← value·e^(−Δt/τ) + n. Two floats; a burst of k events within a
 * small fraction of τ reads ≈ k, a steady rate r reads ≈ r·τ.
 */
export class Leaky {
  value = 0;
  lastMs = 0;

  constructor(readonly tauMs: number) {}

  add(nowMs: number, n = 1): number {
    this.value = this.read(nowMs) + n;
    this.lastMs = nowMs;
    return this.value;
  }

  read(nowMs: number): number {
    if (this.value === 0) return 0;
    const dt = nowMs - this.lastMs;
    return dt <= 0 ? this.value : this.value * Math.exp(-dt / this.tauMs);
  }

  reset(): void { this.value = 0; }
}

/** A decayed count has reached `threshold`: a burst of exactly `threshold` events spread over a small part of τ counts. */
export function reached(value: number, threshold: number): boolean {
  return value >= threshold - 0.05;
}

/**
 * A windowed, capped set of distinct tokens (lower-cased) with the time each was last seen, as two parallel arrays:
 * drops what is older than `windowMs`, moves `token` to the newest place (dropping the oldest at `cap`), and
 * returns the set's size.
 */
export function addDistinct(list: string[], ms: number[], token: string, nowMs: number, windowMs: number, cap: number): number {
  while (ms.length > 0 && nowMs - ms[0]! > windowMs) { list.shift(); ms.shift(); }
  const at = list.indexOf(token);
  if (at >= 0) { list.splice(at, 1); ms.splice(at, 1); }
  if (list.length >= cap) { list.shift(); ms.shift(); }
  list.push(token);
  ms.push(nowMs);
  return list.length;
}

/** Level rules whose hysteresis `levelAlert` keeps, one bit each in `StationDet.disarmed`. */
export const Level = Object.freeze({ authorizeTokens: 1, txTokens: 2, certRefusals: 4 });

/**
 * Hysteresis of a level rule (a decayed count, a windowed distinct set): true once when `value` reaches `threshold`,
 * then not again until it has fallen below half of it. An attack's residue in the level (a burst decays over τ, a
 * window holds guessed tokens for minutes) must not turn the next benign event at that station into a new alert.
 */
export function levelAlert(holder: { disarmed: number }, bit: number, value: number, threshold: number): boolean {
  if ((holder.disarmed & bit) !== 0) {
    if (value >= threshold / 2) return false;
    holder.disarmed &= ~bit;
  }
  if (!reached(value, threshold)) return false;
  holder.disarmed |= bit;
  return true;
}

/**
 * EWMA of a series with an EWMA variance (λ per observation). `frozen` keeps the baseline from learning while an
 * alarm is open, so slow poisoning cannot drag it along (ATTACKS.md §5 L2).
 */
export class Ewma {
  mean: number;
  variance: number;
  n = 0;

  constructor(readonly lambda: number, mean0 = 0, variance0 = 0) {
    this.mean = mean0;
    this.variance = variance0;
  }

  update(x: number): void {
    this.n++;
    if (this.n === 1 && this.mean === 0 && this.variance === 0) { this.mean = x; return; }
    const d = x - this.mean;
    this.mean += this.lambda * d;
    this.variance = (1 - this.lambda) * (this.variance + this.lambda * d * d);
  }

  get sd(): number { return Math.sqrt(this.variance); }
}

/**
 * One-sided CUSUM on an already normalised shortfall x (≥ 0 means "worse"): S ← max(0, S + x − k); alarm at h.
 */
export class Cusum {
  s = 0;
  constructor(readonly k: number, readonly h: number) {}
  add(x: number): boolean {
    const s = this.s + x - this.k;
    this.s = s > 0 ? s : 0;
    return this.s >= this.h;
  }
  reset(): void { this.s = 0; }
}

/** 32-bit FNV-1a over a string, folded into `h` (start with 0x811c9dc5). */
export function fnvStep(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a number into a 32-bit hash (its float bits, so 1 and 1.0000001 differ). */
export function mixNumber(h: number, x: number): number {
  const f = MIX_F64;
  f[0] = x;
  const w = MIX_U32;
  h = Math.imul(h ^ w[0]!, 0x01000193);
  h = Math.imul(h ^ w[1]!, 0x01000193);
  return h >>> 0;
}
const MIX_F64 = new Float64Array(1);
const MIX_U32 = new Uint32Array(MIX_F64.buffer);
