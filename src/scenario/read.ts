import { closest } from '../util/closest.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { Path, Problems } from './problems.js';

/**
 * Small typed readers shared by the section validators. A reader reports what is wrong with one value and
 * returns undefined; it never throws, so a section can go on and report all its problems.
 */
export type Reader<T> = (p: Problems, v: unknown, path: Path) => T | undefined;
export type Raw = Record<string, unknown>;

/** YAML `key:` with no value is null; it means "use the default", like an absent key. */
export function isAbsent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

export function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value reads in an error message. */
export function describe(v: unknown): string {
  if (isAbsent(v)) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isRaw(v)) return 'a map';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

/** Checks that `v` is a map with only known keys; unknown keys are reported at the key, with a suggestion. */
export function readMap(p: Problems, v: unknown, path: Path, keys: readonly string[]): Raw | undefined {
  if (!isRaw(v)) {
    p.add(path, `expected a map (keys: ${keys.join(', ')}), got ${describe(v)}`);
    return undefined;
  }
  for (const k of Object.keys(v)) {
    if (keys.includes(k)) continue;
    const guess = closest(k, keys);
    p.add([...path, k], `unknown key '${k}'${guess ? ` (did you mean '${guess}'?)` : ''} — expected one of: ${keys.join(', ')}`, 'key');
  }
  return v;
}

/** Accessors over one validated map: absent keys take the fallback, invalid values too (after reporting). */
export class Fields {
  constructor(private readonly p: Problems, readonly raw: Raw, readonly path: Path) {}

  has(key: string): boolean {
    return !isAbsent(this.raw[key]);
  }

  at(key: string): Path {
    return [...this.path, key];
  }

  opt<T>(key: string, fallback: T, read: Reader<T>): T {
    const v = this.raw[key];
    return isAbsent(v) ? fallback : read(this.p, v, this.at(key)) ?? fallback;
  }

  /** Like opt but returns undefined when absent (optional fields without a default). */
  maybe<T>(key: string, read: Reader<T>): T | undefined {
    const v = this.raw[key];
    return isAbsent(v) ? undefined : read(this.p, v, this.at(key));
  }

  req<T>(key: string, fallback: T, read: Reader<T>): T {
    const v = this.raw[key];
    if (isAbsent(v)) {
      this.p.add(this.at(key), `'${key}' is required`);
      return fallback;
    }
    return read(this.p, v, this.at(key)) ?? fallback;
  }
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** min itself is not allowed (e.g. counts and powers must be > 0). */
  above?: boolean;
}

function rangeText(r: NumberRange, show: (n: number) => string = String): string {
  const lo = r.min === undefined ? '' : r.above ? `> ${show(r.min)}` : `≥ ${show(r.min)}`;
  const hi = r.max === undefined ? '' : `≤ ${show(r.max)}`;
  return [lo, hi].filter(Boolean).join(' and ');
}

export function inRange(n: number, r: NumberRange): boolean {
  if (r.min !== undefined && (r.above ? n <= r.min : n < r.min)) return false;
  return r.max === undefined || n <= r.max;
}

export function number(r: NumberRange = {}): Reader<number> {
  return (p, v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      p.add(path, `expected a number${r.min !== undefined || r.max !== undefined ? ` ${rangeText(r)}` : ''}, got ${describe(v)}`);
      return undefined;
    }
    if (!inRange(v, r)) {
      p.add(path, `${v} is out of range: must be ${rangeText(r)}`);
      return undefined;
    }
    return v;
  };
}

export function integer(r: NumberRange = {}): Reader<number> {
  const num = number(r);
  return (p, v, path) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      p.add(path, `expected a whole number, got ${describe(v)}`);
      return undefined;
    }
    return num(p, v, path);
  };
}

/** A number given in a user unit (kW, kWh) converted to the spec's base unit. */
export function scaled(factor: number, r: NumberRange = {}): Reader<number> {
  const num = number(r);
  return (p, v, path) => {
    const n = num(p, v, path);
    return n === undefined ? undefined : Math.round(n * factor * 1e6) / 1e6;
  };
}

