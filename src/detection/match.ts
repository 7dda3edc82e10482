import type { Alert, AlertEntity, AttackInstance } from './types.js';

/** How alerts' entities meet instances' scopes (ATTACKS.md §4 "a.entity ∈ scope_i"). */
export interface MatchRules {
  /** δ: windows open this long before t_s. */
  deltaMs: number;
  /** k: `fleet` alerts match attacks touching at least this many stations. */
  fleetMinStations: number;
  /** Whether a fleet-scope instance (scope.fleet) is matched by alerts about any single entity too. */
  fleetScopeMatchesAnyEntity: boolean;
  /** Maps a raw idToken to the hash a CSMS may put in `idTokenHash`. */
  hashToken?: (token: string) => string;
}

/** An alert naming no entity at all is about the fleet as a whole. */
export function isFleetAlert(e: AlertEntity): boolean {
  return e.fleet === true
    || (e.stationId === undefined && e.idToken === undefined && e.idTokenHash === undefined && e.ip === undefined);
}

/** The label window W_i = [t_s − δ, t_e + g], inclusive. */
export function windowOf(inst: AttackInstance, deltaMs: number): { fromMs: number; toMs: number } {
  return { fromMs: inst.tStartMs - deltaMs, toMs: inst.tEndMs + inst.graceMs };
}

function add(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/**
 * Instances indexed by the entities in their scopes, so each alert is checked only against the windows it could
 * match: O(alerts × candidate windows) rather than O(alerts × instances).
 */
export class ScopeIndex {
  readonly from: Float64Array;
  readonly to: Float64Array;
  private readonly byStation = new Map<string, number[]>();
  private readonly byToken = new Map<string, number[]>();
  private readonly byIp = new Map<string, number[]>();
  /** Candidates of `fleet` alerts: fleet scope or ≥ k stations. */
  private readonly fleetWide: number[] = [];
  /** Candidates of every alert: fleet scope, when it absorbs entity alerts. */
  private readonly everyAlert: number[] = [];
  private readonly seen: Int32Array;
  private stamp = 0;
  private readonly cand: number[] = [];

  constructor(readonly instances: readonly AttackInstance[], readonly rules: MatchRules) {
    const n = instances.length;
    this.from = new Float64Array(n);
    this.to = new Float64Array(n);
    this.seen = new Int32Array(n);
    instances.forEach((inst, i) => {
      const w = windowOf(inst, rules.deltaMs);
      this.from[i] = w.fromMs;
      this.to[i] = w.toMs;
      const s = inst.scope;
      for (const id of s.stations ?? []) add(this.byStation, id, i);
      for (const t of s.tokens ?? []) {
        add(this.byToken, t, i);
        if (rules.hashToken) add(this.byToken, rules.hashToken(t), i);
      }
      for (const ip of s.ips ?? []) add(this.byIp, ip, i);
      if (s.fleet === true || (s.stations?.length ?? 0) >= rules.fleetMinStations) this.fleetWide.push(i);
      if (s.fleet === true && rules.fleetScopeMatchesAnyEntity) this.everyAlert.push(i);
    });
  }

  /**
   * Indices (ascending) of the instances whose window holds `ts` and whose scope holds the alert's entity.
   * Reuses `out`; not re-entrant.
   */
  matches(alert: Alert, out: number[]): number[] {
    const cand = this.candidates(alert);
    out.length = 0;
    const ts = alert.ts;
    for (const i of cand) if (ts >= this.from[i]! && ts <= this.to[i]!) out.push(i);
    if (out.length > 1) out.sort((a, b) => a - b);
    return out;
  }

  /** The instance in the alert's scope whose window ended last before the alert, or -1 (for NAB's FP weight). */
  latestBefore(alert: Alert): number {
    let best = -1;
    for (const i of this.candidates(alert)) {
      if (this.to[i]! < alert.ts && (best < 0 || this.to[i]! > this.to[best]! || (this.to[i] === this.to[best] && i < best))) best = i;
    }
    return best;
  }

  /** The instances whose scope holds the alert's entity, whatever the time (a shared buffer, valid until the next call). */
  private candidates(alert: Alert): readonly number[] {
    const out = this.cand;
    out.length = 0;
    const mark = ++this.stamp;
    const e = alert.entity;
    if (e.stationId !== undefined) this.visit(this.byStation.get(e.stationId), mark);
    if (e.idToken !== undefined) this.visit(this.byToken.get(e.idToken), mark);
    if (e.idTokenHash !== undefined) this.visit(this.byToken.get(e.idTokenHash), mark);
    if (e.ip !== undefined) this.visit(this.byIp.get(e.ip), mark);
    if (isFleetAlert(e)) this.visit(this.fleetWide, mark);
    this.visit(this.everyAlert, mark);
    return out;
  }

  private visit(list: readonly number[] | undefined, mark: number): void {
    if (list === undefined) return;
    for (const i of list) {
      if (this.seen[i] === mark) continue;
      this.seen[i] = mark;
      this.cand.push(i);
    }
  }
}
