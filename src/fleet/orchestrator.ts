import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../util/clock.js';
import { IdSource } from '../util/ids.js';
import { ToolError } from '../util/errors.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { mergeSnapshots } from '../metrics/snapshot.js';
import { gaugePeak } from '../metrics/series.js';
import type { MetricsSnapshot } from '../metrics/snapshot.js';
import { mergeProgress, type ProgressSample } from '../metrics/progress.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import { totalStations } from '../scenario/spec.js';
import { runFleet } from './runner.js';
import { LoadgenMonitor, loadgenReport, type LoadgenReport, type LoadgenStats } from './loadgen.js';
import type { ChildResult, FromChild, ToChild } from './messages.js';
import { planSize, type ShardSpec } from './plan.js';
import { mergeInstances, type AttackResults } from '../attacks/index.js';

/** Sockets per generator process: below the 20,000 open files a process may hold, with room for the rest. */
export const STATIONS_PER_PROCESS = 15_000;

export interface PlanRunOptions {
  spec: ScenarioSpec;
  target: string;
  /** This machine's slice of the run (`--shard i/N`); default the whole plan. */
  shard?: ShardSpec;
  /** Generator processes; default: 1 up to STATIONS_PER_PROCESS stations, then enough to stay below it. */
  processes?: number;
  /** Start barrier (wall-clock ms), e.g. from `--start-at` so the shards of a distributed run start together. */
  startAtMs?: number;
  signal?: AbortSignal;
  verbose?: (line: string) => void;
  /** About once a second. */
  onProgress?(p: LiveProgress): void;
}

export interface LiveProgress {
  elapsedMs: number;
  sample: ProgressSample;
  connected: number;
  /** Worst event-loop delay p99 of any generator process in the last second (ms). */
  lagP99Ms: number;
  /** The metrics so far, merged over processes (for thresholds with abortOnFail). */
  snapshot(): Promise<MetricsSnapshot>;
}

export interface PlanRunResult {
  snapshot: MetricsSnapshot;
  interrupted: boolean;
  stationsPlanned: number;
  peakConnected: number;
  processes: number;
  loadgen: LoadgenReport;
  /** Generator processes that failed; their stations are missing from the snapshot. */
  errors: string[];
  /** When the phases started (epoch ms): the barrier of a multi-process run. */
  startedMs: number;
  /** The attacks of every process, instance parts merged by id; absent without `attacks:`. */
  attacks?: AttackResults;
}

/**
 * Joins the attack results of several processes: instance parts merged by id (mergeInstances), reactions
 * together, and an instance counts as not injected only if no process injected it.
 */
export function mergeAttackResults(parts: readonly AttackResults[]): AttackResults {
  const instances = mergeInstances(parts.flatMap((p) => p.instances));
  const injected = new Set(instances.map((i) => i.id));
  const notInjected = [...new Set(parts.flatMap((p) => p.notInjected))].filter((id) => !injected.has(id)).sort();
  return {
    instances,
    reactions: parts.flatMap((p) => p.reactions).sort((a, b) => a.sentMs - b.sentMs),
    planned: injected.size + notInjected.length,
    notInjected,
  };
}

/** The gauge MetricsWiring keeps of the stations connected now. */
const CONNECTED_GAUGE = 'stations_connected';

/**
 * Peak connected stations of several processes (or shards) together: the peak of their merged connected series,
 * never below one process's own peak (which it samples more often than once a second). Not the sum of the
 * processes' peaks: they peak at different times.
 */
export function mergedPeakConnected(merged: MetricsSnapshot, peaks: readonly number[]): number {
  return Math.max(0, ...peaks, gaugePeak(merged.series, CONNECTED_GAUGE));
}

/** How many generator processes a plan of `stations` needs. */
export function processesFor(stations: number, requested?: number): number {
  if (requested !== undefined && requested > 0) return requested;
  return Math.max(1, Math.ceil(stations / STATIONS_PER_PROCESS));
}

