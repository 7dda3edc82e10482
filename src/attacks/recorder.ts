import {
  DEFAULT_GRACE_MS, defaultClass,
  type AttackInstance, type ExpectedReaction, type InstanceType, type Reaction, type ReactionRecord, type ReactionSpec,
} from '../detection/index.js';
import type { InstancePlan } from './plan.js';

/**
 * The out-of-band ground truth of one instance in one process: when its malicious frames went out (first and
 * last), what it touched, and the protocol reaction to each frame that has an expected one. Nothing of this
 * goes on the wire.
 */
export class InstanceRecorder {
  readonly plan: InstancePlan;
  firstMs = Infinity;
  lastMs = -Infinity;
  frames = 0;
  private readonly stations = new Set<string>();
  private readonly tokens = new Set<string>();
  private readonly ips = new Set<string>();
  private fleet = false;
  private readonly expected = new Map<string, ExpectedReaction>();
  readonly reactions: ReactionRecord[] = [];
  /** Extra grace (ms) past the last frame, e.g. A08's meter interval; default the type's. */
  graceMs: number;
  /** End of effect later than the last frame (A08: the transaction's Ended). */
  private effectEndMs = -Infinity;

  constructor(plan: InstancePlan) {
    this.plan = plan;
    this.graceMs = DEFAULT_GRACE_MS[plan.entry.type as InstanceType];
  }

  /** A malicious frame (or attempt) went out at `atMs`. */
  malicious(atMs: number): void {
    this.frames++;
    if (atMs < this.firstMs) this.firstMs = atMs;
    if (atMs > this.lastMs) this.lastMs = atMs;
  }

  /** The effect lasts until `atMs` even if no further frame is sent (window end). */
  effectUntil(atMs: number): void {
    if (atMs > this.effectEndMs) this.effectEndMs = atMs;
  }

  station(id: string): void { this.stations.add(id); }
  token(t: string): void { this.tokens.add(t); }
  ip(a: string): void { this.ips.add(a); }
  wholeFleet(): void { this.fleet = true; }

  /** Records the reaction to one frame (observed null = nothing came back in time). */
  reaction(frame: string, sentMs: number, expected: readonly ReactionSpec[], observed: { atMs: number; reactions: readonly Reaction[] } | null, maxLatencyMs?: number): void {
    const key = `${frame}\u0000${JSON.stringify(expected)}`;
    if (!this.expected.has(key)) this.expected.set(key, { frame, expect: expected, ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}) });
    this.reactions.push({
      instanceId: this.plan.id, type: this.plan.entry.type as InstanceType, frame, sentMs, expected, observed,
      ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
    });
  }

  get injected(): boolean { return this.frames > 0; }

  /** The instance as the ground-truth log holds it; undefined when nothing malicious was sent here. */
  instance(): AttackInstance | undefined {
    if (!this.injected) return undefined;
    const type = this.plan.entry.type as InstanceType;
    const scope: AttackInstance['scope'] = {
      ...(this.stations.size > 0 ? { stations: [...this.stations].sort() } : {}),
      ...(this.tokens.size > 0 ? { tokens: [...this.tokens].sort() } : {}),
      ...(this.ips.size > 0 ? { ips: [...this.ips].sort() } : {}),
      ...(this.fleet ? { fleet: true } : {}),
    };
    return {
      id: this.plan.id, type, cls: defaultClass(type), scope,
      tStartMs: this.firstMs, tEndMs: Math.max(this.lastMs, this.effectEndMs), graceMs: this.graceMs,
      ...(this.expected.size > 0 ? { expectedReactions: [...this.expected.values()] } : {}),
    };
  }
}

/**
 * Joins the parts of instances recorded in several processes (an instance touching stations of several shards):
 * one record per id, scope united, the earliest start and latest end, expected reactions united.
 */
export function mergeInstances(parts: readonly AttackInstance[]): AttackInstance[] {
  const by = new Map<string, AttackInstance>();
  for (const p of parts) {
    const prev = by.get(p.id);
    if (!prev) { by.set(p.id, p); continue; }
    const union = (a?: readonly string[], b?: readonly string[]): string[] | undefined =>
      a || b ? [...new Set([...(a ?? []), ...(b ?? [])])].sort() : undefined;
    const stations = union(prev.scope.stations, p.scope.stations);
    const tokens = union(prev.scope.tokens, p.scope.tokens);
    const ips = union(prev.scope.ips, p.scope.ips);
    const expected = [...(prev.expectedReactions ?? [])];
    for (const e of p.expectedReactions ?? []) if (!expected.some((x) => JSON.stringify(x) === JSON.stringify(e))) expected.push(e);
    by.set(p.id, {
      ...prev,
      scope: { ...(stations ? { stations } : {}), ...(tokens ? { tokens } : {}), ...(ips ? { ips } : {}), ...(prev.scope.fleet || p.scope.fleet ? { fleet: true } : {}) },
      tStartMs: Math.min(prev.tStartMs, p.tStartMs),
      tEndMs: Math.max(prev.tEndMs, p.tEndMs),
      graceMs: Math.max(prev.graceMs, p.graceMs),
      ...(expected.length > 0 ? { expectedReactions: expected } : {}),
    });
  }
  return [...by.values()].sort((a, b) => a.tStartMs - b.tStartMs || (a.id < b.id ? -1 : 1));
}
