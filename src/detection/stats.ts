/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion (successes of n); null when n = 0. Preferred over the normal
 * approximation because it stays inside [0, 1] and behaves at 0/n and n/n, which is where detection gates live.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At 0/n and n/n the bound is exactly 0 or 1; float rounding would leave 0.9999999999999999.
  return { low: successes <= 0 ? 0 : Math.max(0, centre - half), high: successes >= n ? 1 : Math.min(1, centre + half) };
}

/** Nearest-rank percentile (the smallest value with at least p % of values at or below it) of ascending values. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Summary statistics of latencies in ms (k6 Trend-shaped): count, avg, min, med, max and p50/p90/p95/p99. */
export interface LatencyStats {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  const p = (q: number): number => percentileOfSorted(s, q);
  return {
    count: s.length,
    avg: s.length > 0 ? round(sum / s.length) : 0,
    min: s[0] ?? 0,
    med: p(50),
    max: s[s.length - 1] ?? 0,
    p50: p(50),
    p90: p(90),
    p95: p(95),
    p99: p(99),
  };
}

/** Rounds to `places` decimals; keeps reports free of float noise and JSON-safe. */
export function round(x: number, places = 6): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/** a / b, or null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** Composite F = 2PR/(P+R) (event recall × alert precision); 0 when both are 0, null when recall is undefined. */
export function compositeF(precision: number | null, recall: number | null): number | null {
  if (recall === null) return null;
  // No alerts at all: nothing was detected, so recall is 0 and F is 0.
  if (precision === null) return 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}
