import { LatencyHistogram, type HistogramData } from './histogram.js';
import { isFailure, outcomeClass } from './outcomes.js';
import type { RegistryView } from './registry.js';
import type { MetricsSnapshot } from './snapshot.js';
import { counterEntry, rateEntry, trendValues, type MetricEntry } from './summary.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js';

/**
 * Threshold evaluation during a run (abortOnFail), once a second. `summarize(registry.snapshot())` encodes every
 * histogram, decodes it again and computes every percentile of every trend: measured on Node 20 with 12 actions ×
 * 200k samples at ~20 ms (snapshot) + ~13 ms (summarize), and ~110-190 ms before `fromData` stopped walking every
 * bucket for a mean it then threw away. This computes only the `metrics` entries the thresholds read, straight
 * from histograms (~1 ms for the same registry), with the same keys and values `summarize` gives
 * (test/metrics/live.test.ts checks they agree). A sharded run's parent evaluates a merged snapshot through
 * `snapshotView`, which decodes only the histograms the thresholds read.
 */

type Outcomes = ReadonlyMap<string, number>;

const CALL_METRICS = new Set(['ocpp_calls', 'ocpp_call_duration', 'ocpp_call_service_duration', 'ocpp_call_failed', 'ocpp_call_rejected', 'ocpp_call_errors']);
const INCOMING_METRICS = new Set(['ocpp_incoming_calls', 'ocpp_incoming_failed']);
const CONNECT_METRICS = new Set(['ocpp_connects', 'ocpp_connect_duration', 'ocpp_connect_failed', 'ocpp_connect_errors']);
type CallView = RegistryView['calls'] extends ReadonlyMap<string, infer V> ? V : never;

interface Tally { count: number; ok: number; rejected: number }

function tally(list: readonly Outcomes[]): Tally {
  const t: Tally = { count: 0, ok: 0, rejected: 0 };
  for (const o of list) {
    for (const [kind, n] of o) {
      t.count += n;
      if (kind === 'ok') t.ok += n;
      else if (kind === 'rejected') t.rejected += n;
    }
  }
  return t;
}

/** Failed events of `kind`: that exact kind, or every coded kind of that class (`callerror`). */
function errorsOfKind(list: readonly Outcomes[], kind: string): number {
  let n = 0;
  for (const o of list) for (const [k, v] of o) if (isFailure(k) && (k === kind || outcomeClass(k) === kind)) n += v;
  return n;
}

class LiveReader {
  private readonly scratch = new LatencyHistogram();
  constructor(private readonly view: RegistryView, private readonly seconds: number) {}

  /** One histogram over the chosen histograms; the only one when there is one (no copy). */
  private combined(list: readonly LatencyHistogram[]): LatencyHistogram {
    if (list.length === 1) return list[0]!;
    this.scratch.reset();
    for (const h of list) this.scratch.add(h);
    return this.scratch;
  }

  private trend(list: readonly LatencyHistogram[], percentiles: readonly number[]): MetricEntry {
    return { type: 'trend', contains: 'time', values: trendValues(this.combined(list), percentiles) };
  }

