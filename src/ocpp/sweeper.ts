/** Something with an outstanding call that may time out. */
export interface Expirable {
  readonly opts: { clock: { monoUs(): number } };
  expire(nowUs: number): void;
}

/**
 * One periodic sweep per process expires pending calls (STYLE habit 8): no timer per call. Resolution is the
 * sweep period (100 ms), ample for OCPP call timeouts measured in seconds.
 */
class Sweeper {
  private readonly live = new Set<Expirable>();
  private timer: NodeJS.Timeout | null = null;
  periodMs = 100;

  add(s: Expirable): void {
    this.live.add(s);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.periodMs);
      this.timer.unref();
    }
  }

  remove(s: Expirable): void {
    this.live.delete(s);
    if (this.live.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Runs one sweep now (tests with a manual clock call this). */
  sweep(): void {
    // Expiring may pump the next call, which re-adds the session with a fresh deadline: Set iteration allows it.
    for (const s of this.live) s.expire(s.opts.clock.monoUs());
    if (this.live.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

export const sweeper = new Sweeper();
