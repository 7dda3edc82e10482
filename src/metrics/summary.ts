import { LatencyHistogram, type HistogramData } from './histogram.js';
import { metricKey, percentileKey } from './names.js';
import { isFailure, outcomeClass } from './outcomes.js';
import type { Counts, MetricsSnapshot } from './snapshot.js';

/**
 * The `--summary-export` JSON (schema documented in src/metrics/SUMMARY.md; bump `version` on breaking changes).
 * Durations are milliseconds with microsecond resolution (3 decimals); rates are per second of run time.
 */
export interface Summary {
  version: 1;
  run: RunInfo;
  /** All outgoing calls together. */
  calls: CallStats;
  /** Outgoing calls by action. */
  actions: Record<string, CallStats>;
  /** Incoming calls (CSMS -> station) by action. */
  incoming: Record<string, IncomingStats>;
  connect: ConnectStats;
  /** Named counters and sums (`tx_started`, `energy_wh`, ...). */
  counters: Record<string, CounterValues>;
  gauges: Record<string, GaugeValues>;
  series: { intervalMs: number; truncated: boolean; points: SummaryPoint[] };
  /** k6 handleSummary-style flat view, keyed `name` or `name{tag:value,...}`: what thresholds evaluate. */
  metrics: Record<string, MetricEntry>;
}

export interface RunInfo {
  scenario: string | null;
  target: string | null;
  stations: number | null;
  startTime: string;
  endTime: string;
  durationMs: number;
  shards: number;
}

/** Trend values in ms: count, avg, min, med, max and `p(N)` for each requested percentile. */
export type TrendValues = { count: number; avg: number; min: number; med: number; max: number } & {
  [p: `p(${string})`]: number;
};

export interface CounterValues { count: number; rate: number }
/** k6 Rate: `passes` samples were true (e.g. failed), `fails` false; `rate` = passes / (passes + fails). */
export interface RateValues { rate: number; passes: number; fails: number }
export interface GaugeValues { value: number; max: number }

export type MetricEntry =
  | { type: 'trend'; contains: 'time'; values: TrendValues }
  | { type: 'counter'; values: CounterValues }
  | { type: 'rate'; values: RateValues }
  | { type: 'gauge'; values: GaugeValues };

export interface CallStats {
  /** Completed calls, any outcome. */
  count: number;
  ok: number;
  /** Business refusals (status Rejected/Invalid/...): answered, so not failed. */
  rejected: number;
  /** Timeouts, CALLERRORs, CALLRESULTERRORs, disconnects, invalid payloads. */
  failed: number;
  /** failed / count. */
  failedRate: number;
  /** Calls per second over the run. */
  ratePerS: number;
  /** Failed calls by kind (`timeout`, `callerror:NotImplemented`, ...). */
  errors: Counts;
  /** Latency from the intended send time (coordinated-omission corrected). */
  duration: TrendValues;
  /** Latency from the actual send time. */
  service: TrendValues;
}

export interface IncomingStats { count: number; ok: number; rejected: number; errors: Counts }

export interface ConnectStats { attempts: number; ok: number; failed: number; errors: Counts; duration: TrendValues }

/** One second of the run: `t` unix second, `ms` actual interval length, `p99` in ms (1% resolution). */
export interface SummaryPoint { t: number; ms: number; calls: number; errors: number; p99: number; gauges: Record<string, number> }

export interface SummarizeOptions {
  scenario?: string;
  target?: string;
  stations?: number;
  /** Extra percentiles to compute (e.g. those thresholds ask for); always computed: 90, 95, 99, 99.9. */
  percentiles?: readonly number[];
}

export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([90, 95, 99, 99.9]);

const ms = (us: number): number => Math.round(us) / 1000;
const round = (x: number, places = 3): number => Math.round(x * 10 ** places) / 10 ** places;

/** Trend values (ms) of a histogram: count, avg, min, med, max and the given percentiles. */
export function trendValues(h: LatencyHistogram, percentiles: readonly number[]): TrendValues {
  const t: TrendValues = { count: h.count, avg: ms(h.meanUs), min: ms(h.minUs), med: ms(h.percentile(50)), max: ms(h.maxUs) };
  for (const p of percentiles) t[percentileKey(p)] = ms(h.percentile(p));
  return t;
}

