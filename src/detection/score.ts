import { assignAlerts, type AttackHits } from './assign.js';
import { categoryTable } from './categories.js';
import { ScopeIndex, windowOf, type MatchRules } from './match.js';
import { NAB_PROFILES, nabScore, type NabProfile, type NabProfileName, type NabResult } from './nab.js';
import { conformanceOf, type Conformance } from './reactions.js';
import { compositeF, latencyStats, ratio, round, wilsonInterval, type LatencyStats } from './stats.js';
import {
  DEFAULT_DELTA_MS, DEFAULT_FLEET_MIN_STATIONS, isAttackType,
  type Alert, type AttackInstance, type AttackType, type ExpectedReaction, type InstanceType, type LabelClass,
  type ReactionRecord, type RunInfo, type Scope,
} from './types.js';

export interface ScoreOptions {
  /** δ, clock tolerance (default 2 s; `run.deltaMs` when measured and this is unset). */
  deltaMs?: number;
  /** k: `fleet` alerts match attacks touching at least k stations (default 3). */
  fleetMinStations?: number;
  /** Strict mode: an alert matches only if its category is allowed for the attack type. */
  strict?: boolean;
  /** Category rows replacing the defaults (see categories.ts). */
  categories?: Partial<Record<AttackType, readonly string[]>>;
  maintenanceCategories?: readonly string[];
  /**
   * Faults scored separately (default true): an alert matching no attack but a labelled fault (F01/F02) with a
   * maintenance category is not a false positive. When false, fault and benign labels are ignored.
   */
  scoreFaultsSeparately?: boolean;
  /** Whether alerts about single entities match fleet-scope attacks (every entity is in the fleet; default true). */
  fleetScopeMatchesAnyEntity?: boolean;
  /** Hashes a ground-truth idToken the way the CSMS does, so `idTokenHash` alerts match token scopes. */
  hashToken?: (token: string) => string;
  /** Needed for false alarms per hour / per 1,000 station-hours and for the warm-up cut. */
  run?: RunInfo;
  /** Per-frame reaction records for conformance. */
  reactions?: readonly ReactionRecord[];
  /** NAB-style score profile (default `standard`); false to skip it. */
  nab?: NabProfileName | NabProfile | false;
}

/** The verdict on one attack instance (a report row of ATTACKS.md §4). */
export interface InstanceVerdict {
  id: string;
  type: InstanceType;
  scope: Scope;
  tStartMs: number;
  tEndMs: number;
  window: { fromMs: number; toMs: number };
  /** TP when true, FN (missed; latency censored) when false. */
  detected: boolean;
  firstAlertId: string | null;
  firstAlertCategory: string | null;
  firstAlertTs: number | null;
  /** ts(first matching alert) − t_s, at least 0 (an alert inside δ before t_s has latency 0); null when missed. */
  latencyMs: number | null;
  /** Alerts matching this instance. */
  matchedAlerts: number;
  /** matchedAlerts − 1 when detected: repeats, not false positives. */
  duplicates: number;
  expectedReactions?: readonly ExpectedReaction[];
  reactions: Conformance | null;
}

/** A labelled fault (F01/F02) or benign event (F03/F04) and the alerts it drew. */
export interface HardNegativeVerdict {
  id: string;
  type: InstanceType;
  cls: Exclude<LabelClass, 'attack'>;
  scope: Scope;
  window: { fromMs: number; toMs: number };
  /** Maintenance-category alerts on a fault: the right reaction, not false positives. */
  maintenanceAlerts: number;
  /** Any other alert in its window and scope (security alerts on faults, anything on benign events): FPs. */
  otherAlerts: number;
}

/** Counts and rates of one attack type, or of all of them. */
export interface TypeSummary {
  instances: number;
  tp: number;
  fn: number;
  /** Alerts attributed to these instances (an alert matching several counts once, for the first one it detects). */
  matchedAlerts: number;
  duplicates: number;
  /** Unmatched alerts whose category names this type (overall: all false positives). */
  fp: number;
  /** TP / (TP + FN); null without instances. */
  recall: number | null;
  recallCi: { low: number; high: number } | null;
  /** matched / (matched + FP); null without alerts. */
  precision: number | null;
  /** Composite F = 2PR/(P+R). */
  f: number | null;
  /** Detection latency (ms) of detected instances; missed ones are censored (`fn`), not counted here. */
  latency: LatencyStats | null;
  conformance: Conformance | null;
}

