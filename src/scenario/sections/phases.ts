import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, parsePercent, readMap, string, type Reader } from '../read.js';

/** A phase target before the station total is known: an absolute count or a share of all stations. */
export type TargetDraft = { kind: 'count'; n: number } | { kind: 'percent'; pct: number };

export interface PhaseDraft {
  name: string;
  duration: number;
  target: TargetDraft;
  /** Where the phase was written (for checks against the station total); absent for generated phases. */
  path?: Path;
}

/**
 * `phases:` (k6 stages: the connected-station target at the end of each phase) or `duration:` (which
 * expands to ramp-up / hold / ramp-down). With neither, the default duration is used.
 */
export function readPhases(p: Problems, f: Fields): PhaseDraft[] | undefined {
  if (f.has('phases') && f.has('duration')) {
    p.add(f.at('duration'), "use either 'duration' or 'phases', not both");
    return undefined;
  }
  if (f.has('phases')) return phaseList(p, f.raw.phases, f.at('phases'));
  const total = f.opt('duration', DEFAULTS.duration, duration({ min: 0, above: true }));
  return defaultPhases(total);
}

/** Splits a run length into ramp-up (25%) / hold / ramp-down (10%); whole seconds when the run is ≥ 10 s. */
export function defaultPhases(total: number): PhaseDraft[] {
  const unit = total >= 10_000 ? 1000 : 1;
  const { rampUpShare, rampDownShare, names } = DEFAULTS.phases;
  const up = Math.round((total * rampUpShare) / unit) * unit;
  const down = Math.round((total * rampDownShare) / unit) * unit;
  return [
    { name: names[0], duration: up, target: { kind: 'percent', pct: 100 } },
    { name: names[1], duration: total - up - down, target: { kind: 'percent', pct: 100 } },
    { name: names[2], duration: down, target: { kind: 'count', n: 0 } },
  ];
}

function phaseList(p: Problems, v: unknown, path: Path): PhaseDraft[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    p.add(path, `expected a non-empty list of phases like "- { duration: 30s, target: 100% }", got ${describe(v)}`);
    return undefined;
  }
  const before = p.size;
  const phases = v.map((item, i): PhaseDraft => {
    const at = [...path, i];
    const f = new Fields(p, readMap(p, item, at, ['name', 'duration', 'target']) ?? {}, at);
    return {
      name: f.opt('name', `phase${i + 1}`, string({ maxLength: 64 })),
      duration: f.req('duration', 0, duration({ min: 0 })),
      target: f.req<TargetDraft>('target', { kind: 'count', n: 0 }, target),
      path: at,
    };
  });
  const names = new Set<string>();
  phases.forEach((ph, i) => {
    if (names.has(ph.name)) p.add([...path, i, 'name'], `duplicate phase name '${ph.name}'`);
    names.add(ph.name);
  });
  if (p.size === before && phases.every((ph) => ph.duration === 0)) {
    p.add(path, 'the phases must last longer than 0s in total');
  }
  return p.size > before ? undefined : phases;
}

// A phase target: a whole number of stations, or a percentage `"80%"` of all stations.
const target: Reader<TargetDraft> = (p, v, path) => {
  const pct = parsePercent(v);
  if (pct !== undefined) {
    if (pct <= 100) return { kind: 'percent', pct };
    p.add(path, `${describe(v)} is out of range: a percentage target must be 0%..100%`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return { kind: 'count', n: v };
  p.add(path, `expected a number of stations (≥ 0) or a percentage like "100%", got ${describe(v)}`);
  return undefined;
};
