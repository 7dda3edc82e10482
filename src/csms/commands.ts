import type { Payload } from '../ocpp/session.js';
import type { OcppVersion } from '../ocpp/schemas.js';
import type { CallOutcome } from '../ocpp/session.js';
import type { CsmsCommandSpec, CsmsTariffSpec } from '../scenario/spec.js';
import { isoTime } from '../util/clock.js';
import { compareVersions } from './detector/device.js';
import { CSMS_VENDOR_ID } from './handlers/grid.js';
import type { StationState } from './state.js';
import { DER_COMMANDS } from './usecases/der.js';
import { V2X_COMMANDS } from './usecases/v2x.js';
import { SWAP_COMMANDS } from './usecases/battery-swap.js';
import { STREAM_COMMANDS } from './usecases/periodic-streams.js';
import { TARIFF_COMMANDS } from './usecases/tariffs.js';

/** What a payload builder may use. */
export interface CommandContext {
  readonly state: StationState;
  readonly version: OcppVersion;
  readonly params: Readonly<Record<string, unknown>>;
  readonly heartbeatInterval: number;
  /** A fresh integer for requestId / remoteStartId, unique per CSMS. */
  nextId(): number;
  /** CSMS time of the firing (ms); absent → Date.now(). Timestamps in requests (AFRRSignal, DER windows). */
  readonly nowMs?: number;
  /** The CSMS's tariff (scenario `csms.tariff`), the base of the tariff commands; absent = the defaults. */
  readonly tariff?: CsmsTariffSpec;
  /** Sends a further CALL to this station later (a follow-up the command implies, e.g. a web payment's remote start). */
  readonly send?: (action: string, payload: Payload) => Promise<CallOutcome>;
}

/** Builds the request of one scheduled command for one station; null = nothing to act on (counted as skipped). */
export type CommandBuilder = (c: CommandContext) => Payload | null;

