import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, integer, number, oneOf, parsePercent, readMap, string, type Reader } from '../read.js';
import { ATTACK_TYPE_IDS, type AttackEntrySpec, type AttackTargets, type AttackTypeId } from '../spec.js';
import { ATTACK_DEFAULTS, ATTACK_PARAMS } from './attack-params/index.js';
import { readParamTable } from './params.js';

const ENTRY_KEYS = ['type', 'name', 'instances', 'stations', 'start', 'spread', 'duration', 'rate', 'params'] as const;

/** At most this many instances per entry: each is one scheduled attack with its own ground-truth record. */
export const MAX_INSTANCES = 10_000;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;

/**
 * `attacks:` — a list of attack entries (ATTACKS.md §3):
 * `{ type: A06, instances: 20, stations: 1, start: 2m, spread: 5m, duration: 30s, rate: 5, params: {...} }`.
 * Each type validates its own params (sections/attack-params); names must be unique (they prefix instance ids).
 */
export function readAttacks(p: Problems, v: unknown, path: Path): AttackEntrySpec[] {
  if (!Array.isArray(v)) {
    p.add(path, `expected a list of attacks, e.g. "- { type: A06, instances: 20, start: 2m }", got ${describe(v)}`);
    return [];
  }
  const out: AttackEntrySpec[] = [];
  const names = new Map<string, number>();
  v.forEach((raw, i) => {
    const at = [...path, i];
    const e = readEntry(p, raw, at);
    if (!e) return;
    const first = names.get(e.name);
    if (first !== undefined) {
      p.add([...at, 'name'], `name "${e.name}" is already used by attacks[${first}]; instance ids must be unique — give this entry its own name`);
      return;
    }
    names.set(e.name, i);
    out.push(e);
  });
  return out;
}

function readEntry(p: Problems, v: unknown, path: Path): AttackEntrySpec | undefined {
  const m = readMap(p, v, path, ENTRY_KEYS);
  if (!m) return undefined;
  const before = p.size;
  const f = new Fields(p, m, path);
  const type = f.req<AttackTypeId | undefined>('type', undefined, oneOf(ATTACK_TYPE_IDS));
  const d = type ? ATTACK_DEFAULTS[type] : { stations: 1, rate: 1, duration: 10_000 };
  const name = f.opt('name', type ? type.toLowerCase() : 'attack', string({ maxLength: 48, pattern: NAME, patternHint: 'letters, digits, _ . - (at most 48), starting with a letter or digit' }));
  const entry: AttackEntrySpec = {
    name,
    type: type ?? 'A01',
    instances: f.opt('instances', 1, integer({ min: 1, max: MAX_INSTANCES })),
    targets: f.opt<AttackTargets>('stations', { kind: 'count', n: d.stations }, targets),
    start: f.opt('start', 0, duration({ min: 0 })),
    spread: f.opt('spread', 0, duration({ min: 0 })),
    duration: f.opt('duration', d.duration, duration({ min: 0 })),
    rate: f.opt('rate', d.rate, number({ min: 0, above: true, max: 100_000 })),
    params: type ? readParamTable(p, m.params, f.at('params'), ATTACK_PARAMS[type], type) : {},
  };
  return p.size > before || !type ? undefined : entry;
}

// `stations: 3` (per instance), `stations: "5%"` (of the fleet) or `stations: [CS-0001, CS-0002]`.
const targets: Reader<AttackTargets> = (p, v, path) => {
  const pct = parsePercent(v);
  if (pct !== undefined) {
    if (pct > 0 && pct <= 100) return { kind: 'percent', pct };
    p.add(path, `${describe(v)} is out of range: a share of the fleet must be > 0% and ≤ 100%`);
    return undefined;
  }
  if (typeof v === 'number') {
    const n = integer({ min: 1, max: 1_000_000 })(p, v, path);
    return n === undefined ? undefined : { kind: 'count', n };
  }
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)) {
    return { kind: 'ids', ids: v as string[] };
  }
  p.add(path, `expected a number of stations per instance (3), a share of the fleet ("5%") or a list of station ids, got ${describe(v)}`);
  return undefined;
};

/** Cross-section checks: attacks inside the run and after the detection warm-up; named stations exist. */
export function checkAttacks(
  p: Problems, attacks: readonly AttackEntrySpec[], runMs: number, warmupMs: number, hasStation: (id: string) => boolean | undefined,
): void {
  attacks.forEach((a, i) => {
    const at: Path = ['attacks', i];
    if (a.start < warmupMs) {
      p.add([...at, 'start'], `start ${fmt(a.start)} is inside the detection warm-up (${fmt(warmupMs)}): nothing is injected or scored before it ends`);
    }
    const last = a.start + a.spread + a.duration;
    if (last > runMs) {
      p.add([...at, a.spread > 0 ? 'spread' : 'duration'], `the last instance would end at ${fmt(last)} (start + spread + duration), after the run ends (${fmt(runMs)})`);
    }
    if (a.targets.kind === 'ids') {
      a.targets.ids.forEach((id, k) => {
        if (hasStation(id) === false) p.add([...at, 'stations', k], `no station "${id}" in this scenario`);
      });
    }
  });
}

function fmt(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}


