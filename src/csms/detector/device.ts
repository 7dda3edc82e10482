import type { Payload } from '../../ocpp/session.js';
import { Category } from './alert.js';
import { connEntity, stationEntity, type Ctx } from './context.js';
import { Leaky, reached } from './primitives.js';
import type { StationDet } from './station.js';

export type BootVerdict = 'Rejected' | 'Pending' | undefined;

function str(v: unknown): string | undefined { return typeof v === 'string' ? v : undefined; }

/** Compares the first dotted number of two version strings (`4.2.10-beta` vs `4.10`); null if either has none. */
export function compareVersions(a: string, b: string): number | null {
  const pa = /\d+(?:\.\d+)*/.exec(a)?.[0];
  const pb = /\d+(?:\.\d+)*/.exec(b)?.[0];
  if (pa === undefined || pb === undefined) return null;
  const xa = pa.split('.').map(Number);
  const xb = pb.split('.').map(Number);
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const d = (xa[i] ?? 0) - (xb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** `AC22-…` / `DC150-…`: the simulator's model names carry the EVSE class and rating (kW). */
const MODEL_CLASS = /^(AC|DC)(\d{1,4})(?!\d)/i;

function solicitedFirmware(ctx: Ctx, sd: StationDet, nowMs: number): boolean {
  return nowMs - sd.fwIssuedMs <= ctx.t.commandWindowMs;
}

/**
 * BootNotification (A03, A13), asked by the handler before it answers: a serial/model/vendor that differs from
 * the identity's registered fingerprint → Rejected; a firmware version below `minFirmware` or below the version
 * this identity ran before → Pending (quarantine); a FirmwareUpdate boot or a version change we did not order →
 * alert only. Undefined = no objection.
 */
export function bootVerdict(ctx: Ctx, sd: StationDet, p: Payload, nowMs: number): BootVerdict {
  const cs = (p.chargingStation ?? {}) as Payload;
  const presented = { serialNumber: str(cs.serialNumber), model: str(cs.model), vendorName: str(cs.vendorName) };
  const registered = { serialNumber: sd.serial, model: sd.model, vendorName: sd.vendor };
  const drift: Record<string, { registered: string; presented: string | null }> = {};
  let drifted = false;
  for (const k of ['serialNumber', 'model', 'vendorName'] as const) {
    const r = registered[k];
    if (r !== undefined && presented[k] !== r) { drift[k] = { registered: r, presented: presented[k] ?? null }; drifted = true; }
  }
  if (drifted) {
    ctx.actions.bootsRejected++;
    ctx.alert(nowMs, Category.impersonation, 'high', connEntity(sd), { rule: 'L0.boot-fingerprint', drift });
    return 'Rejected';
  }
  if (sd.model === undefined) {
    sd.serial = presented.serialNumber;
    sd.model = presented.model;
    sd.vendor = presented.vendorName;
    const m = presented.model !== undefined ? MODEL_CLASS.exec(presented.model) : null;
    if (m) { sd.modelKind = m[1]!.toUpperCase() === 'AC' ? 1 : 2; sd.modelRatingW = Number(m[2]) * 1000; }
  }
  let verdict: BootVerdict;
  const fw = str(cs.firmwareVersion);
  const solicited = solicitedFirmware(ctx, sd, nowMs);
  if (fw !== undefined) {
    const min = ctx.o.minFirmware;
    const belowMin = min !== undefined ? compareVersions(fw, min) : null;
    const vsLast = sd.firmware !== undefined ? compareVersions(fw, sd.firmware) : null;
    if (belowMin !== null && belowMin < 0) {
      verdict = 'Pending';
      ctx.alert(nowMs, Category.firmware, 'high', stationEntity(sd), { rule: 'L1.firmware-below-minimum', firmwareVersion: fw, minimum: min, reason: p.reason });
    } else if (vsLast !== null && vsLast < 0) {
      verdict = 'Pending';
      ctx.alert(nowMs, Category.firmware, 'critical', stationEntity(sd), { rule: 'L1.firmware-downgrade', firmwareVersion: fw, previous: sd.firmware, reason: p.reason });
    } else if (sd.firmware !== undefined && fw !== sd.firmware && !solicited) {
      ctx.alert(nowMs, Category.firmware, 'medium', stationEntity(sd), { rule: 'L1.firmware-changed-unsolicited', firmwareVersion: fw, previous: sd.firmware });
    }
    if (verdict === undefined) sd.firmware = fw;
  }
  if (p.reason === 'FirmwareUpdate' && !solicited) {
    ctx.alert(nowMs, Category.firmware, 'medium', stationEntity(sd), { rule: 'L1.firmware-boot-unsolicited', firmwareVersion: fw ?? null });
  }
  if (verdict === 'Pending') ctx.actions.bootsQuarantined++;
  sd.bootMs = nowMs;
  return verdict;
}

/**
 * FirmwareStatusNotification (A13): a status for a requestId we did not issue (Idle, the answer to a trigger,
 * excepted); InvalidSignature / InstallVerificationFailed; Installed without SignatureVerified when our
 * UpdateFirmware was signed.
 */
export function onFirmwareStatus(ctx: Ctx, sd: StationDet, p: Payload, nowMs: number): void {
  const status = String(p.status);
  if (status === 'Idle') return;
  const solicited = typeof p.requestId === 'number' && (p.requestId === sd.fwRequestId || p.requestId === sd.fwPrevRequestId)
    && solicitedFirmware(ctx, sd, nowMs);
  const ev = { status, requestId: p.requestId ?? null, issuedRequestId: Number.isNaN(sd.fwRequestId) ? null : sd.fwRequestId };
  if (!solicited) ctx.alert(nowMs, Category.firmware, 'high', stationEntity(sd), { rule: 'L1.firmware-status-unsolicited', ...ev });
  switch (status) {
    case 'SignatureVerified':
      sd.fwSignatureVerified = true;
      return;
    case 'InvalidSignature':
    case 'InstallVerificationFailed':
      ctx.alert(nowMs, Category.firmware, 'critical', stationEntity(sd), { rule: 'L1.firmware-signature', ...ev });
      return;
    case 'Installed':
    case 'InstallRebooting':
      if (solicited && !sd.fwSignatureVerified) {
        ctx.alert(nowMs, Category.firmware, 'high', stationEntity(sd), { rule: 'L1.firmware-installed-unverified', ...ev });
      }
  }
}

/** Appendix security events the spec marks critical (push immediately), incl. the 1.6 names (ATTACKS.md §2). */
const CRITICAL_EVENTS = new Set([
  'FirmwareUpdated', 'SettingSystemTime', 'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared', 'MemoryExhaustion',
  'TamperDetectionActivated', 'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate', 'InvalidCsmsCertificate',
  'InvalidChargingStationCertificate', 'DiscardedRenewedClientCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted', 'MaintenanceLoginFailed', 'InvalidCentralSystemCertificate', 'InvalidChargePointCertificate',
]);
/** Critical events that page a human (severity `critical`, never dropped by the sinks). */
const PAGE_EVENTS = new Set([
  'TamperDetectionActivated', 'SecurityLogWasCleared', 'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate', 'InvalidChargingStationCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite',
  'InvalidCentralSystemCertificate', 'InvalidChargePointCertificate',
]);
/** Security events about firmware signatures: alerted as `invalid-firmware-signature`, which A13 and A16 both claim. */
const FIRMWARE_SIGNATURE_EVENTS = new Set(['InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate']);
/** Non-critical types that still alert at once: a rogue CSMS / MITM sign, and security reconfiguration we did not order. */
const IMMEDIATE_EVENTS = new Set(['CsmsFailedToAuthenticate', 'ReconfigurationOfSecurityParameters']);
const BOOT_EVENT_WINDOW_MS = 120_000;

/** Whether our own commands explain the event (F04: commanded UpdateFirmware + reboot stays silent). */
function expectedEvent(ctx: Ctx, sd: StationDet, type: string, nowMs: number): boolean {
  const w = ctx.t.commandWindowMs;
  const fw = nowMs - sd.fwIssuedMs <= w;
  const reset = nowMs - sd.resetMs <= w;
  switch (type) {
    case 'FirmwareUpdated': return fw;
    case 'StartupOfTheDevice': return fw || reset || Math.abs(nowMs - sd.bootMs) <= BOOT_EVENT_WINDOW_MS;
    case 'ResetOrReboot': return fw || reset;
    case 'ReconfigurationOfSecurityParameters': return nowMs - sd.securityConfigMs <= w;
    default: return false;
  }
}

/**
 * SecurityEventNotification (A16, ATTACKS.md §2): critical types alert at once (tamper, anti-forensics and PKI
 * ones as `critical`), unless our commands explain them; non-critical types count per station over a decaying
 * window and alert at `securityEventAlert`. Unknown type strings are kept and counted like non-critical ones.
 */
export function onSecurityEvent(ctx: Ctx, sd: StationDet, p: Payload, nowMs: number): void {
  const type = String(p.type);
  if (expectedEvent(ctx, sd, type, nowMs)) return;
  const ev = { type, ...(typeof p.techInfo === 'string' ? { techInfo: p.techInfo.slice(0, 255) } : {}), timestamp: p.timestamp };
  if (CRITICAL_EVENTS.has(type)) {
    // A firmware signature failure is as much a firmware alert (A13) as a security event (A16): its own category.
    const category = FIRMWARE_SIGNATURE_EVENTS.has(type) ? Category.firmwareSignature : Category.securityEvent;
    ctx.alert(nowMs, category, PAGE_EVENTS.has(type) ? 'critical' : 'high', stationEntity(sd), { rule: 'L2.security-event-critical', ...ev });
    return;
  }
  if (IMMEDIATE_EVENTS.has(type)) {
    ctx.alert(nowMs, Category.securityEvent, 'high', stationEntity(sd), { rule: 'L2.security-event-immediate', ...ev });
    return;
  }
  const n = sd.secEvents.add(nowMs);
  if (reached(n, ctx.t.securityEventAlert)) {
    ctx.alert(nowMs, Category.securityEvent, 'medium', stationEntity(sd), { rule: 'L2.security-event-count', count: Math.round(n * 10) / 10, threshold: ctx.t.securityEventAlert, ...ev }, n);
  }
}

/** StatusNotification / NotifyEvent AvailabilityState: a connector reporting Faulted again and again (F02). */
export function onConnectorStatus(ctx: Ctx, sd: StationDet, evseId: unknown, status: unknown, nowMs: number): void {
  if (status !== 'Faulted') return;
  const n = (sd.faulted ??= new Leaky(ctx.t.faultedTauMs)).add(nowMs);
  if (reached(n, ctx.t.faultedAlert)) {
    ctx.alert(nowMs, Category.maintenance, 'low', stationEntity(sd, typeof evseId === 'number' ? evseId : undefined),
      { rule: 'L2.connector-faulted-flapping', faultedReports: Math.round(n * 10) / 10, threshold: ctx.t.faultedAlert });
  }
}
