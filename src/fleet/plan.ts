import { compileIdTemplate } from '../scenario/stationId.js';
import type { ScenarioSpec, StationGroupSpec } from '../scenario/spec.js';

/** One station of the run's deterministic plan. */
export interface PlannedStation {
  readonly index: number;
  readonly id: string;
  readonly group: StationGroupSpec;
}

/** A slice of the plan: shard `index` of `count` (0-based), as `--shard i/N` gives it. */
export interface ShardSpec { readonly index: number; readonly count: number }

/**
 * Station global indices run over the groups in file order. A shard takes every index with
 * `index % count === shard` — disjoint, exact, and each shard gets a proportional mix of every group, so
 * a station's id, identity and random draws are the same wherever it runs.
 */
export function planStations(spec: ScenarioSpec, shard: ShardSpec = { index: 0, count: 1 }): PlannedStation[] {
  const out: PlannedStation[] = [];
  let index = 0;
  for (const group of spec.groups) {
    const tpl = compileIdTemplate(group.idTemplate);
    if (typeof tpl === 'string') throw new Error(`invalid idTemplate survived validation: ${tpl}`);
    for (let i = 0; i < group.count; i++, index++) {
      if (index % shard.count !== shard.index) continue;
      out.push({ index, id: tpl.format(index, group.name), group });
    }
  }
  return out;
}

/** How many stations a shard holds, without building the plan. */
export function planSize(spec: ScenarioSpec, shard: ShardSpec = { index: 0, count: 1 }): number {
  const total = spec.groups.reduce((n, g) => n + g.count, 0);
  return shard.index < total ? Math.floor((total - 1 - shard.index) / shard.count) + 1 : 0;
}