function num(params: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = params[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(params: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = params[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * An EVSE to start on: `params.evseId`, else the lowest EVSE whose connectors were reported Available and has
 * no running transaction. A station that reported no connectors is tried on EVSE 1 if it has no transaction.
 */
function freeEvse(c: CommandContext): number | null {
  const asked = num(c.params, 'evseId');
  if (asked !== undefined) return asked;
  const reported = c.state.connectors();
  if (reported.length === 0) return c.state.runningTx() === undefined ? 1 : null;
  let best: number | null = null;
  for (const [evseId, , status] of reported) {
    if (status !== 'Available' || c.state.runningTx(evseId) !== undefined) continue;
    if (best === null || evseId < best) best = evseId;
  }
  return best;
}

function runningTx(c: CommandContext) {
  return c.state.runningTx(num(c.params, 'evseId'));
}

/** F01/F02: remote start with a CSMS-generated (Central) token. */
function requestStartTransaction(c: CommandContext): Payload | null {
  const evseId = freeEvse(c);
  if (evseId === null) return null;
  const p: Payload = {
    idToken: { idToken: str(c.params, 'idToken') ?? 'chargestorm-remote', type: 'Central' },
    remoteStartId: c.nextId(),
  };
  if (evseId > 0) p.evseId = evseId;
  return p;
}

function requestStopTransaction(c: CommandContext): Payload | null {
  const tx = runningTx(c);
  return tx === undefined ? null : { transactionId: tx.id };
}

/**
 * K01: a one-period limit in W (`params.limitKw`, or `limitW`; default 11 kW). `params.purpose` TxProfile
 * targets a running transaction (skipped without one); otherwise a TxDefaultProfile on `params.evseId` (0 =
 * every EVSE). Profile ids are fixed per purpose and EVSE so a repeated command replaces its own profile
 * instead of piling up DuplicateProfile rejections.
 */
function setChargingProfile(c: CommandContext): Payload | null {
  const limitW = num(c.params, 'limitW') ?? (num(c.params, 'limitKw') ?? 11) * 1000;
  const stackLevel = num(c.params, 'stackLevel') ?? 0;
  const schedule = [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: Math.round(limitW * 10) / 10 }] }];
  if (str(c.params, 'purpose') === 'TxProfile') {
    const tx = runningTx(c);
    if (tx === undefined) return null;
    const evseId = tx.evseId > 0 ? tx.evseId : 1;
    return {
      evseId,
      chargingProfile: {
        id: num(c.params, 'profileId') ?? 200 + evseId, stackLevel, chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative', transactionId: tx.id, chargingSchedule: schedule,
      },
    };
  }
  const evseId = num(c.params, 'evseId') ?? 0;
  return {
    evseId,
    chargingProfile: {
      id: num(c.params, 'profileId') ?? 100 + evseId, stackLevel, chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative', chargingSchedule: schedule,
    },
  };
}

function clearChargingProfile(c: CommandContext): Payload {
  const id = num(c.params, 'profileId');
  if (id !== undefined) return { chargingProfileId: id };
  const criteria: Payload = { chargingProfilePurpose: str(c.params, 'purpose') ?? 'TxDefaultProfile' };
  const evseId = num(c.params, 'evseId');
  if (evseId !== undefined) criteria.evseId = evseId;
  return { chargingProfileCriteria: criteria };
}

function getCompositeSchedule(c: CommandContext): Payload {
  return {
    duration: num(c.params, 'duration') ?? 3600,
    evseId: num(c.params, 'evseId') ?? 1,
    chargingRateUnit: str(c.params, 'chargingRateUnit') ?? 'W',
  };
}

function componentVariable(c: CommandContext): Payload {
  const variable: Payload = { name: str(c.params, 'variable') ?? 'HeartbeatInterval' };
  const instance = str(c.params, 'instance');
  if (instance !== undefined) variable.instance = instance;
  return { component: { name: str(c.params, 'component') ?? 'OCPPCommCtrlr' }, variable };
}

function getVariables(c: CommandContext): Payload {
  const item = componentVariable(c);
  const attributeType = str(c.params, 'attributeType');
  if (attributeType !== undefined) item.attributeType = attributeType;
  return { getVariableData: [item] };
}

/** B05: default writes HeartbeatInterval with the CSMS's own interval (harmless, and the station must apply it). */
function setVariables(c: CommandContext): Payload {
  const item = componentVariable(c);
  const value = c.params.value;
  item.attributeValue = value === undefined ? String(c.heartbeatInterval) : String(value);
  return { setVariableData: [item] };
}

function getBaseReport(c: CommandContext): Payload {
  return { requestId: c.nextId(), reportBase: str(c.params, 'reportBase') ?? 'FullInventory' };
}

// Trigger values 2.0.1 does not have (FLOWS.md §1.8): not sent to a 2.0.1 station, counted as skipped.
const TRIGGERS_21_ONLY = new Set(['SignV2G20Certificate', 'CustomTrigger']);

function triggerMessage(c: CommandContext): Payload | null {
  const p: Payload = { requestedMessage: str(c.params, 'requestedMessage') ?? 'Heartbeat' };
  if (c.version !== '2.1' && TRIGGERS_21_ONLY.has(p.requestedMessage)) return null;
  const evseId = num(c.params, 'evseId');
  if (evseId !== undefined) {
    const connectorId = num(c.params, 'connectorId');
    p.evse = connectorId === undefined ? { id: evseId } : { id: evseId, connectorId };
  }
  return p;
}

function reset(c: CommandContext): Payload {
  const p: Payload = { type: str(c.params, 'type') ?? 'OnIdle' };
  const evseId = num(c.params, 'evseId');
  if (evseId !== undefined) p.evseId = evseId;
  return p;
}

function changeAvailability(c: CommandContext): Payload {
  const p: Payload = { operationalStatus: str(c.params, 'operationalStatus') ?? 'Operative' };
  const evseId = num(c.params, 'evseId');
  if (evseId !== undefined) {
    const connectorId = num(c.params, 'connectorId');
    p.evse = connectorId === undefined ? { id: evseId } : { id: evseId, connectorId };
  }
  return p;
}

function unlockConnector(c: CommandContext): Payload {
  return { evseId: num(c.params, 'evseId') ?? 1, connectorId: num(c.params, 'connectorId') ?? 1 };
}

function dataTransfer(c: CommandContext): Payload {
  const p: Payload = { vendorId: str(c.params, 'vendorId') ?? CSMS_VENDOR_ID };
  const messageId = str(c.params, 'messageId');
  if (messageId !== undefined) p.messageId = messageId;
  if (c.params.data !== undefined) p.data = c.params.data;
  return p;
}

/** K09: every profile unless `params.purpose` narrows it (the criterion object is required, its fields are not). */
function getChargingProfiles(c: CommandContext): Payload {
  const purpose = str(c.params, 'purpose');
  const p: Payload = { requestId: c.nextId(), chargingProfile: purpose === undefined ? {} : { chargingProfilePurpose: purpose } };
  const evseId = num(c.params, 'evseId');
  if (evseId !== undefined) p.evseId = evseId;
  return p;
}

/**
 * L01 firmware roll-out: UpdateFirmware of `params.version` (image at `params.location`, default a name carrying
 * the version) to retrieve now; a station whose last boot reported that version or a newer one is skipped.
 */
function updateFirmware(c: CommandContext): Payload | null {
  const version = str(c.params, 'version') ?? '10.0.0';
  const running = c.state.firmwareVersion;
  if (running !== undefined && (compareVersions(running, version) ?? -1) >= 0) return null;
  // An update already on its way (sent since the station's last boot) is not sent again.
  if (c.state.firmwareRequestedMs >= c.state.bootTimeMs) return null;
  c.state.firmwareRequestedMs = c.nowMs ?? Date.now();
  return {
    requestId: c.nextId(), retries: 1, retryInterval: 30,
    firmware: { location: str(c.params, 'location') ?? `https://firmware.chargestorm.invalid/station-${version}.bin`, retrieveDateTime: isoTime(c.nowMs ?? Date.now()) },
  };
}

/** Payload builder per schedulable command (the actions a scenario's `csms.commands` may name). */
export const COMMAND_BUILDERS: Readonly<Record<CsmsCommandSpec['action'], CommandBuilder>> = {
  RequestStartTransaction: requestStartTransaction,
  RequestStopTransaction: requestStopTransaction,
  SetChargingProfile: setChargingProfile,
  ClearChargingProfile: clearChargingProfile,
  GetCompositeSchedule: getCompositeSchedule,
  GetVariables: getVariables,
  SetVariables: setVariables,
  GetBaseReport: getBaseReport,
  TriggerMessage: triggerMessage,
  Reset: reset,
  ChangeAvailability: changeAvailability,
  UnlockConnector: unlockConnector,
  DataTransfer: dataTransfer,
  GetChargingProfiles: getChargingProfiles,
  UpdateFirmware: updateFirmware,
  // OCPP 2.1 use cases (src/csms/usecases/): V2X and DER control.
  ...V2X_COMMANDS,
  ...DER_COMMANDS,
  // Battery swapping and periodic event streams.
  ...SWAP_COMMANDS,
  ...STREAM_COMMANDS,
  // Tariffs, cost and payments (FLOWS.md §7).
  ...TARIFF_COMMANDS,
};

/**
 * The station CALL a CSMS request makes the station send. While a boot is Pending the station may send exactly
 * these (FLOWS.md §2.1); NotifyReport also closes the report request we track.
 */
const FOLLOW_UP: Readonly<Record<string, string>> = {
  GetBaseReport: 'NotifyReport',
  GetReport: 'NotifyReport',
  GetMonitoringReport: 'NotifyMonitoringReport',
  GetChargingProfiles: 'ReportChargingProfiles',
  GetDERControl: 'ReportDERControl',
  CustomerInformation: 'NotifyCustomerInformation',
  GetDisplayMessages: 'NotifyDisplayMessages',
  GetLog: 'LogStatusNotification',
  UpdateFirmware: 'FirmwareStatusNotification',
};

/** TriggerMessage.requestedMessage → the CALL it triggers (FLOWS.md §9). */
const TRIGGERED: Readonly<Record<string, string>> = {
  BootNotification: 'BootNotification',
  Heartbeat: 'Heartbeat',
  StatusNotification: 'StatusNotification',
  MeterValues: 'MeterValues',
  TransactionEvent: 'TransactionEvent',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
  LogStatusNotification: 'LogStatusNotification',
  PublishFirmwareStatusNotification: 'PublishFirmwareStatusNotification',
  SignChargingStationCertificate: 'SignCertificate',
  SignV2GCertificate: 'SignCertificate',
  SignV2G20Certificate: 'SignCertificate',
  SignCombinedCertificate: 'SignCertificate',
};

/** The follow-up CALL an outgoing CSMS request invites, if any. */
export function followUpOf(action: string, payload: Payload): string | undefined {
  if (action === 'TriggerMessage') return TRIGGERED[payload.requestedMessage as string];
  return FOLLOW_UP[action];
}