function callStats(outcomes: Counts, latency: TrendValues, service: TrendValues, seconds: number): CallStats {
  let count = 0;
  const errors: Counts = {};
  for (const [kind, n] of Object.entries(outcomes)) {
    count += n;
    if (isFailure(kind)) errors[kind] = n;
  }
  const ok = outcomes.ok ?? 0;
  const rejected = outcomes.rejected ?? 0;
  const failed = count - ok - rejected;
  return {
    count, ok, rejected, failed,
    failedRate: count > 0 ? round(failed / count, 6) : 0,
    ratePerS: round(count / seconds),
    errors, duration: latency, service,
  };
}

function sumCounts(into: Counts, from: Counts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Turns a (merged) snapshot into the exported summary. Pure: the same snapshot always gives the same summary. */
export function summarize(snap: MetricsSnapshot, opts: SummarizeOptions = {}): Summary {
  const percentiles = [...new Set([...DEFAULT_PERCENTILES, ...(opts.percentiles ?? [])])].sort((a, b) => a - b);
  const durationMs = Math.max(0, snap.endMs - snap.startMs);
  // A zero-length run would divide by zero; rates over it are reported as counts per (at least) one millisecond.
  const seconds = Math.max(durationMs, 1) / 1000;
  const toTrend = (d: HistogramData): TrendValues => trendValues(LatencyHistogram.fromData(d), percentiles);

  const allLatency = new LatencyHistogram();
  const allService = new LatencyHistogram();
  const allOutcomes: Counts = {};
  const actions: Record<string, CallStats> = {};
  for (const action of Object.keys(snap.calls).sort()) {
    const c = snap.calls[action]!;
    const latency = LatencyHistogram.fromData(c.latency);
    const service = LatencyHistogram.fromData(c.service);
    allLatency.add(latency);
    allService.add(service);
    sumCounts(allOutcomes, c.outcomes);
    actions[action] = callStats(c.outcomes, trendValues(latency, percentiles), trendValues(service, percentiles), seconds);
  }
  const calls = callStats(allOutcomes, trendValues(allLatency, percentiles), trendValues(allService, percentiles), seconds);

  const incoming: Record<string, IncomingStats> = {};
  for (const action of Object.keys(snap.incoming).sort()) {
    const o = snap.incoming[action]!;
    const errors: Counts = {};
    let count = 0;
    for (const [kind, n] of Object.entries(o)) {
      count += n;
      if (isFailure(kind)) errors[kind] = n;
    }
    incoming[action] = { count, ok: o.ok ?? 0, rejected: o.rejected ?? 0, errors };
  }

  const connectErrors: Counts = {};
  let attempts = 0;
  for (const [kind, n] of Object.entries(snap.connect.outcomes)) {
    attempts += n;
    if (kind !== 'ok') connectErrors[kind] = n;
  }
  const connectOk = snap.connect.outcomes.ok ?? 0;
  const connect: ConnectStats = {
    attempts, ok: connectOk, failed: attempts - connectOk, errors: connectErrors,
    duration: toTrend(snap.connect.duration),
  };

  const counters: Record<string, CounterValues> = {};
  for (const name of Object.keys(snap.counters).sort()) {
    const n = snap.counters[name]!;
    counters[name] = { count: n, rate: round(n / seconds) };
  }
  const gauges: Record<string, GaugeValues> = {};
  for (const name of Object.keys(snap.gauges).sort()) gauges[name] = { value: snap.gauges[name]!.last, max: snap.gauges[name]!.max };

  const summary: Summary = {
    version: 1,
    run: {
      scenario: opts.scenario ?? null,
      target: opts.target ?? null,
      stations: opts.stations ?? null,
      startTime: new Date(snap.startMs).toISOString(),
      endTime: new Date(snap.endMs).toISOString(),
      // The clock may give fractions of a millisecond; durations are µs resolution everywhere (SUMMARY.md).
      durationMs: round(durationMs),
      shards: snap.shards,
    },
    calls, actions, incoming, connect, counters, gauges,
    series: {
      intervalMs: snap.series.intervalMs,
      truncated: snap.series.truncated,
      points: snap.series.points.map((p) => ({ t: p.t, ms: round(p.ms), calls: p.calls, errors: p.errors, p99: ms(p.p99Us), gauges: p.gauges })),
    },
    metrics: {},
  };
  summary.metrics = flatMetrics(summary, seconds);
  return summary;
}

/** A k6 Rate entry: `passes` of `total` samples were true. */
export function rateEntry(passes: number, total: number): MetricEntry {
  return { type: 'rate', values: { rate: total > 0 ? round(passes / total, 6) : 0, passes, fails: total - passes } };
}

/** A k6 Counter entry; `rate` per second of `seconds`. */
export function counterEntry(count: number, seconds: number): MetricEntry {
  return { type: 'counter', values: { count, rate: round(count / seconds) } };
}

/** Error counters by kind, plus the class total for coded kinds (`callerror` over all its codes). */
function errorEntries(out: Record<string, MetricEntry>, name: string, errors: Counts, seconds: number, tags: Record<string, string>): void {
  const byKey: Counts = {};
  for (const [kind, n] of Object.entries(errors)) {
    byKey[metricKey(name, { ...tags, kind })] = n;
    const cls = outcomeClass(kind);
    if (cls !== kind) {
      const k = metricKey(name, { ...tags, kind: cls });
      byKey[k] = (byKey[k] ?? 0) + n;
    }
  }
  for (const [k, n] of Object.entries(byKey)) out[k] = counterEntry(n, seconds);
}

function callEntries(out: Record<string, MetricEntry>, s: CallStats, seconds: number, tags: Record<string, string>): void {
  out[metricKey('ocpp_calls', tags)] = counterEntry(s.count, seconds);
  out[metricKey('ocpp_call_duration', tags)] = { type: 'trend', contains: 'time', values: s.duration };
  out[metricKey('ocpp_call_service_duration', tags)] = { type: 'trend', contains: 'time', values: s.service };
  out[metricKey('ocpp_call_failed', tags)] = rateEntry(s.failed, s.count);
  out[metricKey('ocpp_call_rejected', tags)] = rateEntry(s.rejected, s.count);
  out[metricKey('ocpp_call_errors', tags)] = counterEntry(s.failed, seconds);
  errorEntries(out, 'ocpp_call_errors', s.errors, seconds, tags);
}

function flatMetrics(s: Summary, seconds: number): Record<string, MetricEntry> {
  const out: Record<string, MetricEntry> = {};
  callEntries(out, s.calls, seconds, {});
  for (const [action, a] of Object.entries(s.actions)) callEntries(out, a, seconds, { action });

  let inCount = 0;
  let inFailed = 0;
  for (const [action, i] of Object.entries(s.incoming)) {
    const failed = i.count - i.ok - i.rejected;
    inCount += i.count;
    inFailed += failed;
    out[metricKey('ocpp_incoming_calls', { action })] = counterEntry(i.count, seconds);
    out[metricKey('ocpp_incoming_failed', { action })] = rateEntry(failed, i.count);
  }
  out.ocpp_incoming_calls = counterEntry(inCount, seconds);
  out.ocpp_incoming_failed = rateEntry(inFailed, inCount);

  out.ocpp_connects = counterEntry(s.connect.attempts, seconds);
  out.ocpp_connect_duration = { type: 'trend', contains: 'time', values: s.connect.duration };
  out.ocpp_connect_failed = rateEntry(s.connect.failed, s.connect.attempts);
  out.ocpp_connect_errors = counterEntry(s.connect.failed, seconds);
  errorEntries(out, 'ocpp_connect_errors', s.connect.errors, seconds, {});

  // Producer-named metrics never shadow a built-in one.
  for (const [name, c] of Object.entries(s.counters)) out[name] ??= { type: 'counter', values: c };
  for (const [name, g] of Object.entries(s.gauges)) out[name] ??= { type: 'gauge', values: g };
  return out;
}

