import { isoTime } from '../../util/clock.js';
import { TokenBucket } from './primitives.js';

/**
 * Alert categories of the embedded CSMS (docs/csms-detector.md). Names are chosen so that the scorer's
 * normalised category table (src/detection/categories.ts) maps each to its attack type in strict mode.
 */
export const Category = Object.freeze({
  flood: 'flood',                                   // A01
  credentialBruteForce: 'credential-brute-force',   // A02
  impersonation: 'impersonation',                   // A03
  malformed: 'malformed',                           // A04
  stateAbuse: 'state-abuse',                        // A05
  tokenBruteForce: 'token-brute-force',             // A06
  tokenClone: 'token-clone',                        // A07
  underReporting: 'under-reporting',                // A08
  impossiblePhysics: 'impossible-physics',          // A09
  replay: 'replay',                                 // A10
  forgedRemoteStart: 'forged-remote-start',         // A11
  unauthorizedSession: 'unauthorized-session',      // A11
  loadAltering: 'load-altering',                    // A12
  firmware: 'firmware',                             // A13
  /** Station-reported firmware signature failures: a symptom both of A13 and of A16 (ATTACKS.md §2). */
  firmwareSignature: 'invalid-firmware-signature',  // A13, A16
  profileDowngrade: 'profile-downgrade',            // A14
  certificate: 'certificate',                       // A15
  securityEvent: 'security-event',                  // A16
  maintenance: 'maintenance',                       // F01, F02
} as const);
export type Category = (typeof Category)[keyof typeof Category];

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Who an alert is about (ATTACKS.md §4), or the whole fleet. */
export type AlertEntity = { stationId?: string; evseId?: number; idToken?: string; ip?: string } | 'fleet';

/** The generic alert of ATTACKS.md §4, as written to the sinks. */
export interface Alert {
  alertId: string;
  /** ISO-8601 time of the frame (or tick) that raised it: event time on the CSMS clock. */
  ts: string;
  category: Category;
  severity: Severity;
  entity: AlertEntity;
  score?: number;
  /** Rule id, observed values, thresholds, frame references. */
  evidence: Record<string, unknown>;
}

/** Where alerts go after dedup. Sinks never block: `push` queues and returns. */
export interface AlertSink {
  push(alert: Alert): void;
  /** Sends what is due (called on the detector tick). */
  flush(nowMs: number): void;
  /** Delivers what is queued (bounded wait) and releases resources. */
  close(): Promise<void>;
  readonly dropped: number;
}

export interface AlertCounters {
  raised: number;
  emitted: number;
  /** Folded into an open incident of the same (entity, category). */
  suppressed: number;
  /** Non-critical alerts refused by the channel rate limit. */
  rateLimited: number;
  byCategory: Record<string, number>;
}

function entityKey(e: AlertEntity): string {
  if (e === 'fleet') return 'fleet';
  return e.stationId !== undefined ? `s:${e.stationId}` : e.idToken !== undefined ? `t:${e.idToken}` : e.ip !== undefined ? `i:${e.ip}` : 'fleet';
}

interface Incident { lastMs: number; severity: number; count: number }

/**
 * Correlation, dedup and rate limiting in front of the sinks (ATTACKS.md §5 "Correlation/dedup"): alerts of one
 * (entity, category) within `cooldownMs` of the last emitted one form an incident and are counted, not re-sent,
 * unless their severity is higher. Non-critical alerts pass a token bucket so an attack cannot flood the alert
 * channel; critical ones always pass and the sinks never drop them.
 */
export class AlertHub {
  readonly counters: AlertCounters = { raised: 0, emitted: 0, suppressed: 0, rateLimited: 0, byCategory: {} };
  private readonly incidents = new Map<string, Incident>();
  private readonly bucket: TokenBucket;
  private seq = 0;
  private lastPruneMs = 0;

  constructor(
    private readonly prefix: string,
    private readonly cooldownMs: number,
    rate: number, burst: number, nowMs: number,
    private readonly sinks: readonly AlertSink[],
    private readonly listener: ((a: Alert) => void) | undefined,
  ) {
    this.bucket = new TokenBucket(rate, burst, nowMs);
  }

  /** Raises an alert; returns it when emitted, null when folded into an incident or rate limited. */
  raise(nowMs: number, category: Category, severity: Severity, entity: AlertEntity, evidence: Record<string, unknown>, score?: number): Alert | null {
    const c = this.counters;
    c.raised++;
    const key = `${entityKey(entity)}|${category}`;
    const rank = SEVERITY_RANK[severity];
    const inc = this.incidents.get(key);
    if (inc !== undefined && nowMs - inc.lastMs < this.cooldownMs && rank <= inc.severity) {
      inc.count++;
      c.suppressed++;
      return null;
    }
    if (severity !== 'critical' && !this.bucket.take(nowMs)) { c.rateLimited++; return null; }
    if (inc === undefined) this.incidents.set(key, { lastMs: nowMs, severity: rank, count: 1 });
    else { inc.lastMs = nowMs; inc.severity = rank; inc.count++; }
    const alert: Alert = {
      alertId: `${this.prefix}-${String(++this.seq).padStart(6, '0')}`,
      ts: isoTime(nowMs),
      category,
      severity,
      entity,
      ...(score !== undefined && Number.isFinite(score) ? { score: round3(score) } : {}),
      evidence,
    };
    c.emitted++;
    c.byCategory[category] = (c.byCategory[category] ?? 0) + 1;
    this.listener?.(alert);
    for (const s of this.sinks) s.push(alert);
    return alert;
  }

  tick(nowMs: number): void {
    for (const s of this.sinks) s.flush(nowMs);
    if (nowMs - this.lastPruneMs < 5_000) return;
    this.lastPruneMs = nowMs;
    for (const [k, inc] of this.incidents) if (nowMs - inc.lastMs >= this.cooldownMs) this.incidents.delete(k);
  }

  get dropped(): number {
    let n = 0;
    for (const s of this.sinks) n += s.dropped;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

function round3(x: number): number { return Math.round(x * 1000) / 1000; }
