import { LatencyHistogram } from './histogram.js';
import { intervalHistogram } from './series.js';

/** One tag's histogram of one interval: µs, 2 significant digits, HDR V2 compressed base64. */
export interface IntervalHistogram {
  hdr: string;
  count: number;
  /** Exact maximum of the interval (µs). */
  maxUs: number;
}

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
  for (const tag of [...byTag.keys()].sort()) {
    const parts = byTag.get(tag)!;
    if (parts.length === 1) { histograms[tag] = { ...parts[0]! }; continue; }
    const sum = new LatencyHistogram(2);
    for (const p of parts) sum.add(intervalHistogram(p.hdr));
    histograms[tag] = { hdr: sum.encode(), count: sum.count, maxUs: Math.max(...parts.map((p) => p.maxUs)) };
  }
  return { t: Math.min(...list.map((iv) => iv.t)), startMs, ms: endMs - startMs, histograms };
}