  /** The entry `summarize` would put at this key, or undefined where it would have none. */
  entry(name: string, tags: Readonly<Record<string, string>>, percentiles: readonly number[]): MetricEntry | undefined {
    const { view, seconds } = this;
    if (CALL_METRICS.has(name)) {
      let calls: CallView[];
      if (tags.action === undefined) calls = [...view.calls.values()];
      else {
        const one = view.calls.get(tags.action);
        if (one === undefined) return undefined;
        calls = [one];
      }
      const outcomes = calls.map((c) => c.outcomes);
      const t = tally(outcomes);
      switch (name) {
        case 'ocpp_calls': return counterEntry(t.count, seconds);
        case 'ocpp_call_failed': return rateEntry(t.count - t.ok - t.rejected, t.count);
        case 'ocpp_call_rejected': return rateEntry(t.rejected, t.count);
        case 'ocpp_call_errors': {
          if (tags.kind === undefined) return counterEntry(t.count - t.ok - t.rejected, seconds);
          // As in summarize, a kind that never happened has no entry (and reads as 0).
          const n = errorsOfKind(outcomes, tags.kind);
          return n === 0 ? undefined : counterEntry(n, seconds);
        }
        case 'ocpp_call_duration': return this.trend(calls.map((c) => c.latency), percentiles);
        case 'ocpp_call_service_duration': return this.trend(calls.map((c) => c.service), percentiles);
        default: return undefined;
      }
    }
    if (INCOMING_METRICS.has(name)) {
      let list: Outcomes[];
      if (tags.action === undefined) list = [...view.incoming.values()];
      else {
        const one = view.incoming.get(tags.action);
        if (one === undefined) return undefined;
        list = [one];
      }
      const t = tally(list);
      if (name === 'ocpp_incoming_calls') return counterEntry(t.count, seconds);
      if (name === 'ocpp_incoming_failed') return rateEntry(t.count - t.ok - t.rejected, t.count);
      return undefined;
    }
    if (CONNECT_METRICS.has(name)) {
      const o = view.connect.outcomes;
      const t = tally([o]);
      switch (name) {
        case 'ocpp_connects': return counterEntry(t.count, seconds);
        case 'ocpp_connect_duration': return this.trend([view.connect.duration], percentiles);
        case 'ocpp_connect_failed': return rateEntry(t.count - t.ok, t.count);
        case 'ocpp_connect_errors': {
          if (tags.kind === undefined) return counterEntry(t.count - t.ok, seconds);
          let n = 0;
          for (const [k, v] of o) if (k !== 'ok' && (k === tags.kind || outcomeClass(k) === tags.kind)) n += v;
          return n === 0 ? undefined : counterEntry(n, seconds);
        }
        default: return undefined;
      }
    }
    const c = view.counters.get(name);
    if (c !== undefined) return counterEntry(c, seconds);
    const g = view.gauges.get(name);
    if (g !== undefined) return { type: 'gauge', values: { value: g.last, max: g.max } };
    return undefined;
  }
}

/**
 * The `metrics` entries (Summary.metrics keys) that `thresholds` read, computed from a registry's live view at
 * `nowMs`; pass the result to `evaluateThresholds`.
 */
export function liveMetrics(view: RegistryView, thresholds: readonly Threshold[], nowMs: number): { metrics: Record<string, MetricEntry> } {
  // Same time base as summarize: rates per second of run, at least one millisecond.
  const reader = new LiveReader(view, Math.max(nowMs - view.startMs, 1) / 1000);
  const wanted = new Map<string, { name: string; tags: Readonly<Record<string, string>>; percentiles: Set<number> }>();
  for (const t of thresholds) {
    let w = wanted.get(t.metric);
    if (w === undefined) {
      w = { name: t.name, tags: t.tags, percentiles: new Set() };
      wanted.set(t.metric, w);
    }
    if (t.aggregation.startsWith('p(')) w.percentiles.add(Number(t.aggregation.slice(2, -1)));
  }
  const metrics: Record<string, MetricEntry> = {};
  for (const [key, w] of wanted) {
    const e = reader.entry(w.name, w.tags, [...w.percentiles]);
    if (e !== undefined) metrics[key] = e;
  }
  return { metrics };
}

/** Evaluates thresholds on a registry's live view (see liveMetrics). */
export function evaluateLive(view: RegistryView, thresholds: readonly Threshold[], nowMs: number): ThresholdResult[] {
  return evaluateThresholds(thresholds, liveMetrics(view, thresholds, nowMs));
}

function lazyHistogram(d: HistogramData): () => LatencyHistogram {
  let h: LatencyHistogram | undefined;
  return () => (h ??= LatencyHistogram.fromData(d));
}

/**
 * A RegistryView over a snapshot (a sharded run's merged live snapshot): each histogram is decoded only when a
 * threshold reads it. Evaluate it at `snap.endMs`.
 */
export function snapshotView(snap: MetricsSnapshot): RegistryView {
  const calls = new Map(Object.entries(snap.calls).map(([action, c]) => {
    const latency = lazyHistogram(c.latency);
    const service = lazyHistogram(c.service);
    const outcomes = new Map(Object.entries(c.outcomes));
    return [action, { get latency() { return latency(); }, get service() { return service(); }, outcomes }] as const;
  }));
  const connect = lazyHistogram(snap.connect.duration);
  return {
    startMs: snap.startMs,
    calls,
    incoming: new Map(Object.entries(snap.incoming).map(([a, o]) => [a, new Map(Object.entries(o))] as const)),
    connect: { get duration() { return connect(); }, outcomes: new Map(Object.entries(snap.connect.outcomes)) },
    counters: new Map(Object.entries(snap.counters)),
    gauges: new Map(Object.entries(snap.gauges)),
  };
}