export interface DetectionResult {
  settings: { deltaMs: number; fleetMinStations: number; strict: boolean; scoreFaultsSeparately: boolean; fleetScopeMatchesAnyEntity: boolean };
  run: RunInfo | null;
  instances: InstanceVerdict[];
  hardNegatives: HardNegativeVerdict[];
  /** By attack type, sorted; types with instances or with false positives naming them. */
  byType: Record<string, TypeSummary>;
  overall: TypeSummary & { macroRecall: number | null };
  alerts: {
    total: number;
    /** Without a usable timestamp, or before `run.scoreFromMs` (warm-up). */
    ignored: number;
    matched: number;
    duplicates: number;
    maintenance: number;
    falsePositives: number;
  };
  /** Unmatched alerts, by time, with their evidence. */
  falsePositives: Alert[];
  falseAlarms: { count: number; hours: number | null; perHour: number | null; per1kStationHours: number | null };
  nab: NabResult | null;
}

interface Tally {
  tp: number; fn: number; matched: number; duplicates: number; fp: number; latencies: number[]; reactions: ReactionRecord[]; instances: number;
}

const newTally = (): Tally => ({ tp: 0, fn: 0, matched: 0, duplicates: 0, fp: 0, latencies: [], reactions: [], instances: 0 });

function summarizeTally(t: Tally, fp: number): TypeSummary {
  const recall = ratio(t.tp, t.tp + t.fn);
  const precision = ratio(t.matched, t.matched + fp);
  const ci = wilsonInterval(t.tp, t.tp + t.fn);
  const f = compositeF(precision, recall);
  const conformance = t.reactions.length > 0 ? conformanceOf(t.reactions) : null;
  return {
    instances: t.instances, tp: t.tp, fn: t.fn, matchedAlerts: t.matched, duplicates: t.duplicates, fp,
    recall: recall === null ? null : round(recall),
    recallCi: ci === null ? null : { low: round(ci.low), high: round(ci.high) },
    precision: precision === null ? null : round(precision),
    f: f === null ? null : round(f),
    latency: t.latencies.length > 0 ? latencyStats(t.latencies) : null,
    conformance: conformance !== null && conformance.expected > 0 ? conformance : null,
  };
}

function resolveNab(nab: ScoreOptions['nab']): NabProfile | null {
  if (nab === false) return null;
  if (nab === undefined) return NAB_PROFILES.standard;
  return typeof nab === 'string' ? NAB_PROFILES[nab] : nab;
}

function verdictOf(
  inst: AttackInstance, hits: AttackHits, window: { fromMs: number; toMs: number }, records: readonly ReactionRecord[] | undefined,
): InstanceVerdict {
  const first = hits.first;
  const v: InstanceVerdict = {
    id: inst.id, type: inst.type, scope: inst.scope, tStartMs: inst.tStartMs, tEndMs: inst.tEndMs, window,
    detected: first !== null,
    firstAlertId: first?.alertId ?? null,
    firstAlertCategory: first?.category ?? null,
    firstAlertTs: first?.ts ?? null,
    latencyMs: first === null ? null : Math.max(0, first.ts - inst.tStartMs),
    matchedAlerts: hits.matched,
    duplicates: Math.max(0, hits.matched - 1),
    reactions: records ? conformanceOf(records) : null,
  };
  if (inst.expectedReactions) v.expectedReactions = inst.expectedReactions;
  return v;
}

/**
 * Scores alerts against ground truth (ATTACKS.md §4). Pure and deterministic: the same inputs give the same
 * result whatever their order on disk, since alerts are processed by (ts, input position).
 */
