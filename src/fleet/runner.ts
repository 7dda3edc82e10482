import { systemClock, type Clock } from '../util/clock.js';
import { IdSource } from '../util/ids.js';
import { Timeline } from '../util/timeline.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import { totalStations } from '../scenario/spec.js';
import { Station } from '../station/station.js';
import type { StationContext } from '../station/context.js';
import { planStations, type ShardSpec } from './plan.js';
import { shardTarget, targetAt } from './ramp.js';
import { MetricsWiring } from './wiring.js';
import { validatorFor } from '../ocpp/schemas.js';
import pLimit from 'p-limit';
import { createExecutor, type Executor } from './executors.js';
import { Rng, mixSeed } from '../util/rng.js';
import { AttackRunner, type AttackResults } from '../attacks/index.js';

export interface FleetOptions {
  spec: ScenarioSpec;
  /** CSMS endpoint; station URL = target + '/' + id. */
  target: string;
  registry: MetricsRegistry;
  shard?: ShardSpec;
  clock?: Clock;
  ids?: IdSource;
  /** Called about once a second with the wiring (connected count) for live progress. */
  onTick?(elapsedMs: number, wiring: MetricsWiring): void;
  /** Aborting ends the run early (SIGINT/SIGTERM): stations drain briefly, the result says interrupted. */
  signal?: AbortSignal;
  verbose?: (line: string) => void;
  /** Start barrier (wall-clock ms): every process of a distributed run starts its phases at the same instant. */
  startAtMs?: number;
  /** Receives the wiring before the run starts (e.g. for a load-generator monitor's connected count). */
  onWiring?(wiring: MetricsWiring): void;
}

export interface FleetResult {
  interrupted: boolean;
  stationsPlanned: number;
  peakConnected: number;
  startedMs: number;
  endedMs: number;
  /** Stations of this process, for tests that inspect them after the run. */
  stations: readonly Station[];
  /** This process's part of the scenario's attacks (ground truth, reactions); absent without `attacks:`. */
  attacks?: AttackResults;
}

const TICK_MS = 100;

/** Resolves once no station has a call of its own outstanding, or at the deadline. */
async function untilIdle(stations: readonly Station[], clock: Clock, deadlineMs: number): Promise<void> {
  while (clock.nowMs() < deadlineMs && stations.some((st) => st.session.busy)) await new Promise((r) => setTimeout(r, 20));
}

// What stations send on every run, plus the workload's call: compiled before the first handshake, because a
// schema compiled on first use blocks the event loop for tens of ms in the middle of a ramp.
const COMMON_ACTIONS = ['BootNotification', 'Heartbeat', 'StatusNotification', 'Authorize', 'TransactionEvent', 'MeterValues',
  'NotifyReport', 'SetChargingProfile', 'TriggerMessage', 'GetVariables', 'SetVariables', 'RequestStartTransaction',
  'RequestStopTransaction', 'DataTransfer'];

function warmValidators(spec: ScenarioSpec): void {
  for (const p of spec.protocols) {
    const v = validatorFor(p === 'ocpp2.1' ? '2.1' : '2.0.1');
    v.warm([...COMMON_ACTIONS, ...(spec.workload.work !== 'session' ? [spec.workload.work] : [])]);
  }
}

/**
 * Runs one process's share of a scenario: connects stations along the phases (a connection arrival rate with a
 * cap on handshakes in flight), lets them run their session model, ramps down gracefully, drains, and stops.
 */
