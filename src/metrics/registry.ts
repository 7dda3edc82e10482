import { systemClock, type Clock } from '../util/clock.js';
import { LatencyHistogram } from './histogram.js';
import { intervalTag, packInterval, type IntervalHistogram, type IntervalHistograms } from './interval.js';
import { isFailure, isTimed, type CallOutcomeKind, type IncomingOutcomeKind } from './outcomes.js';
import type { ProgressSample } from './progress.js';
import { Series, SERIES_CAPACITY, SERIES_INTERVAL_MS, type SeriesPoint } from './series.js';
import type { Counts, GaugeSnapshot, MetricsSnapshot } from './snapshot.js';

/** A per-action handle a producer caches so that recording a call is one method call, no lookup. */
export interface CallRecorder {
  /**
   * latencyUs: from the intended send time (coordinated-omission corrected); serviceUs: from the actual send.
   * Integers in µs; out-of-range values are clamped, never thrown.
   */
  record(latencyUs: number, serviceUs: number, outcome: CallOutcomeKind): void;
}

/** One action's calls in the last closed interval. */
export interface IntervalActionStats {
  calls: number;
  errors: number;
  p99Us: number;
}

function bump(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function toRecord<V, R>(map: ReadonlyMap<string, V>, f: (v: V) => R): Record<string, R> {
  const out: Record<string, R> = {};
  for (const [k, v] of map) out[k] = f(v);
  return out;
}

class ActionCalls implements CallRecorder {
  readonly latency = new LatencyHistogram();
  readonly service = new LatencyHistogram();
  readonly outcomes = new Map<string, number>();
  calls = 0;
  errors = 0;
  // Two interval histograms swapped at each tick: `current` records, `previous` keeps the last closed interval
  // readable until the next tick without copying it.
  current = new LatencyHistogram(2);
  previous = new LatencyHistogram(2);
  intervalCalls = 0;
  intervalErrors = 0;
  lastCalls = 0;
  lastErrors = 0;

  record(latencyUs: number, serviceUs: number, outcome: CallOutcomeKind): void {
    bump(this.outcomes, outcome, 1);
    this.calls++;
    this.intervalCalls++;
    if (isFailure(outcome)) {
      this.errors++;
      this.intervalErrors++;
    }
    if (isTimed(outcome)) {
      this.latency.record(latencyUs);
      this.service.record(serviceUs);
      this.current.record(latencyUs);
    }
  }

  swap(): void {
    const closed = this.current;
    this.current = this.previous;
    this.current.reset();
    this.previous = closed;
    this.lastCalls = this.intervalCalls;
    this.lastErrors = this.intervalErrors;
    this.intervalCalls = 0;
    this.intervalErrors = 0;
  }
}

/** Called at each tick with the interval just closed (see `MetricsRegistry.onInterval`). */
export type IntervalListener = (interval: IntervalHistograms) => void;

/**
 * Read-only live access to a registry's aggregates, for evaluating thresholds during a run without encoding
 * (`liveMetrics`). The objects are the registry's own: read them synchronously, never keep or change them.
 */
export interface RegistryView {
  readonly startMs: number;
  readonly calls: ReadonlyMap<string, {
    readonly latency: LatencyHistogram;
    readonly service: LatencyHistogram;
    readonly outcomes: ReadonlyMap<string, number>;
  }>;
  readonly incoming: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly connect: { readonly duration: LatencyHistogram; readonly outcomes: ReadonlyMap<string, number> };
  readonly counters: ReadonlyMap<string, number>;
  readonly gauges: ReadonlyMap<string, Readonly<GaugeSnapshot>>;
}

export interface RegistryOptions {
  clock?: Clock;
  /** Series points kept (default SERIES_CAPACITY: one hour of seconds). */
  seriesCapacity?: number;
}

/**
 * All measurements of one process (k6's split: producers push samples, this aggregates). One histogram per
 * (metric, action) for the process — never per station. The record methods allocate nothing once a name has been
 * seen, and never throw. The owner calls `tick()` once a second to close an interval of the time series.
 * Memory is bounded by the number of actions (~210 KiB each: two 3-digit and two 2-digit histograms) plus the
 * series (SERIES_CAPACITY points with their per-tag interval histograms), whatever the fleet size or run length.
 */
export class MetricsRegistry {
  readonly startMs: number;
  private readonly clock: Clock;
  private intervalStartMs: number;
  private readonly actions = new Map<string, ActionCalls>();
  private readonly incoming = new Map<string, Map<string, number>>();
  private readonly connectDuration = new LatencyHistogram();
  private readonly connectOutcomes = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, GaugeSnapshot>();
  private readonly series: Series;
  private readonly combined = new LatencyHistogram(2);
  // Successful connects of the current and the last closed interval (2 digits), for the interval listeners.
  private connectCurrent = new LatencyHistogram(2);
  private connectPrevious = new LatencyHistogram(2);
  private readonly intervalListeners: IntervalListener[] = [];
  private readonly liveView: RegistryView;

  constructor(opts: RegistryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.startMs = this.clock.nowMs();
    this.intervalStartMs = this.startMs;
    this.series = new Series(opts.seriesCapacity ?? SERIES_CAPACITY);
    this.liveView = {
      startMs: this.startMs,
      calls: this.actions,
      incoming: this.incoming,
      connect: { duration: this.connectDuration, outcomes: this.connectOutcomes },
      counters: this.counters,
      gauges: this.gauges,
    };
  }

  /** Live, read-only access to the aggregates (no copy, no encoding); see RegistryView. */
  view(): RegistryView {
    return this.liveView;
  }

  /**
   * Hands every closed interval's latency histograms to `listener` as it closes, by hlog tag (the same data as
   * the series points' `tags`): for streaming an --hlog of any length, where the series keeps the last
   * SERIES_CAPACITY seconds. The listener runs inside `tick()` and must not throw. Returns a function that removes it.
   */
  onInterval(listener: IntervalListener): () => void {
    this.intervalListeners.push(listener);
    return () => {
      const i = this.intervalListeners.indexOf(listener);
      if (i >= 0) this.intervalListeners.splice(i, 1);
    };
  }

  /** The recorder for `action`, created on first use; cache it in the producer. */
  callRecorder(action: string): CallRecorder {
    let a = this.actions.get(action);
    if (a === undefined) {
      a = new ActionCalls();
      this.actions.set(action, a);
    }
    return a;
  }

  /** One outgoing CALL finished (see CallRecorder.record). */
  recordCall(action: string, latencyUs: number, serviceUs: number, outcome: CallOutcomeKind): void {
    (this.actions.get(action) ?? this.callRecorder(action)).record(latencyUs, serviceUs, outcome);
  }

  /** One incoming CALL (CSMS -> station) was answered: `ok`/`rejected`, or the `callerror:<Code>` we sent. */
  recordIncoming(action: string, outcome: IncomingOutcomeKind): void {
    let m = this.incoming.get(action);
    if (m === undefined) {
      m = new Map();
      this.incoming.set(action, m);
    }
    bump(m, outcome, 1);
  }

  /** A WebSocket connect attempt finished; only successful connects are timed (a refusal's speed means nothing). */
  recordConnect(us: number, ok: boolean, errorKind = 'error'): void {
    if (ok) {
      this.connectDuration.record(us);
      this.connectCurrent.record(us);
    }
    bump(this.connectOutcomes, ok ? 'ok' : errorKind, 1);
  }

  /** Adds to a named counter (`tx_started`, `offline_dropped`, `reconnects`, ...). */
  count(name: string, n = 1): void {
    bump(this.counters, name, n);
  }

  /** Adds to a named sum (`energy_wh`); same store as counters, non-integers allowed. */
  add(name: string, value: number): void {
    bump(this.counters, name, value);
  }

  /** Sets a gauge (`stations_connected`); its last value and maximum are kept. */
  gauge(name: string, value: number): void {
    const g = this.gauges.get(name);
    if (g === undefined) {
      this.gauges.set(name, { last: value, max: value });
      return;
    }
    g.last = value;
    if (value > g.max) g.max = value;
  }

  /**
   * Closes the current interval at `nowMs` and appends it to the series. The point carries, besides the combined
   * histogram, the interval histogram of each hlog tag (`tags`): they are the interval histograms kept anyway, so
   * recording costs nothing more; encoding the non-empty ones costs ~0.05 ms each per tick.
   */
  tick(nowMs = this.clock.nowMs()): SeriesPoint {
    const c = this.combined;
    c.reset();
    let calls = 0;
    let errors = 0;
    for (const a of this.actions.values()) {
      a.swap();
      c.add(a.previous);
      calls += a.lastCalls;
      errors += a.lastErrors;
    }
    const closed = this.connectCurrent;
    this.connectCurrent = this.connectPrevious;
    this.connectCurrent.reset();
    this.connectPrevious = closed;
    const gauges: Record<string, number> = {};
    for (const [k, g] of this.gauges) gauges[k] = g.last;
    const hdr = c.count === 0 ? '' : c.encode();
    const point: SeriesPoint = {
      t: Math.floor(this.intervalStartMs / 1000),
      ms: Math.max(0, nowMs - this.intervalStartMs),
      calls,
      errors,
      p99Us: c.percentile(99),
      hdr,
      gauges,
    };
    const tags = this.intervalTags(hdr);
    if (tags !== undefined) point.tags = tags;
    this.series.push(point);
    if (this.intervalListeners.length > 0) {
      const interval: IntervalHistograms = { t: point.t, startMs: this.intervalStartMs, ms: point.ms, histograms: { ...tags } };
      for (const l of [...this.intervalListeners]) l(interval);
    }
    this.intervalStartMs = nowMs;
    return point;
  }

  /** The closed interval's histograms by hlog tag; undefined when nothing was timed. */
  private intervalTags(combinedHdr: string): Record<string, IntervalHistogram> | undefined {
    const tags: Record<string, IntervalHistogram> = {};
    let any = false;
    const put = (tag: string, h: IntervalHistogram | undefined): void => {
      if (h) { tags[tag] = h; any = true; }
    };
    put(intervalTag('ocpp_call_duration'), packInterval(this.combined, combinedHdr || undefined));
    for (const [action, a] of this.actions) put(intervalTag('ocpp_call_duration', action), packInterval(a.previous));
    put(intervalTag('ocpp_connect_duration'), packInterval(this.connectPrevious));
    return any ? tags : undefined;
  }

  /** Per action, the last closed interval (between the last two ticks). */
  lastInterval(): Record<string, IntervalActionStats> {
    return toRecord(this.actions, (a) => ({ calls: a.lastCalls, errors: a.lastErrors, p99Us: a.previous.percentile(99) }));
  }

  /** Running totals and the last closed interval, for the live progress line. */
  progress(nowMs = this.clock.nowMs()): ProgressSample {
    let calls = 0;
    let errors = 0;
    for (const a of this.actions.values()) {
      calls += a.calls;
      errors += a.errors;
    }
    const last = this.series.last;
    // Without the per-tag histograms: progress travels every second and only needs the combined one.
    let copy: SeriesPoint | null = null;
    if (last) {
      const { tags: _tags, ...rest } = last;
      copy = rest;
    }
    return { elapsedMs: nowMs - this.startMs, calls, errors, last: copy };
  }

  /**
   * Everything so far as plain JSON. Does not tick: call `tick()` first to include the current partial second.
   * `series: false` leaves the per-second series out (empty): enough for evaluating thresholds during a run, and
   * much smaller to ship every second than a long run's series.
   */
  snapshot(nowMs = this.clock.nowMs(), opts: { series?: boolean } = {}): MetricsSnapshot {
    return {
      version: 1,
      startMs: this.startMs,
      endMs: nowMs,
      shards: 1,
      calls: toRecord(this.actions, (a) => ({
        latency: a.latency.toData(),
        service: a.service.toData(),
        outcomes: Object.fromEntries(a.outcomes) as Counts,
      })),
      incoming: toRecord(this.incoming, (m) => Object.fromEntries(m) as Counts),
      connect: { duration: this.connectDuration.toData(), outcomes: Object.fromEntries(this.connectOutcomes) as Counts },
      counters: Object.fromEntries(this.counters) as Counts,
      gauges: toRecord(this.gauges, (g) => ({ ...g })),
      series: opts.series === false ? { intervalMs: SERIES_INTERVAL_MS, truncated: false, points: [] } : this.series.toData(),
    };
  }
}
