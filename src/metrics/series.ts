import { LatencyHistogram } from './histogram.js';

/**
 * Points kept per series: one hour at one point per second. Beyond it the oldest points are dropped (and
 * `truncated` is set), so a soak test's memory stays bounded: each point holds compressed interval histograms of
 * typically 100-1000 bytes each (the combined one, and one per hlog tag: per action timed in that second, connects),
 * i.e. a few MB per process.
 */
export const SERIES_CAPACITY = 3600;

/** Nominal interval; the registry's owner ticks it from a timer. */
export const SERIES_INTERVAL_MS = 1000;

/** One tag's histogram of one interval: µs, 2 significant digits, HDR V2 compressed base64. */
export interface IntervalHistogram {
  hdr: string;
  count: number;
  /** Exact maximum of the interval (µs). */
  maxUs: number;
}

/** One closed interval (k6-like time series), over all actions. */
export interface SeriesPoint {
  /** Unix second the interval started in: the key that aligns points of different processes. */
  t: number;
  /** Actual interval length (ticks drift); rates divide by it. */
  ms: number;
  /** Calls completed in the interval, any outcome. */
  calls: number;
  /** Of which failed (see `isFailure`). */
  errors: number;
  /** p99 of call latency in the interval (µs; 2 significant digits). */
  p99Us: number;
  /** The interval latency histogram (2 digits, compressed base64; '' when empty), so merged p99s are exact. */
  hdr: string;
  /** Last value of each gauge at the end of the interval. */
  gauges: Record<string, number>;
  /**
   * The interval's latency histograms by hlog tag (`ocpp_call_duration`, `ocpp_call_duration.<Action>`,
   * `ocpp_connect_duration`), only those with samples; absent when nothing was timed. What --hlog writes.
   */
  tags?: Record<string, IntervalHistogram>;
}

export interface SeriesData {
  intervalMs: number;
  /** Oldest points were dropped to stay within SERIES_CAPACITY. */
  truncated: boolean;
  points: SeriesPoint[];
}

/** Interval histograms use 2 significant digits: 1% is plenty for a per-second p99, at ~13 KiB each. */
export function intervalHistogram(hdr: string): LatencyHistogram {
  return hdr === '' ? new LatencyHistogram(2) : LatencyHistogram.decode(hdr, 2);
}

/** Merges points of the same second (different shards, or two short intervals in one process). */
export function mergePoints(points: readonly SeriesPoint[]): SeriesPoint {
  const first = points[0];
  if (first === undefined) throw new Error('mergePoints needs at least one point');
  if (points.length === 1) {
    const copy: SeriesPoint = { ...first, gauges: { ...first.gauges } };
    if (first.tags) copy.tags = { ...first.tags };
    return copy;
  }
  const h = new LatencyHistogram(2);
  const out: SeriesPoint = { t: first.t, ms: 0, calls: 0, errors: 0, p99Us: 0, hdr: '', gauges: {} };
  for (const p of points) {
    out.ms = Math.max(out.ms, p.ms);
    out.calls += p.calls;
    out.errors += p.errors;
    if (p.hdr !== '') h.add(intervalHistogram(p.hdr));
    // Gauges count things a shard owns (its connected stations), so shards add up.
    for (const [k, v] of Object.entries(p.gauges)) out.gauges[k] = (out.gauges[k] ?? 0) + v;
  }
  out.p99Us = h.percentile(99);
  out.hdr = h.count === 0 ? '' : h.encode();
  const tags = mergeTags(points);
  if (tags !== undefined) out.tags = tags;
  return out;
}

/** Adds the per-tag histograms of several points of one second. */
function mergeTags(points: readonly SeriesPoint[]): Record<string, IntervalHistogram> | undefined {
  const byTag = new Map<string, IntervalHistogram[]>();
  for (const p of points) {
    for (const [tag, h] of Object.entries(p.tags ?? {})) {
      const at = byTag.get(tag);
      if (at) at.push(h); else byTag.set(tag, [h]);
    }
  }
  if (byTag.size === 0) return undefined;
  const out: Record<string, IntervalHistogram> = {};
  for (const tag of [...byTag.keys()].sort()) out[tag] = addIntervalHistograms(byTag.get(tag)!);
  return out;
}