export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const { spec, registry } = opts;
  const clock = opts.clock ?? systemClock;
  const plan = planStations(spec, opts.shard);
  const total = totalStations(spec);
  const wiring = new MetricsWiring(registry);
  if (opts.verbose) wiring.verbose = opts.verbose;
  opts.onWiring?.(wiring);
  warmValidators(spec);
  const timeline = new Timeline(clock);
  const shard = opts.shard ?? { index: 0, count: 1 };
  // The executor needs the start time; stations built before it reach it once it exists.
  let onlineTo: Executor | undefined;
  const ctx: StationContext = {
    spec, target: opts.target.replace(/\/+$/, ''), ids: opts.ids ?? new IdSource(), clock, timeline, observer: wiring, sink: wiring,
    onOnline: (st) => onlineTo?.online(st),
  };
  // Every station the phases will want is built before the start (identity, device model, EVSEs: ~30 µs each),
  // so that a boot storm spends its CPU on handshakes.
  const built: Station[] = [];
  const wanted = Math.min(plan.length, shardTarget(Math.max(0, ...spec.phases.map((p) => p.target)), shard));
  for (let i = 0; i < wanted; i++) built.push(new Station(ctx, plan[i]!));
  if (opts.startAtMs !== undefined && opts.startAtMs > clock.nowMs()) {
    await new Promise((r) => setTimeout(r, opts.startAtMs! - clock.nowMs()));
  }
  const stations: Station[] = [];
  const active: Station[] = [];
  const stopping: Promise<void>[] = [];
  const startedMs = clock.nowMs();
  // One seed for every shard: each computes the same global arrival sequence and takes its own arrivals.
  const executor = createExecutor(spec.workload, active, clock, wiring, new Rng(mixSeed(spec.seed, 0xe7ec)), shard, startedMs + spec.workload.startTimeMs, timeline);
  onlineTo = executor;
  const byIndex = new Map<number, Station>();
  const attacks = spec.attacks.length > 0
    ? new AttackRunner({ spec, ctx, shard, startedMs, stationAt: (i) => byIndex.get(i), sink: wiring, ...(opts.verbose ? { log: opts.verbose } : {}) })
    : undefined;
  let next = 0;
  let peak = 0;
  const handshakes = pLimit(spec.maxConnecting);
  let lastSecond = 0;
  let interrupted = false;
  let finished = false;

  const desiredNow = (): number => Math.min(plan.length, shardTarget(targetAt(spec.phases, clock.nowMs() - startedMs), opts.shard ?? { index: 0, count: 1 }));

  // Connection arrivals: a new handshake starts as soon as one finishes while the ramp wants more stations,
  // with at most maxConnecting in flight (a boot storm of SYNs would overflow the CSMS's listen queue).
  const launch = (): void => {
    if (finished) return;
    const desired = desiredNow();
    // Nothing waits inside the limiter: a station is only handed over while a handshake slot is free, so a
    // ramp-down never meets stations queued to start.
    while (active.length < desired && handshakes.activeCount + handshakes.pendingCount < spec.maxConnecting) {
      let st: Station | undefined;
      if (next < plan.length) {
        st = built[next] ?? new Station(ctx, plan[next]!);
        next++;
        stations.push(st);
        byIndex.set(st.plan.index, st);
      } else {
        st = stations.find((s) => s.link === 'stopped' && !active.includes(s));
        if (!st) break;
      }
      active.push(st);
      const s = st;
      void handshakes(() => s.start()).then(launch);
    }
  };

  await new Promise<void>((resolve) => {
    const finish = (drainMs: number): void => {
      finished = true;
      clearInterval(timer);
      clearTimeout(startTimer);
      executor.stop();
      const attacksDone = attacks ? attacks.stop() : Promise.resolve();
      const deadline = clock.nowMs() + drainMs;
      // Let the calls in flight come back before any socket closes: a storm of closes would delay the answers
      // still on their way and show up as latency that the CSMS did not cause.
      void attacksDone.then(() => untilIdle(active, clock, Math.min(deadline, clock.nowMs() + 2000))).then(() => {
        for (const st of active.splice(0)) stopping.push(st.stop(deadline));
        return Promise.all(stopping);
      }).then(() => resolve());
    };
    const onAbort = (): void => { interrupted = true; finish(Math.min(spec.drainTimeout, 2000)); };
    // The workload starts `startTime` after the run (k6): e.g. once the connection ramp is over.
    const arrivalsStart = startedMs + spec.workload.startTimeMs;
    const startTimer = setTimeout(() => { if (!finished) executor.start(); }, Math.max(0, arrivalsStart - clock.nowMs()));
    const timer = setInterval(() => {
      const elapsed = clock.nowMs() - startedMs;
      if (elapsed >= spec.duration) {
        opts.signal?.removeEventListener('abort', onAbort);
        finish(spec.drainTimeout);
        return;
      }
      launch();
      // Ramp down: the most recently started stations leave first, ending their sessions as drivers would.
      const desired = desiredNow();
      while (active.length > desired) {
        const st = active.pop()!;
        stopping.push(st.stop(clock.nowMs() + spec.drainTimeout));
      }
      peak = Math.max(peak, wiring.connectedNow);
      const second = Math.floor(elapsed / 1000);
      if (second !== lastSecond) {
        lastSecond = second;
        registry.tick();
        opts.onTick?.(elapsed, wiring);
      }
    }, TICK_MS);
    if (opts.signal?.aborted) { onAbort(); return; }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    launch();
    attacks?.start();
  });

  timeline.clear();
  for (const st of stations) st.shutdown();
  registry.tick();
  return {
    interrupted, stationsPlanned: plan.length, peakConnected: peak, startedMs, endedMs: clock.nowMs(), stations,
    ...(attacks ? { attacks: attacks.results() } : {}),
  };
}