export interface StringRules {
  maxLength?: number;
  pattern?: RegExp;
  /** What the pattern means, for the message. */
  patternHint?: string;
}

export function string(rules: StringRules = {}): Reader<string> {
  return (p, v, path) => {
    if (typeof v !== 'string' || v.length === 0) {
      p.add(path, `expected a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (rules.maxLength !== undefined && v.length > rules.maxLength) {
      p.add(path, `"${v}" is ${v.length} characters long; at most ${rules.maxLength} allowed`);
      return undefined;
    }
    if (rules.pattern && !rules.pattern.test(v)) {
      p.add(path, `"${v}" is not allowed: ${rules.patternHint ?? `must match ${rules.pattern}`}`);
      return undefined;
    }
    return v;
  };
}

export function oneOf<T extends string | number>(values: readonly T[]): Reader<T> {
  return (p, v, path) => {
    if ((values as readonly unknown[]).includes(v)) return v as T;
    const guess = typeof v === 'string' ? closest(v, values.map(String)) : undefined;
    p.add(path, `${describe(v)} is not valid${guess ? ` (did you mean '${guess}'?)` : ''} — expected one of: ${values.join(', ')}`);
    return undefined;
  };
}

/** A duration (`30s`, `1m30s`, `500ms`, or a number of seconds) in ms. */
export function duration(r: NumberRange = {}): Reader<number> {
  return (p, v, path) => {
    const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
    if (typeof v === 'number' && v < 0) {
      p.add(path, `${v} is out of range: a duration cannot be negative`);
      return undefined;
    }
    if (ms === undefined) {
      p.add(path, `expected a duration like 30s, 1m30s, 500ms or a number of seconds, got ${describe(v)}`);
      return undefined;
    }
    if (!inRange(ms, r)) {
      p.add(path, `${formatDuration(ms)} is out of range: must be ${rangeText(r, formatDuration)}`);
      return undefined;
    }
    return ms;
  };
}

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** Parses `"30%"` to 30; undefined for anything else. */
export function parsePercent(v: unknown): number | undefined {
  const m = typeof v === 'string' ? PERCENT.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

/** A fraction: `0.3` or `"30%"`, returned as 0.3. */
export function ratio(r: NumberRange = { min: 0, max: 1 }): Reader<number> {
  return (p, v, path) => {
    const pct = parsePercent(v);
    const x = pct !== undefined ? pct / 100 : typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    const show = (n: number) => `${n * 100}%`;
    if (x === undefined) {
      p.add(path, `expected a fraction like 0.3 or a percentage like "30%", got ${describe(v)}`);
      return undefined;
    }
    if (!inRange(x, r)) {
      const hint = typeof v === 'number' && v > 1 ? ` (for ${v}% write "${v}%")` : '';
      p.add(path, `${describe(v)} is out of range: must be ${rangeText(r, show)}${hint}`);
      return undefined;
    }
    return x;
  };
}

/** A list whose items are read by `item`; a single item without brackets is accepted as a list of one. */
export function listOf<T>(item: Reader<T>, opts: { minItems?: number; single?: boolean } = {}): Reader<T[]> {
  return (p, v, path) => {
    const items = Array.isArray(v) ? v : opts.single ? [v] : undefined;
    if (!items) {
      p.add(path, `expected a list, got ${describe(v)}`);
      return undefined;
    }
    if (opts.minItems !== undefined && items.length < opts.minItems) {
      p.add(path, `expected at least ${opts.minItems} item${opts.minItems === 1 ? '' : 's'}, got ${items.length}`);
      return undefined;
    }
    const out: T[] = [];
    let ok = true;
    items.forEach((x, i) => {
      const r = item(p, x, Array.isArray(v) ? [...path, i] : path);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    return ok ? out : undefined;
  };
}

export { closest };
