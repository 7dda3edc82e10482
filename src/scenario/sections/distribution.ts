import { formatDuration } from '../../util/duration.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, inRange, isRaw, number, readMap, scaled, type NumberRange, type Reader } from '../read.js';
import type { Distribution } from '../spec.js';

/** A quantity a distribution draws: how one value is read (into spec units), its domain, and how to print it. */
export interface Quantity {
  /** Reader of one value within `domain` (given in spec units). */
  make(domain: NumberRange): Reader<number>;
  domain: NumberRange;
  show(n: number): string;
}

export const durationQuantity = (domain: NumberRange): Quantity => ({ make: duration, domain, show: formatDuration });
/** kWh or kW in the file, Wh or W in the spec. */
export const kiloQuantity = (unit: string, domain: NumberRange): Quantity => ({
  make: (d) => scaled(1000, { ...d, min: kilo(d.min), max: kilo(d.max) }),
  domain,
  show: (n) => `${n / 1000} ${unit}`,
});
const kilo = (n: number | undefined) => (n === undefined ? undefined : n / 1000);
export const percentQuantity: Quantity = { make: number, domain: { min: 0, max: 100 }, show: (n) => `${n}%` };

const KINDS = ['fixed', 'uniform', 'normal', 'lognormal'] as const;

/**
 * Reads a distribution: a plain value (fixed), `{uniform: [min, max]}`, `{normal: {mean, sd, min?, max?}}`
 * or `{lognormal: {median, sigma, min?, max?}}`. Omitted bounds default to ±3 standard deviations (clipped to
 * the quantity's domain), so a normal never yields a negative duration.
 */
export function distribution(q: Quantity): Reader<Distribution> {
  const read = q.make(q.domain);
  return (p, v, path) => {
    if (!isRaw(v)) {
      const value = read(p, v, path);
      return value === undefined ? undefined : { kind: 'fixed', value };
    }
    const m = readMap(p, v, path, KINDS);
    const kinds = KINDS.filter((k) => m?.[k] !== undefined);
    if (!m || kinds.length !== 1) {
      if (m) p.add(path, `a distribution has exactly one of: ${KINDS.join(', ')} (or is a plain value)`);
      return undefined;
    }
    const kind = kinds[0]!;
    const at = [...path, kind];
    switch (kind) {
      case 'fixed': {
        const value = read(p, m.fixed, at);
        return value === undefined ? undefined : { kind: 'fixed', value };
      }
      case 'uniform':
        return uniform(p, m.uniform, at, q);
      case 'normal':
        return normal(p, m.normal, at, q);
      case 'lognormal':
        return lognormal(p, m.lognormal, at, q);
    }
  };
}

function uniform(p: Problems, v: unknown, path: Path, q: Quantity): Distribution | undefined {
  const read = q.make(q.domain);
  let lo: number | undefined;
  let hi: number | undefined;
  if (Array.isArray(v) && v.length === 2) {
    lo = read(p, v[0], [...path, 0]);
    hi = read(p, v[1], [...path, 1]);
  } else if (isRaw(v)) {
    const f = new Fields(p, readMap(p, v, path, ['min', 'max']) ?? {}, path);
    lo = f.req<number | undefined>('min', undefined, read);
    hi = f.req<number | undefined>('max', undefined, read);
  } else {
    p.add(path, `expected [min, max] or {min, max}, got ${describe(v)}`);
    return undefined;
  }
  if (lo === undefined || hi === undefined) return undefined;
  return ordered(p, path, lo, hi, q) ? { kind: 'uniform', min: lo, max: hi } : undefined;
}

function normal(p: Problems, v: unknown, path: Path, q: Quantity): Distribution | undefined {
  const m = readMap(p, v, path, ['mean', 'sd', 'min', 'max']);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const read = q.make(q.domain);
  const before = p.size;
  const mean = f.req('mean', 0, read);
  // sd is in the unit of the values but may be 0 even for quantities that must be > 0.
  const sd = f.req('sd', 0, q.make({ min: 0 }));
  const min = f.opt('min', clip(mean - 3 * sd, q.domain), read);
  const max = f.opt('max', clip(mean + 3 * sd, q.domain), read);
  if (p.size > before || !ordered(p, path, min, max, q)) return undefined;
  if (mean < min || mean > max) {
    p.add([...path, 'mean'], `mean ${q.show(mean)} lies outside [min, max] = [${q.show(min)}, ${q.show(max)}]`);
    return undefined;
  }
  return { kind: 'normal', mean, sd, min, max };
}

function lognormal(p: Problems, v: unknown, path: Path, q: Quantity): Distribution | undefined {
  const m = readMap(p, v, path, ['median', 'sigma', 'min', 'max']);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const read = q.make(q.domain);
  const before = p.size;
  const median = f.req('median', 1, read);
  const sigma = f.req('sigma', 0, number({ min: 0, max: 10 }));
  if (p.size === before && median <= 0) p.add(f.at('median'), 'a lognormal median must be > 0');
  const min = f.opt('min', clip(median * Math.exp(-3 * sigma), q.domain), read);
  const max = f.opt('max', clip(median * Math.exp(3 * sigma), q.domain), read);
  if (p.size > before || !ordered(p, path, min, max, q)) return undefined;
  return { kind: 'lognormal', median, sigma, min, max };
}

function ordered(p: Problems, path: Path, min: number, max: number, q: Quantity): boolean {
  if (min <= max) return true;
  p.add(path, `min ${q.show(min)} is greater than max ${q.show(max)}`);
  return false;
}

// Keeps a defaulted bound inside the domain; an exclusive lower bound becomes one base unit (1 ms, 1 Wh, 1 W) above it.
function clip(n: number, d: NumberRange): number {
  let x = Math.round(n * 1e6) / 1e6;
  if (d.min !== undefined && !inRange(x, { min: d.min, above: d.above })) x = d.above ? d.min + 1 : d.min;
  if (d.max !== undefined && x > d.max) x = d.max;
  return x;
}