export function scoreDetection(
  instances: readonly AttackInstance[], alerts: readonly Alert[], opts: ScoreOptions = {},
): DetectionResult {
  const rules: MatchRules = {
    deltaMs: opts.deltaMs ?? opts.run?.deltaMs ?? DEFAULT_DELTA_MS,
    fleetMinStations: opts.fleetMinStations ?? DEFAULT_FLEET_MIN_STATIONS,
    fleetScopeMatchesAnyEntity: opts.fleetScopeMatchesAnyEntity ?? true,
    ...(opts.hashToken ? { hashToken: opts.hashToken } : {}),
  };
  const strict = opts.strict ?? false;
  const separate = opts.scoreFaultsSeparately ?? true;
  const table = categoryTable({
    ...(opts.categories ? { categories: opts.categories } : {}),
    ...(opts.maintenanceCategories ? { maintenance: opts.maintenanceCategories } : {}),
  });
  const attacks = instances.filter((i) => i.cls === 'attack');
  const negatives = separate ? instances.filter((i) => i.cls !== 'attack') : [];
  const attackIndex = new ScopeIndex(attacks, rules);
  const a = assignAlerts(alerts, attackIndex, new ScopeIndex(negatives, rules), table, strict, opts.run?.scoreFromMs ?? -Infinity);

  const tallies = new Map<string, Tally>();
  const tally = (type: string): Tally => {
    let t = tallies.get(type);
    if (!t) { t = newTally(); tallies.set(type, t); }
    return t;
  };
  for (const [type, n] of a.matchedByType) tally(type).matched = n;
  for (const [type, n] of a.duplicatesByType) tally(type).duplicates = n;

  const reactionsOf = new Map<string, ReactionRecord[]>();
  const typeOfId = new Map(instances.map((i) => [i.id, i.type]));
  for (const r of opts.reactions ?? []) {
    const list = reactionsOf.get(r.instanceId) ?? [];
    list.push(r);
    reactionsOf.set(r.instanceId, list);
    const type = r.type ?? typeOfId.get(r.instanceId);
    if (type !== undefined && isAttackType(type)) tally(type).reactions.push(r);
  }

  const verdicts: InstanceVerdict[] = attacks.map((inst, i) => {
    const v = verdictOf(inst, a.state[i]!, { fromMs: attackIndex.from[i]!, toMs: attackIndex.to[i]! }, reactionsOf.get(inst.id));
    const t = tally(inst.type);
    t.instances++;
    if (v.latencyMs === null) t.fn++;
    else { t.tp++; t.latencies.push(v.latencyMs); }
    return v;
  });

  const hardNegatives: HardNegativeVerdict[] = negatives.map((inst, i) => ({
    id: inst.id, type: inst.type, cls: inst.cls as Exclude<LabelClass, 'attack'>, scope: inst.scope,
    window: windowOf(inst, rules.deltaMs), maintenanceAlerts: a.negMaintenance[i]!, otherAlerts: a.negOther[i]!,
  }));

  const fpByType = a.fpByType;
  const types = [...new Set([...tallies.keys(), ...fpByType.keys()])].filter((t) => tallies.get(t)?.instances || fpByType.has(t)).sort();
  const byType: Record<string, TypeSummary> = {};
  const all = newTally();
  for (const type of types) {
    const t = tally(type);
    byType[type] = summarizeTally(t, fpByType.get(type) ?? 0);
    all.tp += t.tp; all.fn += t.fn; all.instances += t.instances;
    all.latencies.push(...t.latencies);
  }
  all.matched = a.matched;
  all.duplicates = a.duplicates;
  for (const r of opts.reactions ?? []) all.reactions.push(r);
  const recalls = Object.values(byType).map((s) => s.recall).filter((r): r is number => r !== null);
  const overall = {
    ...summarizeTally(all, a.falsePositives.length),
    macroRecall: recalls.length > 0 ? round(recalls.reduce((a, b) => a + b, 0) / recalls.length) : null,
  };

  const nabProfile = resolveNab(opts.nab);
  return {
    settings: { deltaMs: rules.deltaMs, fleetMinStations: rules.fleetMinStations, strict, scoreFaultsSeparately: separate, fleetScopeMatchesAnyEntity: rules.fleetScopeMatchesAnyEntity },
    run: opts.run ?? null,
    instances: verdicts,
    hardNegatives,
    byType,
    overall,
    alerts: { total: alerts.length, ignored: a.ignored, matched: a.matched, duplicates: a.duplicates, maintenance: a.maintenance, falsePositives: a.falsePositives.length },
    falsePositives: a.falsePositives,
    falseAlarms: falseAlarms(a.falsePositives.length, opts.run),
    nab: nabProfile === null ? null : nabScore(
      verdicts.map((v) => ({ fromMs: v.window.fromMs, toMs: v.window.toMs, firstDetectionMs: v.firstAlertTs })), a.nabFps, nabProfile,
    ),
  };
}

/** False alarms per hour and per 1,000 station-hours of scored run time (after warm-up). */
export function falseAlarms(count: number, run: RunInfo | undefined): DetectionResult['falseAlarms'] {
  if (!run) return { count, hours: null, perHour: null, per1kStationHours: null };
  const from = Math.max(run.startMs, run.scoreFromMs ?? run.startMs);
  const hours = Math.max(0, run.endMs - from) / 3_600_000;
  const stationHours = hours * run.stations;
  return {
    count,
    hours: round(hours),
    perHour: hours > 0 ? round(count / hours) : null,
    per1kStationHours: stationHours > 0 ? round(count / (stationHours / 1000)) : null,
  };
}
