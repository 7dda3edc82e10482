import type { Path, Problems } from '../problems.js';
import { describe, Fields, isAbsent, readMap, type Reader } from '../read.js';

/**
 * One key of a `params:` map (scheduled CSMS commands, attacks). `as` renames it in the spec when the unit changes
 * (`limitKw` in the file is `limitW` in the spec); `default` is filled in so consumers never have to guess.
 */
export interface ParamRule {
  read: Reader<unknown>;
  required?: boolean;
  default?: unknown;
  as?: string;
  /** One line for the docs table. */
  doc?: string;
}

export type ParamTable = Readonly<Record<string, ParamRule>>;

/** Reads `params:` against a table: unknown keys are errors, defaults are filled in, every problem is reported. */
export function readParamTable(p: Problems, v: unknown, path: Path, rules: ParamTable, owner: string): Record<string, unknown> {
  const keys = Object.keys(rules);
  if (isAbsent(v) && keys.every((k) => !rules[k]!.required)) return paramDefaults(rules);
  if (keys.length === 0) {
    p.add(path, `${owner} takes no params, got ${describe(v)}`);
    return {};
  }
  const m = isAbsent(v) ? {} : readMap(p, v, path, keys);
  if (!m) return {};
  const f = new Fields(p, m, path);
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = rule.required ? f.req<unknown>(key, undefined, rule.read) : f.opt<unknown>(key, rule.default, rule.read);
    if (value !== undefined) out[rule.as ?? key] = value;
  }
  return out;
}

/** The defaults of a table, under their spec names. */
export function paramDefaults(rules: ParamTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) if (rule.default !== undefined) out[rule.as ?? key] = rule.default;
  return out;
}

export const bool: Reader<boolean> = (p, v, path) => {
  if (typeof v === 'boolean') return v;
  p.add(path, `expected true or false, got ${describe(v)}`);
  return undefined;
};
