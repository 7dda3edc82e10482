/** Running a whole fleet in an integration test: scenario text → runFleet → metrics, with the run timed. */
import { runFleet, type FleetResult } from '../../src/fleet/runner.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import type { MetricsSnapshot } from '../../src/metrics/snapshot.js';
import { parseScenario, type ScenarioOverrides } from '../../src/scenario/load.js';
import type { ScenarioSpec } from '../../src/scenario/spec.js';

export interface FleetRun {
  readonly spec: ScenarioSpec;
  readonly result: FleetResult;
  readonly registry: MetricsRegistry;
  readonly snapshot: MetricsSnapshot;
  /** Named counters of the run (`tx_started`, `offline_queued`, ...); a counter never touched reads 0. */
  counter(name: string): number;
  /** Outcome counts of one outgoing action (`ok`, `timeout`, `callerror:SecurityError`, ...). */
  outcomes(action: string): Record<string, number>;
  /** Wall time of runFleet (ms), including its set-up (schema compilation on a process's first run). */
  readonly elapsedMs: number;
  /** From the fleet's start (phases begin) to the end of its drain (ms). */
  readonly runMs: number;
  /** Lines the fleet traced (connect failures, protocol events), each with Date.now() when it came. */
  readonly trace: readonly { atMs: number; line: string }[];
}

/** A scenario from YAML text (`file` only names it in messages). */
export function scenario(text: string, overrides?: ScenarioOverrides, file = 'test.yaml'): ScenarioSpec {
  return parseScenario(text, file, overrides);
}

/** Runs `spec` against `target` (e.g. `${server.url}/ocpp`) to its end, or until `signal` aborts. */
export async function runScenario(spec: ScenarioSpec, target: string, signal?: AbortSignal): Promise<FleetRun> {
  const registry = new MetricsRegistry();
  const trace: { atMs: number; line: string }[] = [];
  const t0 = Date.now();
  const result = await runFleet({
    spec, target, registry, verbose: (line) => { trace.push({ atMs: Date.now(), line }); },
    ...(signal ? { signal } : {}),
  });
  const elapsedMs = Date.now() - t0;
  const snapshot = registry.snapshot();
  return {
    spec, result, registry, snapshot, elapsedMs, trace, runMs: result.endedMs - result.startedMs,
    counter: (name) => snapshot.counters[name] ?? 0,
    outcomes: (action) => ({ ...(snapshot.calls[action]?.outcomes ?? {}) }),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
