import type { LatencyHistogram } from './histogram.js';
import { addIntervalHistograms, SERIES_INTERVAL_MS, type IntervalHistogram, type SeriesData } from './series.js';

export type { IntervalHistogram } from './series.js';

/**
 * The latency histograms of one closed interval, by hlog tag (`ocpp_call_duration`,
 * `ocpp_call_duration.BootNotification`, `ocpp_connect_duration`); only tags with samples. Plain JSON, so a child
 * process can ship it to its parent every second, and mergeable: `mergeIntervals` adds the same second of several
 * processes exactly (the parent of a sharded run writes one --hlog from its children's intervals).
 */
export interface IntervalHistograms {
  /** Unix second the interval started in: the key that aligns intervals of different processes. */
  t: number;
  /** Wall-clock start (ms since the epoch) and actual length (ticks drift). */
  startMs: number;
  ms: number;
  histograms: Record<string, IntervalHistogram>;
}

/** The hlog tag of a metric, optionally per action (hlog tags may hold neither commas nor whitespace). */
export function intervalTag(metric: string, action?: string): string {
  const tag = action === undefined ? metric : `${metric}.${action}`;
  return tag.replace(/[,\s]/g, '_');
}

/** Packs an interval histogram (an empty one gives undefined: empty tags are left out). */
export function packInterval(h: LatencyHistogram, hdr?: string): IntervalHistogram | undefined {
  if (h.count === 0) return undefined;
  return { hdr: hdr ?? h.encode(), count: h.count, maxUs: h.maxUs };
}

/**
 * Merges intervals of the same second from several processes: histograms of a tag added bucket by bucket, the
 * interval spanning from the earliest start to the latest end.
 */
export function mergeIntervals(list: readonly IntervalHistograms[]): IntervalHistograms {
  const first = list[0];
  if (first === undefined) throw new Error('mergeIntervals needs at least one interval');
  if (list.length === 1) return { ...first, histograms: { ...first.histograms } };
  const startMs = Math.min(...list.map((iv) => iv.startMs));
  const endMs = Math.max(...list.map((iv) => iv.startMs + iv.ms));
  const byTag = new Map<string, IntervalHistogram[]>();
  for (const iv of list) {
    for (const [tag, h] of Object.entries(iv.histograms)) {
      const at = byTag.get(tag);
      if (at) at.push(h); else byTag.set(tag, [h]);
    }
  }
  const histograms: Record<string, IntervalHistogram> = {};
  for (const tag of [...byTag.keys()].sort()) histograms[tag] = addIntervalHistograms(byTag.get(tag)!);
  return { t: Math.min(...list.map((iv) => iv.t)), startMs, ms: endMs - startMs, histograms };
}

/**
 * The intervals of a (merged) series, for an hlog: one per point that timed something. A point knows its second
 * (`t`), not its exact start, so intervals start on whole seconds and last the point's `ms`.
 */
export function intervalsOfSeries(series: SeriesData): IntervalHistograms[] {
  const out: IntervalHistograms[] = [];
  for (const p of series.points) {
    if (p.tags === undefined) continue;
    out.push({ t: p.t, startMs: p.t * SERIES_INTERVAL_MS, ms: p.ms, histograms: p.tags });
  }
  return out;
}
