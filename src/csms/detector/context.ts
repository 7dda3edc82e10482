import type { AlertEntity, AlertHub, Category, Severity } from './alert.js';
import type { FleetStats } from './fleet.js';
import type { DetectorThresholds, ResolvedDetectorOptions } from './options.js';
import type { StationDet, TxDet } from './station.js';

/** A transaction holding an idToken now (A07). */
export interface ActiveToken { readonly sd: StationDet; readonly tx: TxDet }

/** Counters of what the detector did besides alerting (enforcement, billing holds). */
export interface DetectorActions {
  closed1008: number;
  closed1009: number;
  framesDropped: number;
  upgrades429: number;
  duplicatesRejected: number;
  halfOpenDropped: number;
  bootsRejected: number;
  bootsQuarantined: number;
  concurrentTx: number;
  invalidatedTx: number;
  stopsRequested: number;
  billingHolds: number;
  csrRejected: number;
  certificatesRefused: number;
  internalErrors: number;
}

/** What every rule module sees: thresholds, the alert hub, fleet-wide state, the clock's warm-up state. */
export interface Ctx {
  readonly t: Readonly<DetectorThresholds>;
  readonly o: ResolvedDetectorOptions;
  readonly hub: AlertHub;
  readonly fleet: FleetStats;
  readonly tokens: Map<string, ActiveToken>;
  /** Tokens whose transaction ended lately: where and when (ms), oldest first (A07 impossible travel). */
  readonly tokenEnded: Map<string, { readonly sd: StationDet; readonly ms: number }>;
  readonly actions: DetectorActions;
  /** Fleet-typical count per rate class and bucket: the starting baseline of a new station. */
  readonly fleetRates: Float64Array;
  /** Past the warm-up: statistical (learned) rules may alert. */
  warm(nowMs: number): boolean;
  /** Asks the CSMS to stop a transaction (RequestStopTransaction), after the current answer went out. */
  stopTx(stationId: string, transactionId: string): void;
  alert(nowMs: number, category: Category, severity: Severity, entity: AlertEntity, evidence: Record<string, unknown>, score?: number): void;
}

/** `{stationId}` plus the EVSE when known. */
export function stationEntity(sd: StationDet, evseId?: number): AlertEntity {
  return evseId !== undefined && evseId > 0 ? { stationId: sd.id, evseId } : { stationId: sd.id };
}

/** `{stationId, ip}` for connection-level rules (L0). */
export function connEntity(sd: StationDet): AlertEntity {
  return sd.ip ? { stationId: sd.id, ip: sd.ip } : { stationId: sd.id };
}

/**
 * A station we sent a command that may change its power to within `commandedMs` is left out of the power and
 * start/stop statistics (a read-out, a report request or a firmware roll-out changes no power: POWER_NEUTRAL).
 */
export function recentlyCommanded(ctx: Ctx, sd: StationDet, nowMs: number): boolean {
  return nowMs - sd.lastPowerCommandMs < ctx.t.commandedMs;
}

/**
 * CSMS commands that never change what a station draws. UpdateFirmware included: the station installs (and
 * reboots) only once its sessions are over (L01).
 */
export const POWER_NEUTRAL: ReadonlySet<string> = new Set([
  'GetVariables', 'GetBaseReport', 'GetReport', 'GetMonitoringReport', 'GetLog', 'GetCompositeSchedule', 'GetChargingProfiles',
  'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetTransactionStatus', 'GetDisplayMessages', 'GetCertificateStatus',
  'TriggerMessage', 'DataTransfer', 'CustomerInformation', 'SetDisplayMessage', 'ClearDisplayMessage', 'CostUpdated',
  'SetMonitoringBase', 'SetMonitoringLevel', 'SetVariableMonitoring', 'ClearVariableMonitoring', 'SendLocalList', 'ClearCache',
  'CertificateSigned', 'InstallCertificate', 'DeleteCertificate', 'UpdateFirmware', 'PublishFirmware', 'UnpublishFirmware',
]);

/** Rounds for evidence (keeps alert lines short and stable). */
export function r1(x: number): number { return Math.round(x * 10) / 10; }
