/** Time source; injected so that units run with a fake clock. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (used for OCPP timestamps). */
  nowMs(): number;
  /** Monotonic microseconds (used for latency); integer. */
  monoUs(): number;
}

const origin = Date.now() - performance.now();

export const systemClock: Clock = Object.freeze({
  nowMs: () => origin + performance.now(),
  monoUs: () => Math.round(performance.now() * 1000),
});

/** A clock that only moves when told to (units). */
export class ManualClock implements Clock {
  private ms: number;
  constructor(startMs = Date.UTC(2026, 0, 1)) { this.ms = startMs; }
  nowMs(): number { return this.ms; }
  monoUs(): number { return Math.round(this.ms * 1000); }
  advance(ms: number): void { this.ms += ms; }
}

/** ISO-8601 UTC with milliseconds, as OCPP date-time fields want it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
