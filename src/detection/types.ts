/**
 * The objects of detection scoring (docs/security ATTACKS.md §4): attack instances from the injector's
 * out-of-band ground-truth log, alerts from the CSMS under test, and per-frame reaction records.
 * All times are epoch milliseconds on the load generator's clock.
 */

export const ATTACK_TYPES = Object.freeze([
  'A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08',
  'A09', 'A10', 'A11', 'A12', 'A13', 'A14', 'A15', 'A16',
] as const);
export const FAULT_TYPES = Object.freeze(['F01', 'F02', 'F03', 'F04'] as const);

export type AttackType = (typeof ATTACK_TYPES)[number];
export type FaultType = (typeof FAULT_TYPES)[number];
export type InstanceType = AttackType | FaultType;

/** `attack` instances are scored for recall; `fault` (F01/F02) and `benign` (F03/F04) are hard negatives. */
export type LabelClass = 'attack' | 'fault' | 'benign';

/**
 * Default grace g(type) in ms: the GT column of ATTACKS.md §3 (window [t_s − δ, t_e + g]). A07's window starts at
 * the second use of the token (the injector records that as t_s). A08/A09 end one meter sample interval after the
 * transaction ended: the default is the scenario's default TxUpdatedInterval (10 s); the injector should write its
 * actual interval as `graceMs`. Faults have no GT column; their windows only excuse maintenance alerts, so they
 * get the grace of the attack each one imitates.
 */
export const DEFAULT_GRACE_MS: Readonly<Record<InstanceType, number>> = Object.freeze({
  A01: 60_000, A02: 30_000, A03: 60_000, A04: 30_000, A05: 30_000, A06: 60_000, A07: 120_000, A08: 10_000,
  A09: 10_000, A10: 30_000, A11: 60_000, A12: 120_000, A13: 60_000, A14: 30_000, A15: 60_000, A16: 30_000,
  F01: 60_000, F02: 30_000, F03: 60_000, F04: 60_000,
});

/** Default δ: clock tolerance between the load generator and the CSMS (ATTACKS.md §4). */
export const DEFAULT_DELTA_MS = 2_000;
/** Default k: an attack touching at least this many stations is matched by `fleet` alerts. */
export const DEFAULT_FLEET_MIN_STATIONS = 3;

/** F01/F02 are faults a good IDS flags as maintenance; F03/F04 are benign events it should stay silent on. */
export function defaultClass(type: InstanceType): LabelClass {
  if (type === 'F01' || type === 'F02') return 'fault';
  if (type === 'F03' || type === 'F04') return 'benign';
  return 'attack';
}

export function isAttackType(s: string): s is AttackType {
  return (ATTACK_TYPES as readonly string[]).includes(s);
}

export function isInstanceType(s: string): s is InstanceType {
  return isAttackType(s) || (FAULT_TYPES as readonly string[]).includes(s);
}

/** What an attack touched. `fleet: true` means the whole fleet: every entity is in scope. */
export interface Scope {
  stations?: readonly string[];
  /** idTokens; alerts may name them raw (`idToken`) or hashed (`idTokenHash`), see ScoreOptions.hashToken. */
  tokens?: readonly string[];
  ips?: readonly string[];
  fleet?: boolean;
}

/**
 * Kinds of protocol reaction: CALLERROR code, a response status field, HTTP status at upgrade, WS close code, or a
 * `handshake` refused below HTTP (`tls-refused`: TLS handshake failed; `no-subprotocol`: 101 without an OCPP
 * subprotocol; `closed`: connection cut before any HTTP answer).
 */
export type ReactionKind = 'callerror' | 'status' | 'certificateStatus' | 'reasonCode' | 'http' | 'close' | 'callresult' | 'handshake';

/** One observed reaction facet (`{kind: 'callerror', value: 'SecurityError'}`, `{kind: 'close', value: 1008}`). */
export interface Reaction {
  kind: ReactionKind;
  value: string | number;
}

/** One expected facet; `value` may list acceptable alternatives (A01: close 1008 or 1009). */
export interface ReactionSpec {
  kind: ReactionKind;
  value: string | number | readonly (string | number)[];
}

/** What the injector declared a correct CSMS does for frames of this instance (report field). */
export interface ExpectedReaction {
  /** The action or frame description (`Authorize`, `upgrade`, `non-JSON`). */
  frame?: string;
  /** All of these facets must be observed. */
  expect: readonly ReactionSpec[];
  maxLatencyMs?: number;
}

/** One attack, fault or benign-event instance from the ground-truth log. */
export interface AttackInstance {
  id: string;
  type: InstanceType;
  cls: LabelClass;
  scope: Scope;
  /** Send time of the first malicious frame. */
  tStartMs: number;
  /** Send time of the last malicious frame (or end of effect). */
  tEndMs: number;
  graceMs: number;
  expectedReactions?: readonly ExpectedReaction[];
}

/** Who an alert is about. An alert may name several (station and ip); `fleet` names the whole fleet. */
export interface AlertEntity {
  stationId?: string;
  evseId?: string | number;
  idToken?: string;
  idTokenHash?: string;
  ip?: string;
  fleet?: boolean;
}

/** One alert from the CSMS alert sink, normalised (ATTACKS.md §4). */
export interface Alert {
  alertId: string;
  /** Alert time, epoch ms. */
  ts: number;
  category: string;
  severity?: string;
  entity: AlertEntity;
  score?: number;
  evidence?: unknown;
}

/** The reaction to one malicious frame that has an expected response (A04, A05, A06, A11, A15, ...). */
export interface ReactionRecord {
  instanceId: string;
  /** Defaults to the instance's type. */
  type?: InstanceType;
  frame?: string;
  sentMs: number;
  /** All facets must be observed, each with one of its values. */
  expected: readonly ReactionSpec[];
  /** What arrived, or null when nothing did (timeout). */
  observed: { atMs: number; reactions: readonly Reaction[] } | null;
  /** When set, a reaction arriving later than this is not an exact match. */
  maxLatencyMs?: number;
}

/** The run the ground truth belongs to: needed for false alarms per hour and per 1,000 station-hours. */
export interface RunInfo {
  id?: string;
  seed?: number;
  startMs: number;
  endMs: number;
  stations: number;
  /** Start of scoring (end of the detectors' warm-up); alerts earlier are ignored. */
  scoreFromMs?: number;
  /** δ measured for this run, when the injector measured the clock skew. */
  deltaMs?: number;
}
