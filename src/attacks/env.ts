import type { Clock } from '../util/clock.js';
import { Rng } from '../util/rng.js';
import type { ReactionSpec } from '../detection/index.js';
import type { CallOutcome, Payload } from '../ocpp/session.js';
import type { StationContext } from '../station/context.js';
import type { Station } from '../station/station.js';
import type { InstancePlan } from './plan.js';
import { reactionsOf } from './reactions.js';
import type { InstanceRecorder } from './recorder.js';
import { Rogue, type RogueOpen, type RogueOptions } from './rogue.js';

/** Counters an attack reports (`attack_<name>`), besides the ground truth. */
export interface AttackSink {
  count(name: string, n?: number): void;
}

/**
 * What one running instance can do: its plan, parameters and random stream; its target stations in this
 * process; timing bounded by the instance's end and the run's abort; and the ground-truth recorder.
 */
export class AttackEnv {
  readonly rng: Rng;
  private aborted = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    readonly plan: InstancePlan,
    readonly ctx: StationContext,
    /** Target stations that live in this process (a shard runs its own part of a multi-station instance). */
    public stations: readonly Station[],
    /** This process owns the instance's first target: it runs the parts that need no station. */
    readonly lead: boolean,
    readonly recorder: InstanceRecorder,
    readonly sink: AttackSink,
    /** Absolute (epoch ms) end of injection. */
    readonly deadlineMs: number,
  ) {
    this.rng = new Rng(plan.seed);
  }

  get clock(): Clock { return this.ctx.clock; }
  get params(): Readonly<Record<string, any>> { return this.plan.entry.params; } // eslint-disable-line @typescript-eslint/no-explicit-any
  get rate(): number { return this.plan.entry.rate; }
  nowMs(): number { return this.ctx.clock.nowMs(); }
  /** Still injecting: before the deadline and the run not stopped. */
  get active(): boolean { return !this.aborted && this.nowMs() < this.deadlineMs; }

  abort(): void {
    this.aborted = true;
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Waits `ms` (cut short by abort). */
  sleep(ms: number): Promise<void> {
    if (this.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => { clearTimeout(t); this.wakers.delete(done); resolve(); };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Until the deadline (or abort), calls `step(n)` at `rate`/s from intended times; a slow step delays the next one. */
  async every(rate: number, step: (n: number) => Promise<void> | void): Promise<void> {
    const gap = 1000 / rate;
    const t0 = this.nowMs();
    for (let n = 0; this.active; n++) {
      const due = t0 + n * gap;
      if (due >= this.deadlineMs) return;
      await this.sleep(due - this.nowMs());
      if (!this.active) return;
      await step(n);
    }
  }

  /** Polls `pred` every `pollMs` until true (→ true) or the deadline/abort (→ false). */
  async waitFor(pred: () => boolean, pollMs = 100, untilMs = this.deadlineMs): Promise<boolean> {
    while (!pred()) {
      if (this.aborted || this.nowMs() >= untilMs) return false;
      await this.sleep(Math.min(pollMs, untilMs - this.nowMs()));
    }
    return true;
  }

  /** A malicious frame (or attempt) went out now (or at `atMs`). */
  malicious(atMs = this.nowMs()): void { this.recorder.malicious(atMs); }

  readonly scope = {
    station: (id: string): void => this.recorder.station(id),
    token: (t: string): void => this.recorder.token(t),
    ip: (a: string): void => this.recorder.ip(a),
    fleet: (): void => this.recorder.wholeFleet(),
  };

  /**
   * Sends a malicious CALL through a session (a target station's, or a rogue's), marks it, and records the reaction
   * against `expect` (when given). `raw` skips outgoing validation for this frame only.
   */
  async call(
    on: { session: { call(a: string, p: unknown, o?: { raw?: boolean }): Promise<CallOutcome> } },
    action: string, payload: Payload, opts: { expect?: readonly ReactionSpec[]; raw?: boolean; frame?: string; maxLatencyMs?: number } = {},
  ): Promise<CallOutcome> {
    const sentMs = this.nowMs();
    this.malicious(sentMs);
    const out = await on.session.call(action, payload, opts.raw ? { raw: true } : undefined);
    if (opts.expect) {
      const r = reactionsOf(out);
      this.recorder.reaction(opts.frame ?? action, sentMs, opts.expect, r ? { atMs: this.nowMs(), reactions: r } : null, opts.maxLatencyMs);
    }
    return out;
  }

  /** Records a reaction observed by the attack itself (HTTP status at upgrade, close code, ...). */
  reaction(frame: string, sentMs: number, expect: readonly ReactionSpec[], observed: Parameters<InstanceRecorder['reaction']>[3], maxLatencyMs?: number): void {
    this.recorder.reaction(frame, sentMs, expect, observed, maxLatencyMs);
  }

  /** Opens an extra connection (not a virtual station's); see Rogue. */
  rogue(o: RogueOptions): Promise<RogueOpen> {
    return Rogue.open(this.ctx, o);
  }

  count(name: string, n = 1): void { this.sink.count(`attack_${name}`, n); }
}
