import { Rng, mixSeed } from '../util/rng.js';
import { compileIdTemplate } from '../scenario/stationId.js';
import type { AttackEntrySpec, ScenarioSpec, StationGroupSpec } from '../scenario/spec.js';

/** One planned attack instance: which stations (global plan indices) and when, all derived from the seed. */
export interface InstancePlan {
  /** `<entry name>-<k>`, k from 1: unique in the run (entry names are unique). */
  readonly id: string;
  readonly entry: AttackEntrySpec;
  /** Index of the entry in `attacks:`. */
  readonly entryIndex: number;
  readonly k: number;
  /** Start and end of injection, ms after the run starts. */
  readonly startMs: number;
  readonly endMs: number;
  /** Global station indices; the first one's shard leads the instance. */
  readonly targets: readonly number[];
  /** Seed of the instance's own random stream (identical in every shard). */
  readonly seed: number;
}

/** The fleet as the planner sees it: global indices, ids and groups, without building the plan. */
export interface FleetIndex {
  readonly total: number;
  groupOf(index: number): StationGroupSpec;
  idOf(index: number): string;
  indexOf(id: string): number | undefined;
}

export function fleetIndex(spec: ScenarioSpec): FleetIndex {
  const starts: number[] = [];
  let total = 0;
  for (const g of spec.groups) { starts.push(total); total += g.count; }
  const templates = spec.groups.map((g) => compileIdTemplate(g.idTemplate));
  const groupAt = (index: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  let byId: Map<string, number> | undefined;
  return {
    total,
    groupOf: (i) => spec.groups[groupAt(i)]!,
    idOf: (i) => {
      const gi = groupAt(i);
      const t = templates[gi]!;
      return typeof t === 'string' ? String(i) : t.format(i, spec.groups[gi]!.name);
    },
    indexOf(id) {
      if (!byId) {
        byId = new Map();
        for (let i = 0; i < total; i++) byId.set(this.idOf(i), i);
      }
      return byId.get(id);
    },
  };
}

/** Which stations an attack type can use (e.g. A15 needs Plug & Charge stations); undefined = any. */
export type Eligibility = (group: StationGroupSpec) => boolean;

/**
 * Plans every instance of every entry, for the whole fleet, identically in every shard. Starts are stratified
 * over [start, start + spread] (instance k in the k-th slice, at a random point of it) so instances of one entry
 * do not bunch up; targets are drawn without replacement over all entries while the fleet has unused eligible
 * stations, so an alert about a station names at most one attack where possible.
 */
export function planAttacks(spec: ScenarioSpec, fleet: FleetIndex, eligible: (type: string) => Eligibility | undefined): InstancePlan[] {
  const out: InstancePlan[] = [];
  const used = new Set<number>();
  // Stations named by id are taken first: drawn targets of other entries avoid them.
  for (const entry of spec.attacks) {
    if (entry.targets.kind !== 'ids') continue;
    for (const id of entry.targets.ids) { const i = fleet.indexOf(id); if (i !== undefined) used.add(i); }
  }
  spec.attacks.forEach((entry, entryIndex) => {
    const ok = eligible(entry.type);
    const pool: number[] = [];
    for (let i = 0; i < fleet.total; i++) if (!ok || ok(fleet.groupOf(i))) pool.push(i);
    for (let k = 1; k <= entry.instances; k++) {
      const seed = mixSeed(spec.seed, 0xa77ac, entryIndex, k);
      const rng = new Rng(seed);
      const slice = entry.spread / entry.instances;
      const startMs = Math.round(entry.start + slice * (k - 1) + rng.next() * slice);
      const targets = pickTargets(entry, fleet, pool, used, rng);
      out.push({ id: `${entry.name}-${k}`, entry, entryIndex, k, startMs, endMs: startMs + entry.duration, targets, seed });
    }
  });
  return out;
}

function pickTargets(entry: AttackEntrySpec, fleet: FleetIndex, pool: readonly number[], used: Set<number>, rng: Rng): number[] {
  const t = entry.targets;
  if (t.kind === 'ids') return t.ids.map((id) => fleet.indexOf(id)).filter((i): i is number => i !== undefined);
  const want = Math.max(1, Math.min(pool.length, t.kind === 'count' ? t.n : Math.round((t.pct / 100) * fleet.total)));
  const free = pool.filter((i) => !used.has(i));
  const from = free.length >= want ? free : [...pool];
  const picked: number[] = [];
  // Partial Fisher-Yates over a copy: `want` distinct stations.
  const a = from === pool ? [...pool] : from;
  for (let n = 0; n < want && n < a.length; n++) {
    const j = n + Math.floor(rng.next() * (a.length - n));
    [a[n], a[j]] = [a[j]!, a[n]!];
    picked.push(a[n]!);
    used.add(a[n]!);
  }
  return picked;
}
