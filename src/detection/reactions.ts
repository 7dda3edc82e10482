import { latencyStats, ratio, round, type LatencyStats } from './stats.js';
import type { Reaction, ReactionRecord, ReactionSpec } from './types.js';

/** Reaction conformance of a set of frames (ATTACKS.md §4): exact-match reactions / expected reactions. */
export interface Conformance {
  /** Records with at least one expected facet. */
  expected: number;
  /** Every expected facet observed, in time when a bound was set. */
  exact: number;
  /** Nothing arrived at all. */
  missing: number;
  /** exact / expected; null when nothing was expected. */
  rate: number | null;
  /** Time from the frame to its reaction (ms), over frames that got one. */
  latency: LatencyStats | null;
}

function sameValue(a: string | number, b: string | number): boolean {
  // A close code written as "1008" in one log and 1008 in another is the same code.
  return a === b || String(a) === String(b);
}

function satisfied(spec: ReactionSpec, observed: readonly Reaction[]): boolean {
  const values = Array.isArray(spec.value) ? (spec.value as readonly (string | number)[]) : [spec.value as string | number];
  return observed.some((r) => r.kind === spec.kind && values.some((v) => sameValue(r.value, v)));
}

/** Whether a frame got exactly the reaction expected: every facet, within maxLatencyMs when set. */
export function isExactReaction(r: ReactionRecord): boolean {
  if (r.observed === null || r.expected.length === 0) return false;
  if (r.maxLatencyMs !== undefined && r.observed.atMs - r.sentMs > r.maxLatencyMs) return false;
  const observed = r.observed.reactions;
  return r.expected.every((spec) => satisfied(spec, observed));
}

/** Conformance over the given records. */
export function conformanceOf(records: readonly ReactionRecord[]): Conformance {
  let expected = 0;
  let exact = 0;
  let missing = 0;
  const latencies: number[] = [];
  for (const r of records) {
    if (r.expected.length === 0) continue;
    expected++;
    if (r.observed === null) { missing++; continue; }
    latencies.push(Math.max(0, r.observed.atMs - r.sentMs));
    if (isExactReaction(r)) exact++;
  }
  const rate = ratio(exact, expected);
  return {
    expected, exact, missing,
    rate: rate === null ? null : round(rate),
    latency: latencies.length > 0 ? latencyStats(latencies) : null,
  };
}
