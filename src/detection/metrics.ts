import type { DetectionResult, TypeSummary } from './score.js';
import { latencyStats, percentileOfSorted, round } from './stats.js';

/**
 * Detection results as k6-style metric entries, the same shape as `Summary.metrics` in src/metrics/summary.ts
 * (that module is a sibling, so the shape is restated here rather than imported): merge them into the summary's
 * `metrics` map and `evaluateThresholds` gates on them like on latency, e.g.
 * `detection_recall{type:A06}: ['value>=0.9']`, `false_alarms_per_hour: ['value<=0.5']`,
 * `detection_latency{type:A06}: ['p(95)<=60000']`. A value that does not exist (recall of a type never injected,
 * precision without alerts, latency with no detection) is left out, so a threshold on it fails as unreadable.
 */
export type DetectionMetricEntry =
  | { type: 'gauge'; values: { value: number; max: number } }
  | { type: 'counter'; values: { count: number; rate: number } }
  | { type: 'trend'; contains: 'time'; values: { count: number; avg: number; min: number; med: number; max: number } & { [p: `p(${string})`]: number } };

export type DetectionMetricType = DetectionMetricEntry['type'];

/** Every metric `detectionMetrics` can produce, with its k6 type: to add to the known metrics of the threshold parser. */
export const DETECTION_METRICS: Readonly<Record<string, DetectionMetricType>> = Object.freeze({
  detection_recall: 'gauge',
  detection_recall_ci_low: 'gauge',
  detection_recall_ci_high: 'gauge',
  detection_recall_macro: 'gauge',
  detection_precision: 'gauge',
  detection_f1: 'gauge',
  detection_latency: 'trend',
  detection_latency_p50: 'gauge',
  detection_latency_p95: 'gauge',
  detection_latency_max: 'gauge',
  detection_tp: 'counter',
  detection_fn: 'counter',
  detection_fp: 'counter',
  detection_duplicates: 'counter',
  detection_alerts: 'counter',
  detection_nab_score: 'gauge',
  false_alarms: 'counter',
  false_alarms_per_hour: 'gauge',
  false_alarms_per_1k_station_hours: 'gauge',
  reaction_conformance: 'gauge',
  reaction_latency: 'trend',
});

const TYPED = ['detection_recall', 'detection_recall_ci_low', 'detection_recall_ci_high', 'detection_precision', 'detection_f1',
  'detection_latency', 'detection_latency_p50', 'detection_latency_p95', 'detection_latency_max', 'detection_tp', 'detection_fn',
  'detection_fp', 'detection_duplicates', 'reaction_conformance', 'reaction_latency'];

/** The tags each detection metric carries (`type`: A01–A16): to add to the threshold parser's METRIC_TAGS. */
export const DETECTION_METRIC_TAGS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.fromEntries(Object.keys(DETECTION_METRICS).map((n) => [n, TYPED.includes(n) ? ['type'] : []])),
);

export interface DetectionMetricsOptions {
  /** Percentiles for `detection_latency` beyond the default 50, 90, 95, 99 (pass thresholdPercentiles()). */
  percentiles?: readonly number[];
}

const DEFAULT_PERCENTILES = [50, 90, 95, 99];

const key = (name: string, type?: string): string => (type === undefined ? name : `${name}{type:${type}}`);
const gauge = (value: number): DetectionMetricEntry => ({ type: 'gauge', values: { value, max: value } });

function trend(values: readonly number[], percentiles: readonly number[]): DetectionMetricEntry {
  const s = latencyStats(values);
  const sorted = [...values].sort((a, b) => a - b);
  const t: Extract<DetectionMetricEntry, { type: 'trend' }> = {
    type: 'trend', contains: 'time', values: { count: s.count, avg: s.avg, min: s.min, med: s.med, max: s.max },
  };
  for (const p of percentiles) t.values[`p(${String(p)})`] = percentileOfSorted(sorted, p);
  return t;
}

