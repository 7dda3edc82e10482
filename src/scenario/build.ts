import { formatDuration } from '../util/duration.js';
import type { Draft } from './draft.js';
import { apportion, type ScenarioOverrides } from './overrides.js';
import type { Problems } from './problems.js';
import type { PhaseDraft } from './sections/phases.js';
import { securityTargetProblem } from './sections/security.js';
import type { Phase, ScenarioSpec, StationGroupSpec } from './spec.js';
import { compileIdTemplate, stationIdProblem, type IdTemplate } from './stationId.js';
import { checkAttacks } from './sections/attacks.js';

// Above this many stations to render, the cross-group id collision check (one Map entry per id) is skipped.
const MAX_EXPANDED_IDS = 1_000_000;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Checks that span sections, against the file's own values (before overrides rescale them). */
export function checkDraft(p: Problems, d: Draft): void {
  const total = sum(d.groups.map((g) => g.count));
  if (d.clean.groups && d.clean.phases) {
    for (const ph of d.phases) {
      if (ph.target.kind === 'count' && ph.target.n > total && ph.path) {
        p.add([...ph.path, 'target'], `target ${ph.target.n} is more than the ${total} stations defined under stations`);
      }
    }
  }
  if (d.clean.phases && d.clean.csms) {
    const duration = sum(d.phases.map((ph) => ph.duration));
    d.csms.commands.forEach((c, i) => {
      if (c.at >= duration) {
        const end = formatDuration(duration);
        p.add(['csms', 'commands', i, 'at'], `at ${formatDuration(c.at)} is not before the end of the run (${end})`);
      }
    });
  }
}

/** Applies overrides, resolves phase targets and checks the final station ids. */
export function buildSpec(p: Problems, d: Draft, o: ScenarioOverrides, file: string): ScenarioSpec {
  const fileCounts = d.groups.map((g) => g.count);
  const fileTotal = sum(fileCounts);
  const counts = o.stations !== undefined && fileTotal > 0 ? apportion(o.stations, fileCounts) : fileCounts;
  const total = sum(counts);
  if (d.clean.groups) checkStationIds(p, d.groups, counts, o.stations !== undefined);

  const fileDurations = d.phases.map((ph) => ph.duration);
  const durations = o.duration !== undefined && sum(fileDurations) > 0 ? apportion(o.duration, fileDurations) : fileDurations;
  const phases: Phase[] = d.phases.map((ph, i) => ({
    name: ph.name,
    duration: durations[i]!,
    target: resolveTarget(ph, fileTotal, total),
  }));

  // A group scaled down to no stations is dropped; the others keep their (global-index based) ids.
  const groups = d.groups.map((g, i) => ({ ...g, count: counts[i]! })).filter((g) => g.count > 0);
  const target = o.target ?? d.general.target;
  const spec: ScenarioSpec = {
    file,
    name: d.general.name,
    protocols: d.general.protocols,
    seed: o.seed ?? d.general.seed,
    validation: o.validation ?? d.general.validation,
    callTimeout: d.general.callTimeout,
    security: d.security,
    reconnect: d.reconnect,
    maxConnecting: d.general.maxConnecting,
    localAddresses: d.general.localAddresses,
    localPorts: d.general.localPorts,
    groups,
    sessions: d.sessions,
    workload: d.workload,
    phases,
    duration: sum(durations),
    drainTimeout: d.general.drainTimeout,
    csms: d.csms,
    attacks: d.attacks,
  };
  // The attack timeline scales with the phases (--duration), so a shortened attack scenario still runs.
  const factor = o.duration !== undefined && sum(fileDurations) > 0 ? spec.duration / sum(fileDurations) : 1;
  const attacks = factor === 1 ? d.attacks : d.attacks.map((a) => ({
    ...a, start: Math.floor(a.start * factor), spread: Math.floor(a.spread * factor), duration: Math.max(1, Math.floor(a.duration * factor)),
  }));
  spec.attacks = attacks;
  const detection = d.detection !== undefined && factor !== 1 ? { ...d.detection, warmup: Math.floor(d.detection.warmup * factor) } : d.detection;
  if (target !== undefined) spec.target = target;
  const tls = securityTargetProblem(d.security, target);
  if (tls !== null) p.add(o.target !== undefined ? ['security', 'profile'] : ['target'], tls);
  if (d.thresholds !== undefined) spec.thresholds = d.thresholds;
  if (detection !== undefined) spec.detection = detection;
  if (d.clean.attacks && d.clean.groups && d.clean.phases) {
    const ids = groups.length > 0 ? stationLookup(groups) : () => undefined;
    checkAttacks(p, attacks, spec.duration, detection?.warmup ?? 0, ids);
  }
  return spec;
}

