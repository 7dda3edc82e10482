import { Category, type AlertEntity, type Severity } from './alert.js';
import type { DetectorThresholds } from './options.js';
import { Ewma } from './primitives.js';
import type { EvseDet, StationDet } from './station.js';

type AlertFn = (nowMs: number, category: Category, severity: Severity, entity: AlertEntity, evidence: Record<string, unknown>, score?: number) => void;

/** Stations remembered per kind for the confirmation of Ended/down-step alarms. */
const RECENT_CAP = 256;
/** Longest a fleet alarm keeps its baseline frozen (s). */
const MAX_ALARM_S = 30;
/** EWMA weight per second of the aggregate power step's variance (τ ≈ 20 s). */
const STEP_LAMBDA = 0.05;
const ID_SAMPLE = 10;

class Recent {
  readonly sd: (StationDet | undefined)[] = new Array(RECENT_CAP);
  readonly ms = new Float64Array(RECENT_CAP);
  next = 0;
  add(sd: StationDet, nowMs: number): void {
    this.sd[this.next] = sd;
    this.ms[this.next] = nowMs;
    this.next = (this.next + 1) % RECENT_CAP;
  }
  since(fromMs: number): StationDet[] {
    const out: StationDet[] = [];
    const seen = new Set<StationDet>();
    for (let i = 0; i < RECENT_CAP; i++) {
      const sd = this.sd[i];
      if (sd !== undefined && this.ms[i]! >= fromMs && !seen.has(sd)) { seen.add(sd); out.push(sd); }
    }
    return out;
  }
}

interface Pending { dueMs: number; rule: string; fromMs: number; evidence: Record<string, unknown>; score: number; recent: Recent }

/**
 * Fleet-level statistics for load-altering attacks (A12b/c, ATTACKS.md §5 L2 "Fleet-level"):
 * - synchronicity: distinct stations whose transaction Started (or Ended) in the last `syncWindowS` seconds vs
 *   the Poisson expectation from an EWMA of the per-second rate; alarm at max(minStations, ratio·μ + z·√μ);
 * - aggregate power: the per-second change of Σ reported EVSE power (stations we did not command), alarm when
 *   |Δ| ≥ max(stepMinW, stepZ·σ) with σ an EWMA of the zero-mean change.
 * Both baselines freeze while alarmed. Ended bursts and downward steps are confirmed `confirmMs` later, and only
 * if most stations involved are still connected: a load test's ramp-down ends every session, then disconnects.
 * Constant memory: rings of `syncWindowS` counters and RECENT_CAP station references.
 */
export class FleetStats {
  /** Σ of the last reported power of every EVSE (W). */
  aggW = 0;
  private sec = -1;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly startRate: Ewma;
  private readonly endRate: Ewma;
  private startAlarm = false;
  private endAlarm = false;
  private startAlarmSec = 0;
  private endAlarmSec = 0;
  private stepAcc = 0;
  private stepVar = 0;
  private stepAlarm = false;
  private readonly recentEnds = new Recent();
  private readonly recentDown = new Recent();
  private readonly recentUp = new Recent();
  private readonly recentStarts = new Recent();
  private pending: Pending[] = [];
  /** Alarms dropped because the stations involved had disconnected (a drain, not an attack). */
  drainsIgnored = 0;

  constructor(private readonly t: Readonly<DetectorThresholds>, private readonly alert: AlertFn, private readonly warm: (nowMs: number) => boolean) {
    const w = Math.max(1, Math.round(t.syncWindowS));
    this.starts = new Int32Array(w);
    this.ends = new Int32Array(w);
    this.startRate = new Ewma(t.syncLambda);
    this.endRate = new Ewma(t.syncLambda);
  }

  /** A transaction Started/Ended that we did not command (remote start/stop, reset) and that is not a backlog. */
  txBoundary(kind: 'Started' | 'Ended', sd: StationDet, nowMs: number): void {
    this.roll(nowMs);
    const sec = this.sec;
    if (sd.syncSec === sec) return;
    sd.syncSec = sec;
    const w = this.starts.length;
    const ring = kind === 'Started' ? this.starts : this.ends;
    ring[sec % w]!++;
    (kind === 'Started' ? this.recentStarts : this.recentEnds).add(sd, nowMs);
    let count = 0;
    for (let i = 0; i < w; i++) count += ring[i]!;
    const rate = kind === 'Started' ? this.startRate : this.endRate;
    const expected = Math.max(0, rate.mean) * w;
    const thr = this.syncThreshold(rate);
    // During the warm-up everything is learned: a fleet ramping up is not steady yet.
    if (count < thr || !this.warm(nowMs)) return;
    const wasAlarmed = kind === 'Started' ? this.startAlarm : this.endAlarm;
    if (kind === 'Started') { this.startAlarm = true; this.startAlarmSec = sec; } else { this.endAlarm = true; this.endAlarmSec = sec; }
    if (wasAlarmed) return;
    const evidence = { rule: 'L2.fleet-synchronicity', event: kind, stations: count, windowS: w, expected: round(expected), threshold: round(thr) };
    const score = (count - expected) / Math.sqrt(Math.max(1, expected));
    if (kind === 'Started') this.raise(nowMs, evidence, score, this.recentStarts.since(nowMs - w * 1000));
    else this.defer(nowMs, evidence, score, this.recentEnds);
  }

