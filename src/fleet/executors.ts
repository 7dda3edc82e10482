import type { Clock } from '../util/clock.js';
import type { Rng } from '../util/rng.js';
import type { RateStage, WorkloadSpec } from '../scenario/spec.js';
import type { StationSink } from '../station/context.js';
import type { Station } from '../station/station.js';
import type { Timeline, TimelineTarget } from '../util/timeline.js';
import { ArrivalSequence } from './arrivals.js';

/**
 * Iterations are fired up to this much before their intended time. Node timers have 1 ms granularity and fire
 * anywhere within about a millisecond of their time; fired exactly they go out 0-2 ms late, and that lateness
 * would be measured as CSMS latency. Fired early, the call is timed from its actual send (wiring.ts: latency is
 * never below the service time), so the generator's own timer jitter stays out of the figures.
 */
const EARLY_MS = 2;

/** Drives the work of connected stations (k6's executors). Schedulers emit; metrics aggregate. */
export interface Executor {
  /** A station became usable. */
  online(st: Station): void;
  start(): void;
  stop(): void;
}

/** Iterations per second `elapsedMs` into the run for the arrival-rate executors. */
export function rateAt(w: WorkloadSpec, elapsedMs: number): number {
  if (w.executor === 'constant-arrival-rate') return w.rate;
  return stagedRate(w.startRate, w.stages, elapsedMs);
}

export function stagedRate(startRate: number, stages: readonly RateStage[], elapsedMs: number): number {
  let t = 0;
  let from = startRate;
  for (const s of stages) {
    if (elapsedMs < t + s.duration) return from + (s.target - from) * (s.duration > 0 ? (elapsedMs - t) / s.duration : 1);
    t += s.duration;
    from = s.target;
  }
  return from;
}

/** The `sessions` executor: EVSEs draw their own Poisson arrivals; nothing to drive here. */
class SelfDriven implements Executor {
  online(): void {}
  start(): void {}
  stop(): void {}
}

/**
 * Arrival-rate executors (k6 constant-/ramping-arrival-rate): iterations start on a schedule independent of
 * how fast the CSMS answers (an open model). Each arrival takes a free station (or EVSE) round-robin; with
 * none free it is dropped and counted as `dropped_iterations`, never queued — queueing would hide the very
 * slowness being measured. A call iteration is timed from its scheduled arrival (the intended send time).
 */
class ArrivalRate implements Executor {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = 0;
  private cursor = 0;
  private readonly startMs: number;
  private readonly seq: ArrivalSequence;

  constructor(
    private readonly w: WorkloadSpec,
    private readonly active: readonly Station[],
    private readonly clock: Clock,
    private readonly sink: StationSink,
    rng: Rng,
    shard: { index: number; count: number },
    runStartMs: number,
  ) {
    this.startMs = runStartMs;
    const stages = w.executor === 'constant-arrival-rate' ? [] : w.stages;
    const startRate = w.executor === 'constant-arrival-rate' ? w.rate : w.startRate;
    this.seq = new ArrivalSequence(startRate, stages, w.poisson, rng, shard);
  }

  online(): void {}

  start(): void {
    this.nextAt = this.startMs + this.seq.next();
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = Infinity;
  }

  private arm(): void {
    if (this.nextAt === Infinity) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.nextAt - EARLY_MS - this.clock.nowMs()));
  }

  private fire(): void {
    this.timer = null;
    const now = this.clock.nowMs();
    // Catch up on every arrival due by now, each with its own intended time (coordinated-omission safe).
    let guard = 0;
    while (this.nextAt <= now + EARLY_MS && guard++ < 100_000) {
      this.arrive(this.nextAt);
      this.nextAt = this.startMs + this.seq.next();
    }
    this.arm();
  }

  private arrive(intendedMs: number): void {
    const n = this.active.length;
    for (let k = 0; k < n; k++) {
      const st = this.active[(this.cursor + k) % n]!;
      if (this.w.work === 'session') {
        if (!st.online) continue;
        const evse = st.freeEvse();
        if (!evse) continue;
        this.cursor = (this.cursor + k + 1) % n;
        this.sink.count('iterations');
        evse.beginSession();
        return;
      }
      if (!st.idle) continue;
      this.cursor = (this.cursor + k + 1) % n;
      this.sink.count('iterations');
      const intendedUs = this.clock.monoUs() - Math.round((this.clock.nowMs() - intendedMs) * 1000);
      void st.call(this.w.work, st.workPayload(this.w.work), intendedUs);
      return;
    }
    this.sink.count('dropped_iterations');
  }
}

