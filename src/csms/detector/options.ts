import { ExitCode, ToolError } from '../../util/errors.js';
import type { Alert } from './alert.js';

/**
 * Every threshold of the detector in one frozen object (STYLE habit 6). Times in ms, powers in W, energies in Wh.
 * docs/csms-detector.md lists the same values with the rule that uses each.
 */
export interface DetectorThresholds {
  // ---- L0 enforcement
  /** Frames of this many bytes or more close the connection with 1009 (ws `maxPayload` is set one below). */
  maxFrameBytes: number;
  /** Per-identity message bucket (msgs/s, burst). Offline-backlog TransactionEvents cost `offlineCost`. */
  stationMsgRate: number;
  stationMsgBurst: number;
  offlineCost: number;
  /** Per-IP message bucket: the whole fleet of a load generator may share one IP, hence generous. */
  ipMsgRate: number;
  ipMsgBurst: number;
  /** Frames refused by an empty bucket (decaying count, τ = floodTauMs) before an alert, and before close 1008. */
  floodAlertAfter: number;
  floodCloseAfter: number;
  floodTauMs: number;
  /** WebSocket upgrades per identity and per IP (per s, burst); beyond → HTTP 429. */
  stationUpgradeRate: number;
  stationUpgradeBurst: number;
  ipUpgradeRate: number;
  ipUpgradeBurst: number;
  /** 429s (decaying, τ = floodTauMs) before an upgrade-flood alert, per identity / per IP. */
  upgradeAlertAfter: number;
  /** HTTP 401s (decaying, τ = authTauMs): per IP, per identity, and distinct identities failed per IP. */
  authFailIpAlert: number;
  authFailIdentityAlert: number;
  authDistinctIdsAlert: number;
  authTauMs: number;
  /** Invalid frames per station (decaying, τ = invalidTauMs): alert, then close 1008. */
  invalidAlert: number;
  invalidClose: number;
  invalidTauMs: number;
  /** SecurityError answers (CALLs before the boot was accepted) per station (decaying, τ): alert. */
  stateAbuseAlert: number;
  stateAbuseTauMs: number;
  /** Duplicate connection: the old one is pinged; no pong within this long → it is dropped as half-open. */
  duplicateProbeMs: number;

  // ---- L1 invariants
  /** Relative meter tolerance for the energy-vs-power envelope (accuracy class + rounding). */
  energyTol: number;
  /** Absolute slack of the envelope: Wh plus this many ms of the interval's power (timestamp granularity). */
  energySlackWh: number;
  energySlackMs: number;
  /** Register decreases below this (Wh) are ignored (rounding). */
  registerEpsWh: number;
  /** Relative tolerance of P ≤ rating and of P ≤ V·I. */
  powerTol: number;
  powerSlackW: number;
  /** Rating when the model string names none (`AC22-…`/`DC150-…`): AC = phases × 230 V × this; DC cap. */
  acMaxAmps: number;
  dcMaxPowerW: number;
  /** SoC may fall by at most this (%) while charging, and rise by at most ΔE / minBatteryWh + socJumpPct. */
  socDropPct: number;
  minBatteryWh: number;
  socJumpPct: number;
  /** Largest plausible EV battery (Wh): charging needs implying more are inflated (A12d). */
  maxBatteryWh: number;
  /** NotifyEVChargingNeeds SoC may differ from the EVSE's last reported SoC by this much (points). */
  needsSocTolPct: number;
  /** Consecutive intervals with every meter value unchanged while charging → frozen meter (maintenance). */
  frozenSamples: number;
  /** Timestamps may go back this much between events of a transaction; online events may be this stale. */
  skewMs: number;
  staleMs: number;
  /** A token stays "in use" at a station silent for longer than this only if its transaction is still open. */
  tokenActiveMs: number;
  /**
   * Shortest plausible time between a token's transaction ending at one station and its use at another (ms).
   * Stations carry no location here, so geo-velocity reduces to this time (A07 impossible travel).
   */
  tokenTravelMs: number;
  /** Power above the last accepted charging-profile limit this long after it was set (ms) → load-altering. */
  profileGraceMs: number;
  /** FirmwareStatusNotification / FirmwareUpdate boots / reset events count as solicited this long after ours. */
  commandWindowMs: number;