  /** An EVSE's power changed to `p` (W); `commanded` changes are kept out of the step statistic. */
  power(sd: StationDet, e: EvseDet, p: number, commanded: boolean, nowMs: number): void {
    this.roll(nowMs);
    const d = p - e.aggW;
    if (d === 0) return;
    e.aggW = p;
    this.aggW += d;
    if (commanded) return;
    this.stepAcc += d;
    if (d < 0) this.recentDown.add(sd, nowMs); else this.recentUp.add(sd, nowMs);
  }

  tick(nowMs: number): void {
    this.roll(nowMs);
    if (this.pending.length === 0) return;
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (nowMs < p.dueMs) { keep.push(p); continue; }
      const involved = p.recent.since(p.fromMs);
      let connected = 0;
      for (const sd of involved) if (sd.connected) connected++;
      if (involved.length > 0 && connected * 2 >= involved.length) this.raise(nowMs, { ...p.evidence, stillConnected: connected }, p.score, involved);
      else this.drainsIgnored++;
    }
    this.pending = keep;
  }

  private raise(nowMs: number, evidence: Record<string, unknown>, score: number, involved: StationDet[]): void {
    const ids = involved.slice(0, ID_SAMPLE).map((s) => s.id);
    this.alert(nowMs, Category.loadAltering, 'high', 'fleet', { ...evidence, stationSample: ids, involved: involved.length }, score);
  }

  private defer(nowMs: number, evidence: Record<string, unknown>, score: number, recent: Recent): void {
    if (this.pending.length >= 4) return;
    const fromMs = nowMs - this.starts.length * 1000 - 1000;
    this.pending.push({ dueMs: nowMs + this.t.confirmMs, rule: evidence.rule as string, fromMs, evidence, score, recent });
  }

  /**
   * Alarm level for a window of `syncWindowS` seconds: max(minStations, ratio·μ·W + z·√(max(σ², μ)·W)) — the
   * variance term absorbs a fleet whose starts are burstier than Poisson.
   */
  private syncThreshold(rate: Ewma): number {
    const w = this.starts.length;
    const mu = Math.max(0, rate.mean);
    return Math.max(this.t.syncMinStations, this.t.syncRatio * mu * w + this.t.syncZ * Math.sqrt(Math.max(1, rate.variance, mu) * w));
  }

  /** Moves to the second of `nowMs`: folds completed seconds into the baselines and checks the power step. */
  private roll(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec <= this.sec) return;
    const w = this.starts.length;
    if (this.sec >= 0) {
      this.completeSecond(nowMs);
      const gap = Math.min(sec - this.sec - 1, 120);
      for (let i = 0; i < gap; i++) {
        this.startRate.update(0);
        this.endRate.update(0);
        if (!this.stepAlarm) this.stepVar *= 1 - STEP_LAMBDA;
      }
      for (let s = this.sec + 1, n = 0; s <= sec && n < w; s++, n++) { this.starts[s % w] = 0; this.ends[s % w] = 0; }
    }
    this.sec = sec;
  }

  private completeSecond(nowMs: number): void {
    const w = this.starts.length;
    const i = this.sec % w;
    if (!this.startAlarm) this.startRate.update(this.starts[i]!);
    if (!this.endAlarm) this.endRate.update(this.ends[i]!);
    let s = 0; let e = 0;
    for (let k = 0; k < w; k++) { s += this.starts[k]!; e += this.ends[k]!; }
    // An alarm ends when the window (minus the second about to drop out) is back under the threshold, or after
    // MAX_ALARM_S: a level that lasts that long is the fleet's new normal, not a synchronised burst.
    const next = (this.sec + 1) % w;
    if (this.startAlarm && (s - this.starts[next]! < this.syncThreshold(this.startRate) || this.sec - this.startAlarmSec > MAX_ALARM_S)) this.startAlarm = false;
    if (this.endAlarm && (e - this.ends[next]! < this.syncThreshold(this.endRate) || this.sec - this.endAlarmSec > MAX_ALARM_S)) this.endAlarm = false;
    const d = this.stepAcc;
    this.stepAcc = 0;
    const sd = Math.sqrt(this.stepVar);
    const thr = Math.max(this.t.stepMinW, this.t.stepZ * sd);
    if (Math.abs(d) >= thr && this.warm(nowMs)) {
      const was = this.stepAlarm;
      this.stepAlarm = true;
      if (was) return;
      const evidence = { rule: 'L2.fleet-power-step', stepW: Math.round(d), thresholdW: Math.round(thr), sigmaW: Math.round(sd), aggregateW: Math.round(this.aggW) };
      const score = sd > 0 ? Math.abs(d) / sd : Math.abs(d) / thr;
      if (d > 0) this.raise(nowMs, evidence, score, this.recentUp.since(nowMs - 2000));
      else this.defer(nowMs, evidence, score, this.recentDown);
      return;
    }
    this.stepAlarm = false;
    this.stepVar = (1 - STEP_LAMBDA) * this.stepVar + STEP_LAMBDA * d * d;
  }
}

function round(x: number): number { return Math.round(x * 100) / 100; }