// Absolute targets scale with a `--stations` override; percentages are taken of the final total.
function resolveTarget(ph: PhaseDraft, fileTotal: number, total: number): number {
  if (ph.target.kind === 'percent') return Math.round((ph.target.pct / 100) * total);
  if (fileTotal === total || fileTotal === 0) return ph.target.n;
  return Math.min(total, Math.round((ph.target.n * total) / fileTotal));
}

// Every id must be a valid OCPP identity and unique over the whole fleet. Lengths only grow with the index,
// so the last id of a group is the longest; uniqueness within a group follows from `{index}` (checked when
// the group was read); across groups see `checkCollisions`.
function checkStationIds(p: Problems, groups: readonly StationGroupSpec[], counts: readonly number[], overridden: boolean): void {
  const note = overridden ? ' (with the --stations override)' : '';
  const compiled = groups.map((g) => compileIdTemplate(g.idTemplate));
  const offsets = counts.map((_, i) => sum(counts.slice(0, i)));
  groups.forEach((g, i) => {
    const t = compiled[i]!;
    if (typeof t === 'string' || counts[i] === 0) return;
    const problem = stationIdProblem(t.format(offsets[i]! + counts[i]! - 1, g.name));
    if (problem) p.add(['stations', i, 'idTemplate'], problem + note);
  });
  if (groups.length > 1) checkCollisions(p, groups, compiled, counts, offsets);
}

// Two groups can only share an id if the fixed prefix of one starts the other's ("CS" / "CS1{index}");
// only such groups are rendered id by id, so the usual distinct prefixes ("CS-AC-" / "CS-DC-") cost nothing.
function checkCollisions(
  p: Problems, groups: readonly StationGroupSpec[], compiled: readonly (IdTemplate | string)[],
  counts: readonly number[], offsets: readonly number[],
): void {
  const prefixes = groups.map((g, i) => {
    const t = compiled[i]!;
    return typeof t === 'string' ? undefined : t.prefix(g.name);
  });
  const suspect = prefixes.map((mine, i) => mine !== undefined && prefixes.some((other, j) =>
    j !== i && other !== undefined && (mine.startsWith(other) || other.startsWith(mine))));
  if (sum(counts.filter((_, i) => suspect[i])) > MAX_EXPANDED_IDS) return;

  const owner = new Map<string, number>();
  groups.forEach((g, i) => {
    const t = compiled[i]!;
    if (!suspect[i] || typeof t === 'string') return;
    for (let k = 0; k < counts[i]!; k++) {
      const id = t.format(offsets[i]! + k, g.name);
      const other = owner.get(id);
      if (other !== undefined && other !== i) {
        p.add(['stations', i, 'idTemplate'], `station id "${id}" is also produced by stations[${other}]; ids must be unique`);
        return;
      }
      owner.set(id, i);
    }
  });
}

// Whether a named station exists: the ids of every group rendered once (up to MAX_EXPANDED_IDS; beyond, unknown).
function stationLookup(groups: readonly StationGroupSpec[]): (id: string) => boolean | undefined {
  let ids: Set<string> | undefined;
  return (id) => {
    if (ids === undefined) {
      if (sum(groups.map((g) => g.count)) > MAX_EXPANDED_IDS) return undefined;
      ids = new Set();
      let offset = 0;
      for (const g of groups) {
        const t = compileIdTemplate(g.idTemplate);
        if (typeof t !== 'string') for (let k = 0; k < g.count; k++) ids.add(t.format(offset + k, g.name));
        offset += g.count;
      }
    }
    return ids.has(id);
  };
}