  // ---- L2 streaming statistics
  /** No statistical alert before this long after start (learning). L0/L1 rules are live from the start. */
  warmupMs: number;
  /** Per-station per-action-class rates: bucket length, EWMA λ, z threshold, ratio to baseline, floor. */
  rateBucketMs: number;
  rateLambda: number;
  rateZ: number;
  rateRatio: number;
  rateMinCount: number;
  /** Distinct idTokens presented (Authorize) at one station and not used in a transaction, within the window. */
  tokenWindowMs: number;
  tokenDistinctAlert: number;
  tokenSetCap: number;
  /** Under-reporting CUSUM on the energy/∫P shortfall per EVSE (allowance k, alarm h); intervals whose expected
   * energy is below cusumMinWh are too short for the register's resolution and are skipped. */
  cusumK: number;
  cusumH: number;
  cusumMinWh: number;
  /** Power on/off switches within one transaction → oscillation. */
  toggleAlert: number;
  /** Fleet synchronicity: window (s), Poisson z, ratio to expected, minimum stations, EWMA λ per second. */
  syncWindowS: number;
  syncZ: number;
  syncRatio: number;
  syncMinStations: number;
  syncLambda: number;
  /** Aggregate power step per second: z against its EWMA sd, minimum step (W). */
  stepZ: number;
  stepMinW: number;
  /** Ended/down-step alarms wait this long and alert only if most of the stations involved are still connected
   * (a load test's ramp-down ends every session at once and then disconnects). */
  confirmMs: number;
  /** A station commanded by us within this long is left out of the fleet statistics. */
  commandedMs: number;
  /** Non-critical security events per station (decaying, τ) before an alert. */
  securityEventAlert: number;
  securityEventTauMs: number;
  /** StatusNotification Faulted transitions per connector (decaying, τ) → maintenance (F02). */
  faultedAlert: number;
  faultedTauMs: number;
  /** Refused certificate requests per station (contract Authorize not Accepted, Get15118EVCertificate Failed; decaying, τ) → alert (A15). */
  certRefusalAlert: number;
  certRefusalTauMs: number;

  // ---- alert channel
  /** Non-critical alerts per second (burst) the sinks accept; criticals are never rate limited. */
  alertRate: number;
  alertBurst: number;
  /** Alerts queued per sink before the oldest non-critical one is dropped. */
  queueCap: number;
  /** Webhook: batch size and flush period. */
  webhookBatch: number;
  webhookFlushMs: number;
  webhookTimeoutMs: number;
}

export const DETECTOR_DEFAULTS: Readonly<DetectorThresholds> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  stationMsgRate: 20,
  stationMsgBurst: 200,
  offlineCost: 0.05,
  ipMsgRate: 20_000,
  ipMsgBurst: 100_000,
  floodAlertAfter: 20,
  floodCloseAfter: 100,
  floodTauMs: 30_000,
  stationUpgradeRate: 0.2,
  stationUpgradeBurst: 10,
  ipUpgradeRate: 2_000,
  ipUpgradeBurst: 10_000,
  upgradeAlertAfter: 5,
  authFailIpAlert: 10,
  authFailIdentityAlert: 5,
  authDistinctIdsAlert: 5,
  authTauMs: 60_000,
  invalidAlert: 5,
  invalidClose: 100,
  invalidTauMs: 30_000,
  stateAbuseAlert: 5,
  stateAbuseTauMs: 60_000,
  duplicateProbeMs: 2_000,

  energyTol: 0.03,
  energySlackWh: 1,
  energySlackMs: 100,
  registerEpsWh: 0.5,
  powerTol: 0.05,
  powerSlackW: 200,
  acMaxAmps: 32,
  dcMaxPowerW: 400_000,
  socDropPct: 0.5,
  minBatteryWh: 10_000,
  socJumpPct: 2,
  maxBatteryWh: 200_000,
  needsSocTolPct: 10,
  frozenSamples: 2,
  skewMs: 2_000,
  staleMs: 300_000,
  tokenActiveMs: 3_600_000,
  tokenTravelMs: 120_000,
  profileGraceMs: 15_000,
  commandWindowMs: 600_000,

  warmupMs: 60_000,
  rateBucketMs: 10_000,
  rateLambda: 0.2,
  rateZ: 4,
  rateRatio: 4,
  rateMinCount: 20,
  tokenWindowMs: 600_000,
  tokenDistinctAlert: 8,
  tokenSetCap: 32,
  cusumK: 0.01,
  cusumH: 0.15,
  cusumMinWh: 10,
  toggleAlert: 4,
  syncWindowS: 2,
  syncZ: 6,
  syncRatio: 1.5,
  syncMinStations: 20,
  syncLambda: 0.2,
  stepZ: 8,
  stepMinW: 1_000_000,
  confirmMs: 3_000,
  commandedMs: 30_000,
  securityEventAlert: 3,
  securityEventTauMs: 600_000,
  faultedAlert: 3,
  faultedTauMs: 600_000,
  certRefusalAlert: 4,
  certRefusalTauMs: 120_000,

  alertRate: 100,
  alertBurst: 1_000,
  queueCap: 10_000,
  webhookBatch: 100,
  webhookFlushMs: 1_000,
  webhookTimeoutMs: 5_000,
});

