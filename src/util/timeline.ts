import type { Clock } from './clock.js';

/** Something that receives timeline events as a method call (no closure per event). */
export interface TimelineTarget {
  onTimer(kind: number, arg: number): void;
}

interface Entry { at: number; seq: number; target: TimelineTarget; kind: number; arg: number; gen: number }

/**
 * A per-process event timeline: a binary min-heap of (due time, target, kind) with one Node timer armed for
 * the earliest entry. Thousands of stations each with heartbeat, meter and arrival events cost one timer, and
 * a manual clock drives it deterministically in units (`runDue()`).
 * Cancellation is by generation: `schedule` returns a token; `cancel(token)` marks it dead in O(1).
 */
export class Timeline {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  private readonly dead = new Set<number>();
  private readonly clock: Clock;
  private readonly auto: boolean;

  /** auto = false: nothing fires by itself; call runDue() (tests with a ManualClock). */
  constructor(clock: Clock, auto = true) {
    this.clock = clock;
    this.auto = auto;
  }

  get size(): number { return this.heap.length - this.dead.size; }

  /** Schedules target.onTimer(kind, arg) at wall-clock ms `at`; returns a cancellation token. */
  at(at: number, target: TimelineTarget, kind: number, arg = 0): number {
    const e: Entry = { at, seq: this.seq++, target, kind, arg, gen: 0 };
    e.gen = e.seq;
    this.push(e);
    if (this.auto && at < this.armedAt) this.arm(at);
    return e.gen;
  }

  after(ms: number, target: TimelineTarget, kind: number, arg = 0): number {
    return this.at(this.clock.nowMs() + ms, target, kind, arg);
  }

  cancel(token: number): void {
    if (token >= 0) this.dead.add(token);
  }

  /** Fires every entry due at or before now; returns how many fired. */
  runDue(): number {
    let fired = 0;
    const now = this.clock.nowMs();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop()!;
      if (this.dead.delete(e.gen)) continue;
      fired++;
      try {
        e.target.onTimer(e.kind, e.arg);
      } catch (err) {
        // A station bug must not stop every other station's clock; surface it once per kind.
        process.emitWarning(`timeline target failed: ${(err as Error).stack ?? err}`);
      }
    }
    return fired;
  }

  /** Stops the timer and forgets every entry. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
    this.heap.length = 0;
    this.dead.clear();
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = at;
    // Rounded up: a Node timer never fires before its delay, so entries go out at or just after their time
    // (within the 1 ms timer granularity), never early. Spinning on setImmediate for the last millisecond
    // would cost a core at a few thousand events per second.
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.ceil(at - this.clock.nowMs())));
  }

  private tick(): void {
    this.timer = null;
    this.armedAt = Infinity;
    this.runDue();
    if (this.heap.length > 0) this.arm(this.heap[0]!.at);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
