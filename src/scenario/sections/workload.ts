import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, isRaw, number, oneOf, readMap, type Reader } from '../read.js';
import type { RateStage, WorkKind, WorkloadSpec } from '../spec.js';

export const EXECUTORS = ['sessions', 'constant-arrival-rate', 'ramping-arrival-rate', 'per-station-rate', 'closed-loop'] as const;
/** What one iteration does: a whole charging session on a free EVSE, or one station→CSMS call. */
export const WORK_KINDS = ['session', 'Heartbeat', 'Authorize', 'MeterValues', 'StatusNotification', 'DataTransfer'] as const;

const KEYS = ['executor', 'work', 'rate', 'timeUnit', 'startRate', 'stages', 'poisson', 'pause', 'maxQueue', 'startTime'] as const;

export const DEFAULT_WORKLOAD: WorkloadSpec = Object.freeze({
  executor: 'sessions', work: 'session', rate: 0, startRate: 0, stages: Object.freeze([]), poisson: false, pauseMs: 0, maxQueue: 100, startTimeMs: 0,
}) as WorkloadSpec;

/**
 * `workload:` — k6-style executors for the work stations do once connected (k6 `constant-arrival-rate`,
 * `ramping-arrival-rate`; `per-station-rate` is every station on its own fixed schedule, wrk2's model;
 * `closed-loop` is each station iterating back to back, like k6 `constant-vus`).
 * `sessions` (default) lets every EVSE draw its own Poisson plug-in arrivals from `sessions:`.
 * Rates are iterations per `timeUnit` (default 1s) across the whole fleet.
 */
export function readWorkload(p: Problems, v: unknown, path: Path): WorkloadSpec {
  const m = readMap(p, v, path, KEYS);
  if (!m) return DEFAULT_WORKLOAD;
  const f = new Fields(p, m, path);
  const executor = f.opt('executor', DEFAULT_WORKLOAD.executor, oneOf(EXECUTORS));
  const work = f.opt<WorkKind>('work', executor === 'closed-loop' ? 'Heartbeat' : 'session', oneOf(WORK_KINDS));
  const unit = f.opt('timeUnit', 1000, duration({ min: 0, above: true }));
  const perSecond = (x: number): number => (x * 1000) / unit;
  const rate = f.maybe('rate', number({ min: 0, above: true }));
  const startRate = f.opt('startRate', 0, number({ min: 0 }));
  const stages = f.maybe('stages', stageList);
  const poisson = f.opt('poisson', false, bool);
  const pauseMs = f.opt('pause', 0, duration({ min: 0 }));
  const maxQueue = f.opt('maxQueue', DEFAULT_WORKLOAD.maxQueue, number({ min: 0, max: 100_000 }));
  const startTimeMs = f.opt('startTime', 0, duration({ min: 0 }));
  if (executor === 'sessions' && f.has('startTime')) p.add(f.at('startTime'), "'startTime' does not apply to the sessions executor");
  const need = (key: string, ok: boolean, why: string): void => { if (!ok) p.add(f.at(key), why); };
  if (executor === 'constant-arrival-rate' || executor === 'per-station-rate') {
    need('rate', rate !== undefined, `'rate' is required for ${executor} (iterations per timeUnit${executor === 'per-station-rate' ? ', per station' : ''})`);
  }
  if (executor === 'ramping-arrival-rate') need('stages', stages !== undefined, `'stages' is required for ramping-arrival-rate, e.g. [{ duration: 30s, target: 200 }]`);
  if (executor !== 'constant-arrival-rate' && executor !== 'per-station-rate' && f.has('rate')) {
    p.add(f.at('rate'), `'rate' only applies to constant-arrival-rate and per-station-rate`);
  }
  if (executor !== 'per-station-rate' && f.has('maxQueue')) p.add(f.at('maxQueue'), `'maxQueue' only applies to per-station-rate`);
  if (executor !== 'ramping-arrival-rate' && (f.has('stages') || f.has('startRate'))) {
    p.add(f.at(f.has('stages') ? 'stages' : 'startRate'), `'stages'/'startRate' only apply to ramping-arrival-rate`);
  }
  if (executor === 'sessions' && f.has('work') && work !== 'session') p.add(f.at('work'), "the 'sessions' executor only runs work: session");
  if (executor !== 'closed-loop' && f.has('pause')) p.add(f.at('pause'), "'pause' only applies to closed-loop");
  return {
    executor, work, rate: perSecond(rate ?? 0), startRate: perSecond(startRate),
    stages: (stages ?? []).map((s) => ({ duration: s.duration, target: perSecond(s.target) })), poisson, pauseMs, maxQueue, startTimeMs,
  };
}

const bool: Reader<boolean> = (p, v, path) => {
  if (typeof v === 'boolean') return v;
  p.add(path, `expected true or false, got ${describe(v)}`);
  return undefined;
};

const stageList: Reader<RateStage[]> = (p, v, path) => {
  if (!Array.isArray(v) || v.length === 0) {
    p.add(path, `expected a non-empty list like "- { duration: 30s, target: 200 }", got ${describe(v)}`);
    return undefined;
  }
  const out: RateStage[] = [];
  v.forEach((item, i) => {
    const at = [...path, i];
    if (!isRaw(item)) { p.add(at, `expected a map { duration, target }, got ${describe(item)}`); return; }
    const f = new Fields(p, readMap(p, item, at, ['duration', 'target']) ?? {}, at);
    out.push({ duration: f.req('duration', 0, duration({ min: 0 })), target: f.req('target', 0, number({ min: 0 })) });
  });
  return out;
};
