import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { duration, Fields, number, ratio, readMap, type Reader } from '../read.js';
import type { V2xGroupSpec } from '../spec.js';
import { distribution, kiloQuantity } from './distribution.js';

const V2X_KEYS = ['dischargeKw', 'minSocPercent', 'maxSocPercent', 'gridEvents'] as const;
const GRID_KEYS = ['every', 'probability', 'duration'] as const;

/**
 * `stations[].v2x` — the bidirectional EVs of a `v2x` group and its simulated grid (FLOWS.md §5). Absent: the
 * defaults. Only a `v2x` group may have it (reported by the caller).
 */
export function readV2x(p: Problems, v: unknown, path: Path): V2xGroupSpec {
  const d = DEFAULTS.v2x;
  if (v === undefined || v === null) return d;
  const m = readMap(p, v, path, V2X_KEYS);
  if (!m) return d;
  const f = new Fields(p, m, path);
  const minSocPct = f.opt('minSocPercent', d.minSocPct, number({ min: 0, max: 100 }));
  const maxSocPct = f.opt('maxSocPercent', d.maxSocPct, number({ min: 0, max: 100 }));
  if (minSocPct > maxSocPct) p.add(f.at('minSocPercent'), `minSocPercent (${minSocPct}) is above maxSocPercent (${maxSocPct})`);
  return {
    dischargePowerW: f.opt('dischargeKw', d.dischargePowerW, distribution(kiloQuantity('kW', { min: 0 }))),
    minSocPct,
    maxSocPct,
    gridEvents: f.opt('gridEvents', d.gridEvents, gridEvents),
  };
}

// `{ every: 10s, probability: 0.1, duration: 5s }`: an excursion may start every `every`, and lasts `duration`.
const gridEvents: Reader<V2xGroupSpec['gridEvents']> = (p, v, path) => {
  const m = readMap(p, v, path, GRID_KEYS);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const d = DEFAULTS.v2x.gridEvents;
  return {
    every: f.opt('every', d.every, duration({ min: 100 })),
    probability: f.opt('probability', d.probability, ratio()),
    duration: f.opt('duration', d.duration, duration({ min: 0 })),
  };
};
