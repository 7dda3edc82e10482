import { LatencyHistogram, type HistogramData } from './histogram.js';
import { mergeSeries, type SeriesData } from './series.js';

/** Outcome name -> count. */
export type Counts = Record<string, number>;

export interface CallSnapshot {
  /** From the intended send time (coordinated-omission corrected): `ocpp_call_duration`. */
  latency: HistogramData;
  /** From the actual send time: `ocpp_call_service_duration`. */
  service: HistogramData;
  /** By CallOutcomeKind (`ok`, `timeout`, `callerror:NotImplemented`, ...). */
  outcomes: Counts;
}

export interface GaugeSnapshot {
  last: number;
  max: number;
}

/**
 * Everything one process (or a merge of several) measured, as plain JSON: a child process ships it to the parent
 * over IPC, `mergeSnapshots` combines them exactly, `summarize` turns it into the exported summary.
 */
export interface MetricsSnapshot {
  version: 1;
  /** Wall-clock ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Processes merged into this snapshot. */
  shards: number;
  /** Outgoing calls (station -> CSMS) by action. */
  calls: Record<string, CallSnapshot>;
  /** Incoming calls (CSMS -> station) by action: how we answered, by IncomingOutcomeKind. */
  incoming: Record<string, Counts>;
  /** WebSocket connects: duration of successful ones, and outcomes (`ok` or the error kind). */
  connect: { duration: HistogramData; outcomes: Counts };
  /** Named counters and sums (`tx_started`, `energy_wh`, ...). */
  counters: Record<string, number>;
  gauges: Record<string, GaugeSnapshot>;
  series: SeriesData;
}

function addCounts(into: Counts, from: Counts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function mergeHistograms(list: readonly HistogramData[]): HistogramData {
  const h = new LatencyHistogram();
  for (const d of list) if (d.count > 0) h.add(LatencyHistogram.fromData(d));
  return h.toData();
}

function groupBy<T>(snaps: readonly MetricsSnapshot[], pick: (s: MetricsSnapshot) => Record<string, T>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const s of snaps) {
    for (const [k, v] of Object.entries(pick(s))) {
      const list = out.get(k);
      if (list) list.push(v); else out.set(k, [v]);
    }
  }
  return out;
}

/**
 * Merges snapshots of several processes exactly: counters summed, histograms added bucket by bucket (with exact
 * sum/min/max), series aligned by second. Gauges count what each shard owns (e.g. its connected stations), so `last`
 * is summed; `max` is the highest per-second sum in the aligned series, never below any single shard's max (the
 * true peak of a sum cannot be known exactly from peaks taken at different instants).
 */
export function mergeSnapshots(snaps: readonly MetricsSnapshot[]): MetricsSnapshot {
  if (snaps.length === 0) throw new Error('mergeSnapshots needs at least one snapshot');
  for (const s of snaps) if (s.version !== 1) throw new Error(`unsupported metrics snapshot version ${String(s.version)}`);
  const calls: Record<string, CallSnapshot> = {};
  for (const [action, list] of groupBy(snaps, (s) => s.calls)) {
    const outcomes: Counts = {};
    for (const c of list) addCounts(outcomes, c.outcomes);
    calls[action] = {
      latency: mergeHistograms(list.map((c) => c.latency)),
      service: mergeHistograms(list.map((c) => c.service)),
      outcomes,
    };
  }
  const incoming: Record<string, Counts> = {};
  for (const [action, list] of groupBy(snaps, (s) => s.incoming)) {
    const into: Counts = {};
    for (const c of list) addCounts(into, c);
    incoming[action] = into;
  }
  const connectOutcomes: Counts = {};
  for (const s of snaps) addCounts(connectOutcomes, s.connect.outcomes);
  const counters: Counts = {};
  for (const s of snaps) addCounts(counters, s.counters);
  const series = mergeSeries(snaps.map((s) => s.series));
  const gauges: Record<string, GaugeSnapshot> = {};
  for (const [name, list] of groupBy(snaps, (s) => s.gauges)) {
    let max = 0;
    for (const g of list) max = Math.max(max, g.max);
    for (const p of series.points) max = Math.max(max, p.gauges[name] ?? 0);
    const last = list.reduce((n, g) => n + g.last, 0);
    gauges[name] = { last, max: Math.max(max, last) };
  }
  return {
    version: 1,
    startMs: Math.min(...snaps.map((s) => s.startMs)),
    endMs: Math.max(...snaps.map((s) => s.endMs)),
    shards: snaps.reduce((n, s) => n + s.shards, 0),
    calls,
    incoming,
    connect: { duration: mergeHistograms(snaps.map((s) => s.connect.duration)), outcomes: connectOutcomes },
    counters,
    gauges,
    series,
  };
}
