import { mergePoints, type SeriesPoint } from './series.js';

/**
 * What a live progress line needs: the last closed interval plus running totals. Small enough for a child process
 * to send every second; `mergeProgress` combines shards exactly (the interval histogram travels in `last.hdr`).
 */
export interface ProgressSample {
  /** Since the run (or the earliest shard) started. */
  elapsedMs: number;
  /** Calls completed so far, any outcome. */
  calls: number;
  /** Of which failed. */
  errors: number;
  /** The last closed interval; null before the first tick. */
  last: SeriesPoint | null;
}

/** Combines the progress of several shards: totals summed, the last intervals merged per second. */
export function mergeProgress(samples: readonly ProgressSample[]): ProgressSample {
  const lasts = samples.map((s) => s.last).filter((p): p is SeriesPoint => p !== null);
  // Shards tick independently and may be a fraction of a second apart: the display wants every shard's latest
  // interval (their calls and connected stations add up), stamped with the newest second.
  let last: SeriesPoint | null = null;
  if (lasts.length > 0) {
    last = mergePoints(lasts);
    last.t = Math.max(...lasts.map((p) => p.t));
  }
  return {
    elapsedMs: Math.max(0, ...samples.map((s) => s.elapsedMs)),
    calls: samples.reduce((n, s) => n + s.calls, 0),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    last,
  };
}

/** Calls per second in an interval. */
export function perSecond(n: number, point: SeriesPoint): number {
  return point.ms > 0 ? (n * 1000) / point.ms : 0;
}