/**
 * Per-station rate (wrk2's model): every online station issues `rate` iterations per second on its own
 * schedule, phases spread at random. An iteration due while the station's previous call is outstanding waits
 * in the connection's queue (OCPP allows one CALL in flight) and is timed from when it was due, so a stalled
 * CSMS shows in the corrected latency and not in the service time. Past `maxQueue` waiting it is dropped.
 */
class PerStationRate implements Executor, TimelineTarget {
  private running = false;
  private readonly byIndex = new Map<number, { st: Station; dueMs: number; token: number }>();

  constructor(
    private readonly w: WorkloadSpec,
    private readonly timeline: Timeline,
    private readonly clock: Clock,
    private readonly sink: StationSink,
    private readonly rng: Rng,
    private readonly active: readonly Station[],
  ) {}

  online(st: Station): void {
    if (!this.running || this.byIndex.has(st.plan.index)) return;
    // The first iteration comes one to two periods after the station went online, at a random phase: the
    // station's own boot traffic (StatusNotification, queued events) has gone out by then and does not delay it.
    const first = this.clock.nowMs() + (1 + this.rng.next()) * (1000 / this.w.rate);
    const e = { st, dueMs: first, token: -1 };
    e.token = this.timeline.at(first - EARLY_MS, this, 0, st.plan.index);
    this.byIndex.set(st.plan.index, e);
  }

  start(): void {
    this.running = true;
    for (const st of this.active) if (st.online) this.online(st);
  }

  stop(): void {
    this.running = false;
    for (const e of this.byIndex.values()) this.timeline.cancel(e.token);
    this.byIndex.clear();
  }

  private periodMs(): number {
    return this.w.poisson ? this.rng.exponential(1000 / this.w.rate) : 1000 / this.w.rate;
  }

  onTimer(_kind: number, index: number): void {
    const e = this.byIndex.get(index);
    if (!e) return;
    const st = e.st;
    if (!this.running || !st.online) { this.byIndex.delete(index); return; }
    if (st.session.queued >= this.w.maxQueue) this.sink.count('dropped_iterations');
    else {
      this.sink.count('iterations');
      const intendedUs = this.clock.monoUs() - Math.round((this.clock.nowMs() - e.dueMs) * 1000);
      void st.call(this.w.work, st.workPayload(this.w.work), intendedUs);
    }
    e.dueMs += this.periodMs();
    e.token = this.timeline.at(e.dueMs - EARLY_MS, this, 0, index);
  }
}

/** Closed loop (k6 constant-vus): every online station iterates back to back, optionally pausing between. */
class ClosedLoop implements Executor {
  private running = false;
  private readonly looping = new WeakSet<Station>();

  constructor(private readonly w: WorkloadSpec, private readonly sink: StationSink, private readonly active: readonly Station[]) {}

  online(st: Station): void {
    if (this.running && !this.looping.has(st)) void this.loop(st);
  }

  start(): void {
    this.running = true;
    for (const st of this.active) if (st.online) this.online(st);
  }
  stop(): void { this.running = false; }

  private async loop(st: Station): Promise<void> {
    this.looping.add(st);
    try {
      while (this.running && st.online) {
        this.sink.count('iterations');
        await st.call(this.w.work, st.workPayload(this.w.work));
        if (this.w.pauseMs > 0) await new Promise((r) => setTimeout(r, this.w.pauseMs));
      }
    } finally {
      this.looping.delete(st);
    }
  }
}

export function createExecutor(
  w: WorkloadSpec, active: readonly Station[], clock: Clock, sink: StationSink, rng: Rng,
  shard: { index: number; count: number }, runStartMs: number, timeline: Timeline,
): Executor {
  switch (w.executor) {
    case 'sessions': return new SelfDriven();
    case 'closed-loop': return new ClosedLoop(w, sink, active);
    case 'per-station-rate': return new PerStationRate(w, timeline, clock, sink, rng, active);
    default: return new ArrivalRate(w, active, clock, sink, rng, shard, runStartMs);
  }
}