/** The sum of interval histograms (µs, 2 digits); exact, with the largest max. */
export function addIntervalHistograms(parts: readonly IntervalHistogram[]): IntervalHistogram {
  if (parts.length === 1) return { ...parts[0]! };
  const sum = new LatencyHistogram(2);
  for (const p of parts) sum.add(intervalHistogram(p.hdr));
  return { hdr: sum.encode(), count: sum.count, maxUs: Math.max(...parts.map((p) => p.maxUs)) };
}

/** A bounded, time-ordered list of points. */
export class Series {
  private readonly points: SeriesPoint[] = [];
  private truncated = false;
  constructor(private readonly capacity = SERIES_CAPACITY) {}

  push(point: SeriesPoint): void {
    const last = this.points[this.points.length - 1];
    if (last !== undefined && last.t === point.t) {
      const merged = mergePoints([last, point]);
      // Two intervals of one process in the same second: their lengths add, gauges are the later reading.
      merged.ms = last.ms + point.ms;
      merged.gauges = { ...point.gauges };
      this.points[this.points.length - 1] = merged;
      return;
    }
    this.points.push(point);
    if (this.points.length > this.capacity) {
      this.points.shift();
      this.truncated = true;
    }
  }

  get last(): SeriesPoint | undefined { return this.points[this.points.length - 1]; }

  toData(): SeriesData {
    return { intervalMs: SERIES_INTERVAL_MS, truncated: this.truncated, points: this.points.map((p) => ({ ...p })) };
  }
}

/** Aligns the series of several processes by second and merges each second's points. */
export function mergeSeries(list: readonly SeriesData[], capacity = SERIES_CAPACITY): SeriesData {
  const byT = new Map<number, SeriesPoint[]>();
  let truncated = false;
  for (const s of list) {
    truncated ||= s.truncated;
    for (const p of s.points) {
      const at = byT.get(p.t);
      if (at) at.push(p); else byT.set(p.t, [p]);
    }
  }
  const times = [...byT.keys()].sort((a, b) => a - b);
  // A process whose tick slipped has no point in some second; its gauges (e.g. its connected stations) still
  // hold there, so carry each process's last gauge values forward into the seconds it missed.
  const carried = list.map(() => new Map<string, number>());
  const cursors = list.map(() => 0);
  const points = times.map((t) => {
    const merged = mergePoints(byT.get(t)!);
    list.forEach((series, i) => {
      const pts = series.points;
      let c = cursors[i]!;
      let here = false;
      while (c < pts.length && pts[c]!.t <= t) {
        if (pts[c]!.t === t) here = true;
        for (const [k, v] of Object.entries(pts[c]!.gauges)) carried[i]!.set(k, v);
        c++;
      }
      cursors[i] = c;
      const last = pts[pts.length - 1];
      if (!here && c > 0 && last !== undefined && t < last.t) {
        for (const [k, v] of carried[i]!) merged.gauges[k] = (merged.gauges[k] ?? 0) + v;
      }
    });
    return merged;
  });
  if (points.length > capacity) {
    points.splice(0, points.length - capacity);
    truncated = true;
  }
  return { intervalMs: list[0]?.intervalMs ?? SERIES_INTERVAL_MS, truncated, points };
}

/**
 * The highest value a gauge had at the end of any second of a (merged) series; 0 when it was never set. For a
 * merged series this is the peak of the sum over processes, unlike the sum of their peaks, which may never
 * have happened. A peak inside one second is not seen, nor one in points dropped beyond the capacity.
 */
export function gaugePeak(series: SeriesData, name: string): number {
  let peak = 0;
  for (const p of series.points) peak = Math.max(peak, p.gauges[name] ?? 0);
  return peak;
}