/**
 * Runs this machine's share of a scenario in one process, or spread over child processes that are each a
 * shard of the same deterministic plan (the same code path as `--shard i/N` across machines): process j of P
 * within shard i of N runs the combined shard i + N·j of N·P. The parent merges their snapshots exactly.
 */
export async function runPlan(opts: PlanRunOptions): Promise<PlanRunResult> {
  const shard = opts.shard ?? { index: 0, count: 1 };
  const mine = planSize(opts.spec, shard);
  const procs = Math.min(Math.max(1, mine), processesFor(mine, opts.processes));
  return procs === 1 ? runInProcess(opts, shard) : runChildren(opts, shard, procs);
}

async function runInProcess(opts: PlanRunOptions, shard: ShardSpec): Promise<PlanRunResult> {
  // The metrics clock starts at the barrier, not before: rates and the series cover the run only.
  const wait = (opts.startAtMs ?? 0) - systemClock.nowMs();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const registry = new MetricsRegistry();
  let connected = (): number => 0;
  const monitor = new LoadgenMonitor(() => connected());
  monitor.start();
  const startedAt = opts.startAtMs ?? systemClock.nowMs();
  const result = await runFleet({
    spec: opts.spec, target: opts.target, registry, shard,
    ids: new IdSource(`${randomBytes(3).toString('hex')}${shard.index.toString(36)}-`),
    ...(opts.startAtMs !== undefined ? { startAtMs: opts.startAtMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.verbose ? { verbose: opts.verbose } : {}),
    onWiring(w) { connected = () => w.connectedNow; },
    onTick(_elapsed, w) {
      opts.onProgress?.({
        elapsedMs: systemClock.nowMs() - startedAt, sample: registry.progress(), connected: w.connectedNow,
        lagP99Ms: monitor.lastLagP99Ms, snapshot: async () => registry.snapshot(undefined, { series: false }),
      });
    },
  });
  monitor.stations = result.stationsPlanned;
  const stats = monitor.stop();
  return {
    snapshot: registry.snapshot(), interrupted: result.interrupted, stationsPlanned: result.stationsPlanned,
    peakConnected: result.peakConnected, processes: 1, loadgen: loadgenReport([stats], result.peakConnected), errors: [],
    startedMs: result.startedMs, ...(result.attacks ? { attacks: result.attacks } : {}),
  };
}

interface ChildState {
  proc: ChildProcess;
  progress: ProgressSample | null;
  connected: number;
  lagP99Ms: number;
  done: { snap: MetricsSnapshot; result: ChildResult; loadgen: LoadgenStats } | null;
  error: string | null;
}

async function runChildren(opts: PlanRunOptions, shard: ShardSpec, procs: number): Promise<PlanRunResult> {
  const childPath = fileURLToPath(new URL('./child.js', import.meta.url));
  const runTag = randomBytes(3).toString('hex');
  const children: ChildState[] = [];
  // The parent's own memory is part of what the stations cost; it peaks with the children's stations together.
  const parentMonitor = new LoadgenMonitor(() => children.reduce((n, c) => n + c.connected, 0), 'parent');
  parentMonitor.start();
  for (let j = 0; j < procs; j++) {
    // stdin/stdout not needed; stderr passes through for --verbose traces.
    const proc = fork(childPath, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    children.push({ proc, progress: null, connected: 0, lagP99Ms: 0, done: null, error: null });
  }
  const pendingSnapshots = new Map<number, { need: number; got: MetricsSnapshot[]; resolve: (s: MetricsSnapshot) => void }>();
  let snapshotId = 0;
  const readyAll = Promise.all(children.map((c) => new Promise<void>((resolve) => {
    c.proc.on('message', (m: FromChild) => {
      switch (m.t) {
        case 'ready': resolve(); break;
        case 'progress': c.progress = m.sample; c.connected = m.connected; c.lagP99Ms = m.lagP99Ms; break;
        case 'snapshot': {
          const p = pendingSnapshots.get(m.id);
          if (p) { p.got.push(m.snap); if (p.got.length === p.need) { pendingSnapshots.delete(m.id); p.resolve(mergeSnapshots(p.got)); } }
          break;
        }
        case 'done': c.done = { snap: m.snap, result: m.result, loadgen: m.loadgen }; break;
        case 'error': c.error = m.message; resolve(); break;
      }
    });
    c.proc.on('exit', (code) => { if (!c.done && !c.error) c.error = `generator process ${c.proc.pid} exited with code ${code}`; resolve(); });
  })));
  const exited = Promise.all(children.map((c) => new Promise<void>((r) => {
    if (c.proc.exitCode !== null) r(); else c.proc.once('exit', () => r());
  })));

  const send = (c: ChildState, m: ToChild): void => { if (c.proc.connected) c.proc.send(m); };
  // Handshake: every child gets its shard, then one common start instant (a barrier for the phases).
  const startAtMs = Math.max(opts.startAtMs ?? 0, systemClock.nowMs() + 1500 + procs * 100);
  children.forEach((c, j) => send(c, {
    t: 'init', spec: opts.spec, target: opts.target, shard: { index: shard.index + shard.count * j, count: shard.count * procs },
    idPrefix: `${runTag}${(shard.index + shard.count * j).toString(36)}-`, startAtMs, verbose: opts.verbose !== undefined,
  }));
  await readyAll;

  const onAbort = (): void => { for (const c of children) send(c, { t: 'abort' }); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const snapshot = (): Promise<MetricsSnapshot> => {
    const live = children.filter((c) => c.proc.connected && !c.done);
    if (live.length === 0) return Promise.resolve(mergeSnapshots(children.flatMap((c) => (c.done ? [c.done.snap] : []))));
    return new Promise((resolve) => {
      const id = ++snapshotId;
      pendingSnapshots.set(id, { need: live.length, got: [], resolve });
      for (const c of live) send(c, { t: 'snapshot', id });
    });
  };
  const timer = setInterval(() => {
    const samples = children.flatMap((c) => (c.progress ? [c.progress] : []));
    if (samples.length === 0) return;
    opts.onProgress?.({
      elapsedMs: systemClock.nowMs() - startAtMs, sample: mergeProgress(samples),
      connected: children.reduce((n, c) => n + c.connected, 0), lagP99Ms: Math.max(...children.map((c) => c.lagP99Ms)), snapshot,
    });
  }, 1000);
  await exited;
  clearInterval(timer);
  const parentStats = parentMonitor.stop();
  opts.signal?.removeEventListener('abort', onAbort);

  const done = children.flatMap((c) => (c.done ? [c.done] : []));
  const errors = children.flatMap((c) => (c.error ? [c.error] : []));
  if (done.length === 0) throw new ToolError('E_GENERATORS_FAILED', `every generator process failed:\n${errors.join('\n')}`);
  const merged = mergeSnapshots(done.map((d) => d.snap));
  const peak = mergedPeakConnected(merged, done.map((d) => d.result.peakConnected));
  return {
    snapshot: merged,
    interrupted: done.some((d) => d.result.interrupted),
    stationsPlanned: done.reduce((n, d) => n + d.result.stationsPlanned, 0),
    peakConnected: peak,
    processes: procs,
    loadgen: loadgenReport([...done.map((d) => d.loadgen), parentStats], peak),
    errors,
    startedMs: startAtMs,
    ...(done.some((d) => d.result.attacks) ? { attacks: mergeAttackResults(done.flatMap((d) => (d.result.attacks ? [d.result.attacks] : []))) } : {}),
  };
}

/** Stations in the whole scenario (all shards). */
export function fleetSize(spec: ScenarioSpec): number {
  return totalStations(spec);
}