/** What to do when an idToken shows up while it is in a transaction elsewhere (A07). */
export type ConcurrentTxPolicy = 'alert' | 'reject';

/** `CsmsOptions.detector`: the embedded CSMS's anomaly detector (docs/csms-detector.md). */
export interface DetectorOptions {
  /** Default true: giving the object turns the detector on. */
  enabled?: boolean;
  /** Append alerts as JSON lines to this file. */
  alertsFile?: string;
  /** POST alerts (a JSON array per batch) to this http(s) URL. */
  alertsWebhook?: string;
  /** Repeated alerts of one (entity, category) within this window are folded into the first. Default 60 s. */
  cooldownMs?: number;
  /** Seed of the detector's own random choices (webhook retry jitter). Default: the CSMS seed. */
  seed?: number;
  /** Prefix of alert ids (`<instance>-<n>`), e.g. a worker name. Default `csms`. */
  instance?: string;
  /** A07: answer `ConcurrentTx` (reject) or accept and alert. Default 'alert' (ATTACKS.md §3 allows both). */
  concurrentTx?: ConcurrentTxPolicy;
  /** A11: also send RequestStopTransaction for a transaction started with a forged remoteStartId. Default true. */
  stopForgedTx?: boolean;
  /** A13: lowest firmware version accepted at boot (dotted numbers compared numerically); lower → Pending. */
  minFirmware?: string;
  /** A15: serial numbers (hex, any case) of revoked certificates. */
  revokedCertificateSerials?: readonly string[];
  /** Threshold overrides; see DETECTOR_DEFAULTS. */
  thresholds?: Partial<DetectorThresholds>;
  /** In-process listener: every alert that passed dedup, before the sinks (tests, the `run` command). */
  onAlert?: (alert: Alert) => void;
}

export interface ResolvedDetectorOptions {
  readonly alertsFile: string | undefined;
  readonly alertsWebhook: string | undefined;
  readonly cooldownMs: number;
  readonly seed: number;
  readonly instance: string;
  readonly concurrentTx: ConcurrentTxPolicy;
  readonly stopForgedTx: boolean;
  readonly minFirmware: string | undefined;
  readonly revokedSerials: ReadonlySet<string>;
  readonly t: Readonly<DetectorThresholds>;
  readonly onAlert: ((alert: Alert) => void) | undefined;
}

/** Null when the detector is off (no `detector` object, or `enabled: false`). */
export function resolveDetectorOptions(o: DetectorOptions | undefined, csmsSeed: number): ResolvedDetectorOptions | null {
  if (o === undefined || o.enabled === false) return null;
  if (o.alertsWebhook !== undefined && !/^https?:\/\//i.test(o.alertsWebhook)) {
    throw new ToolError('E_CSMS_CONFIG', `alerts webhook must be an http(s) URL, got '${o.alertsWebhook}'`, ExitCode.invalidInput);
  }
  const t = Object.freeze({ ...DETECTOR_DEFAULTS, ...o.thresholds });
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ToolError('E_CSMS_CONFIG', `detector threshold ${k} must be a non-negative number, got ${String(v)}`, ExitCode.invalidInput);
    }
  }
  return {
    alertsFile: o.alertsFile,
    alertsWebhook: o.alertsWebhook,
    cooldownMs: o.cooldownMs ?? 60_000,
    seed: o.seed ?? csmsSeed,
    instance: o.instance ?? 'csms',
    concurrentTx: o.concurrentTx ?? 'alert',
    stopForgedTx: o.stopForgedTx ?? true,
    minFirmware: o.minFirmware,
    revokedSerials: new Set((o.revokedCertificateSerials ?? []).map(normalSerial)),
    t,
    onAlert: o.onAlert,
  };
}

/** Certificate serials compare as upper-case hex without separators or leading zeros. */
export function normalSerial(s: string): string {
  return s.replace(/[^0-9a-f]/gi, '').replace(/^0+(?=.)/, '').toUpperCase();
}