function typeEntries(
  out: Record<string, DetectionMetricEntry>, s: TypeSummary, type: string | undefined, seconds: number,
  latencies: readonly number[], percentiles: readonly number[],
): void {
  const counter = (count: number): DetectionMetricEntry => ({ type: 'counter', values: { count, rate: seconds > 0 ? round(count / seconds, 3) : 0 } });
  out[key('detection_tp', type)] = counter(s.tp);
  out[key('detection_fn', type)] = counter(s.fn);
  out[key('detection_fp', type)] = counter(s.fp);
  out[key('detection_duplicates', type)] = counter(s.duplicates);
  if (s.recall !== null) out[key('detection_recall', type)] = gauge(s.recall);
  if (s.recallCi !== null) {
    out[key('detection_recall_ci_low', type)] = gauge(s.recallCi.low);
    out[key('detection_recall_ci_high', type)] = gauge(s.recallCi.high);
  }
  if (s.precision !== null) out[key('detection_precision', type)] = gauge(s.precision);
  if (s.f !== null) out[key('detection_f1', type)] = gauge(s.f);
  if (s.latency !== null) {
    out[key('detection_latency', type)] = trend(latencies, percentiles);
    out[key('detection_latency_p50', type)] = gauge(s.latency.p50);
    out[key('detection_latency_p95', type)] = gauge(s.latency.p95);
    out[key('detection_latency_max', type)] = gauge(s.latency.max);
  }
  if (s.conformance?.rate != null) out[key('reaction_conformance', type)] = gauge(s.conformance.rate);
  // Reaction records are not kept in the result, so this trend has the fixed percentiles of LatencyStats only.
  const rl = s.conformance?.latency;
  if (rl) {
    out[key('reaction_latency', type)] = {
      type: 'trend', contains: 'time',
      values: { count: rl.count, avg: rl.avg, min: rl.min, med: rl.med, max: rl.max, 'p(50)': rl.p50, 'p(90)': rl.p90, 'p(95)': rl.p95, 'p(99)': rl.p99 },
    };
  }
}

/** k6-style entries for `Summary.metrics`, keyed `name` or `name{type:A06}`; latencies in ms. */
export function detectionMetrics(result: DetectionResult, opts: DetectionMetricsOptions = {}): Record<string, DetectionMetricEntry> {
  const percentiles = [...new Set([...DEFAULT_PERCENTILES, ...(opts.percentiles ?? [])])].sort((a, b) => a - b);
  const run = result.run;
  const seconds = run ? Math.max(run.endMs - run.startMs, 1) / 1000 : 0;
  const latenciesOf = (type?: string): number[] => result.instances
    .filter((v) => v.latencyMs !== null && (type === undefined || v.type === type)).map((v) => v.latencyMs!);

  const out: Record<string, DetectionMetricEntry> = {};
  typeEntries(out, result.overall, undefined, seconds, latenciesOf(), percentiles);
  for (const [type, s] of Object.entries(result.byType)) {
    typeEntries(out, s, type, seconds, latenciesOf(type), percentiles);
  }
  if (result.overall.macroRecall !== null) out.detection_recall_macro = gauge(result.overall.macroRecall);
  out.detection_alerts = { type: 'counter', values: { count: result.alerts.total - result.alerts.ignored, rate: seconds > 0 ? round((result.alerts.total - result.alerts.ignored) / seconds, 3) : 0 } };
  out.false_alarms = { type: 'counter', values: { count: result.falseAlarms.count, rate: seconds > 0 ? round(result.falseAlarms.count / seconds, 3) : 0 } };
  if (result.falseAlarms.perHour !== null) out.false_alarms_per_hour = gauge(result.falseAlarms.perHour);
  if (result.falseAlarms.per1kStationHours !== null) out.false_alarms_per_1k_station_hours = gauge(result.falseAlarms.per1kStationHours);
  if (result.nab?.normalized != null) out.detection_nab_score = gauge(result.nab.normalized);
  return out;
}
