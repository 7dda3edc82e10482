import { targetUrl, MAX_SEED, VALIDATION_MODES } from './sections/general.js';
import { Problems } from './problems.js';
import type { ValidationMode } from './spec.js';

/** Values given on the command line; each replaces (or rescales) the file's value. */
export interface ScenarioOverrides {
  /** CSMS endpoint (ws:// or wss://). */
  target?: string;
  /** Total station count, spread over the groups in proportion to their file counts. */
  stations?: number;
  /** Run length in ms; the phases are scaled in proportion. */
  duration?: number;
  seed?: number;
  validation?: ValidationMode;
}

/** What command-line problems are reported against (InputProblem.file). */
export const COMMAND_LINE = 'command line';

/** Checks overrides, reporting into `p` as `command line: --flag`; returns the valid ones. */
export function checkOverrides(p: Problems, o: ScenarioOverrides | undefined): ScenarioOverrides {
  if (!o) return {};
  const ok: ScenarioOverrides = {};
  const bad = (flag: string, message: string) => p.addExternal(COMMAND_LINE, `--${flag}`, message);
  if (o.target !== undefined) {
    // Reuse the file's rules; the reader reports into a scratch collector so the path reads `--target`.
    const scratch = new Problems(COMMAND_LINE);
    const t = targetUrl(scratch, o.target, ['--target']);
    for (const x of scratch.resolve()) bad('target', x.message);
    if (t !== undefined) ok.target = t;
  }
  if (o.stations !== undefined) {
    if (Number.isSafeInteger(o.stations) && o.stations >= 1) ok.stations = o.stations;
    else bad('stations', `expected a whole number ≥ 1, got ${String(o.stations)}`);
  }
  if (o.duration !== undefined) {
    if (Number.isFinite(o.duration) && o.duration > 0) ok.duration = Math.round(o.duration);
    else bad('duration', `expected a duration > 0, got ${String(o.duration)} ms`);
  }
  if (o.seed !== undefined) {
    if (Number.isSafeInteger(o.seed) && o.seed >= 0 && o.seed <= MAX_SEED) ok.seed = o.seed;
    else bad('seed', `expected a whole number in 0..${MAX_SEED}, got ${String(o.seed)}`);
  }
  if (o.validation !== undefined) {
    if (VALIDATION_MODES.includes(o.validation)) ok.validation = o.validation;
    else bad('validation', `expected one of: ${VALIDATION_MODES.join(', ')}, got ${String(o.validation)}`);
  }
  return ok;
}

/**
 * Splits `total` into integers proportional to `weights` that sum exactly to `total` (largest-remainder /
 * Hamilton method). Ties go to the earlier item, so the split is deterministic.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new RangeError('apportion: weights must sum to more than 0');
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) {
    const j = order[k % order.length]!.i;
    out[j] = out[j]! + 1;
  }
  return out;
}
