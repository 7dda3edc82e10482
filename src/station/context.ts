import type { Clock } from '../util/clock.js';
import type { IdSource } from '../util/ids.js';
import type { Timeline } from '../util/timeline.js';
import type { SessionObserver } from '../ocpp/session.js';
import type { ScenarioSpec } from '../scenario/spec.js';

/**
 * What a station reports besides call timings. The composition root wires it to metrics; the station never
 * imports metrics (producers push, metrics aggregates).
 */
export interface StationSink {
  count(name: string, n?: number): void;
  add(name: string, value: number): void;
  connect(us: number, ok: boolean, errorKind?: string): void;
  /** Stations currently connected (+1 / -1). */
  connected(delta: number): void;
  /** Free-text trace for --verbose; may be a no-op. */
  log?(stationId: string, message: string): void;
}

/** Everything stations of one process share: one scenario, one clock, one timeline, one id source. */
export interface StationContext {
  readonly spec: ScenarioSpec;
  /** CSMS endpoint without the trailing identity (`ws://127.0.0.1:9000/ocpp`). */
  readonly target: string;
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly timeline: Timeline;
  readonly observer: SessionObserver;
  readonly sink: StationSink;
  /** A station became usable (boot accepted, or reconnected after one): executors start its work here. */
  onOnline?(station: import('./station.js').Station): void;
}
