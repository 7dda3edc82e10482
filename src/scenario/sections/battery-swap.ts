import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { duration, Fields, integer, number, ratio, readMap } from '../read.js';
import type { BatterySwapGroupSpec } from '../spec.js';
import { distribution, durationQuantity, kiloQuantity, percentQuantity } from './distribution.js';

const SWAP_KEYS = [
  'emptySlots', 'batteryKwh', 'stockSocPercent', 'arrivalSocPercent', 'sohPercent', 'targetSocPercent', 'maxSocPercent',
  'handling', 'abandonRatio', 'insertTimeout', 'takeTimeout',
] as const;

/**
 * `stations[].swap` — the batteries of a `battery-swap` group (FLOWS.md §6). Absent: the defaults. Only a
 * `battery-swap` group may have it (reported by the caller); `slots` is the group's EVSE count.
 */
export function readSwap(p: Problems, v: unknown, path: Path, slots: number): BatterySwapGroupSpec {
  const d = DEFAULTS.swap;
  const m = v === undefined || v === null ? {} : readMap(p, v, path, SWAP_KEYS);
  if (!m) return d;
  const f = new Fields(p, m, path);
  const emptySlots = f.opt('emptySlots', d.emptySlots, integer({ min: 1, max: 127 }));
  // A swap needs a battery to hand out and a free slot for the one coming in.
  if (slots > 0 && emptySlots >= slots) {
    p.add(f.has('emptySlots') ? f.at('emptySlots') : [...path.slice(0, -1), 'evses'],
      `a swap station needs at least one battery: ${slots} slot(s) with ${emptySlots} empty leaves none (add EVSEs or lower emptySlots)`);
  }
  const targetSocPct = f.opt('targetSocPercent', d.targetSocPct, number({ min: 1, max: 100 }));
  const maxSocPct = f.opt('maxSocPercent', d.maxSocPct, number({ min: 1, max: 100 }));
  if (targetSocPct > maxSocPct) p.add(f.at('targetSocPercent'), `targetSocPercent (${targetSocPct}) is above maxSocPercent (${maxSocPct})`);
  return {
    emptySlots,
    batteryWh: f.opt('batteryKwh', d.batteryWh, distribution(kiloQuantity('kWh', { min: 0, above: true }))),
    stockSocPct: f.opt('stockSocPercent', d.stockSocPct, distribution(percentQuantity)),
    arrivalSocPct: f.opt('arrivalSocPercent', d.arrivalSocPct, distribution(percentQuantity)),
    sohPct: f.opt('sohPercent', d.sohPct, distribution(percentQuantity)),
    targetSocPct,
    maxSocPct,
    handling: f.opt('handling', d.handling, distribution(durationQuantity({ min: 0 }))),
    abandonRatio: f.opt('abandonRatio', d.abandonRatio, ratio()),
    insertTimeout: f.opt('insertTimeout', d.insertTimeout, duration({ min: 1000 })),
    takeTimeout: f.opt('takeTimeout', d.takeTimeout, duration({ min: 1000 })),
  };
}
