import { describe, duration, integer, isRaw, listOf, number, oneOf, string, type Reader } from '../read.js';
import type { CsmsCommandSpec } from '../spec.js';
import { bool, type ParamRule } from './params.js';

export type CommandAction = CsmsCommandSpec['action'];

export type { ParamRule } from './params.js';

const PURPOSES = [
  'ChargingStationExternalConstraints', 'ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile', 'PriorityCharging',
  'LocalGeneration',
] as const;
// MessageTriggerEnumType of OCPP 2.1 (TriggerMessageRequest.requestedMessage).
const TRIGGERS = [
  'BootNotification', 'LogStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues',
  'SignChargingStationCertificate', 'SignV2GCertificate', 'SignV2G20Certificate', 'StatusNotification', 'TransactionEvent',
  'SignCombinedCertificate', 'PublishFirmwareStatusNotification', 'CustomTrigger',
] as const;

const evseId = integer({ min: 0, max: 128 });
const kw: Reader<number> = (p, v, path) => {
  const n = number({ min: 0 })(p, v, path);
  return n === undefined ? undefined : Math.round(n * 1000);
};

// `"Component.Variable"` → `{component, variable}` (device model names, OCPP 2.1 Part 2 Appendices).
const variableName: Reader<{ component: string; variable: string }> = (p, v, path) => {
  const m = typeof v === 'string' ? /^([A-Za-z0-9_*-]+)\.([A-Za-z0-9_*.-]+)$/.exec(v) : null;
  if (m) return { component: m[1]!, variable: m[2]! };
  p.add(path, `expected "Component.Variable" (e.g. "OCPPCommCtrlr.HeartbeatInterval"), got ${describe(v)}`);
  return undefined;
};

// `{ "Component.Variable": value }` → `[{component, variable, value}]`; values are sent as strings (attributeValue).
const variableValues: Reader<{ component: string; variable: string; value: string }[]> = (p, v, path) => {
  if (!isRaw(v) || Object.keys(v).length === 0) {
    p.add(path, `expected a map of "Component.Variable": value, got ${describe(v)}`);
    return undefined;
  }
  const out = Object.entries(v).map(([k, value]) => {
    const name = variableName(p, k, [...path, k]);
    if (!name) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      p.add([...path, k], `expected a string, number or true/false, got ${describe(value)}`);
      return undefined;
    }
    return { ...name, value: String(value) };
  });
  return out.every((x) => x !== undefined) ? out : undefined;
};

// Any JSON-compatible value (DataTransfer.data is free-form).
const anyValue: Reader<unknown> = (_p, v) => v;


// DERControlEnumType (OCPP 2.1, FLOWS.md §5.4).
const DER_CONTROL_TYPES = [
  'EnterService', 'FreqDroop', 'FreqWatt', 'FixedPFAbsorb', 'FixedPFInject', 'FixedVar', 'Gradients', 'HFMustTrip', 'HFMayTrip',
  'HVMustTrip', 'HVMomCess', 'HVMayTrip', 'LimitMaxDischarge', 'LFMustTrip', 'LVMustTrip', 'LVMomCess', 'LVMayTrip',
  'PowerMonitoringMustTrip', 'VoltVar', 'VoltWatt', 'WattPF', 'WattVar',
] as const;

/**
 * The parameters each scheduled CSMS command accepts, and what they become in `CsmsCommandSpec.params`.
 * Omitted optional keys without a default stay absent (the CSMS leaves the field out of the request).
 */
export const COMMAND_PARAMS: Readonly<Record<CommandAction, Readonly<Record<string, ParamRule>>>> = {
  SetChargingProfile: {
    limitKw: { read: kw, required: true, as: 'limitW' },
    purpose: { read: oneOf(PURPOSES), default: 'TxDefaultProfile' },
    stackLevel: { read: integer({ min: 0, max: 1000 }), default: 0 },
    evseId: { read: evseId, default: 0 },
  },
  ClearChargingProfile: {
    purpose: { read: oneOf(PURPOSES) },
    stackLevel: { read: integer({ min: 0, max: 1000 }) },
    evseId: { read: evseId },
  },
  GetChargingProfiles: {
    purpose: { read: oneOf(PURPOSES) },
    stackLevel: { read: integer({ min: 0, max: 1000 }) },
    evseId: { read: evseId },
  },
  GetCompositeSchedule: {
    duration: { read: duration({ min: 1000 }), default: 3_600_000 },
    evseId: { read: evseId, default: 0 },
    chargingRateUnit: { read: oneOf(['W', 'A'] as const), default: 'W' },
  },
  TriggerMessage: {
    requestedMessage: { read: oneOf(TRIGGERS), required: true },
    evseId: { read: evseId },
  },
  Reset: {
    type: { read: oneOf(['Immediate', 'OnIdle', 'ImmediateAndResume'] as const), default: 'OnIdle' },
  },
  ChangeAvailability: {
    operationalStatus: { read: oneOf(['Operative', 'Inoperative'] as const), required: true },
    evseId: { read: evseId },
  },
  UnlockConnector: {
    evseId: { read: integer({ min: 1, max: 128 }), default: 1 },
    connectorId: { read: integer({ min: 1, max: 16 }), default: 1 },
  },
  RequestStartTransaction: {
    idToken: { read: string({ maxLength: 255 }) },
    idTokenType: { read: string({ maxLength: 20 }), default: 'Central' },
    evseId: { read: integer({ min: 1, max: 128 }) },
  },
  RequestStopTransaction: {},
  // L01: a firmware roll-out; stations that already run `version` (or newer) are skipped.
  UpdateFirmware: {
    version: { read: string({ maxLength: 30 }), default: '10.0.0' },
    location: { read: string({ maxLength: 400 }) },
  },
  GetVariables: {
    variables: { read: listOf(variableName, { minItems: 1, single: true }), required: true },
  },
  SetVariables: {
    variables: { read: variableValues, required: true },
  },
  GetBaseReport: {
    reportBase: { read: oneOf(['ConfigurationInventory', 'FullInventory', 'SummaryInventory'] as const), default: 'FullInventory' },
  },
  DataTransfer: {
    vendorId: { read: string({ maxLength: 255 }), required: true },
    messageId: { read: string({ maxLength: 50 }) },
    data: { read: anyValue },
  },
  // V2X (Q): the aFRR signal applies from `delay` after sending; NotifyAllowedEnergyTransfer targets a running
  // V2X transaction and allows (true) or withholds (false) its bidirectional modes.
  AFRRSignal: {
    signal: { read: integer({ min: -1000, max: 1000 }), default: 1 },
    delay: { read: duration({ min: 0 }), default: 0 },
  },
  NotifyAllowedEnergyTransfer: {
    bidirectional: { read: bool, default: true },
    evseId: { read: integer({ min: 1, max: 128 }) },
  },
  // DER control (R): the settings object is filled in by the CSMS for `controlType`; a scheduled control
  // (isDefault: false) starts `startIn` after sending and lasts `duration`.
  SetDERControl: {
    controlType: { read: oneOf(DER_CONTROL_TYPES), default: 'FreqDroop' },
    isDefault: { read: bool, default: true },
    priority: { read: integer({ min: 0, max: 1000 }), default: 1 },
    startIn: { read: duration({ min: 0 }), default: 0 },
    duration: { read: duration({ min: 1000 }), default: 30_000 },
    pctMaxDischargePower: { read: number({ min: 0, max: 100 }), default: 50 },
  },
  GetDERControl: {
    isDefault: { read: bool },
    controlType: { read: oneOf(DER_CONTROL_TYPES) },
  },
  ClearDERControl: {
    isDefault: { read: bool, default: true },
    controlType: { read: oneOf(DER_CONTROL_TYPES) },
  },
  // Battery swapping (S, FLOWS.md §6): a remote swap for an app user; the station picks the slots.
  RequestBatterySwap: {
    idToken: { read: string({ maxLength: 255 }) },
  },
  // Periodic event streams (N, FLOWS.md §8.4): a Periodic monitor every `interval` on `variable` (of EVSE `evseId`),
  // streamed in batches of `values` (2.1; on 2.0.1 the monitor is set without a stream and reports by NotifyEvent).
  SetVariableMonitoring: {
    variable: { read: variableName, default: { component: 'EVSE', variable: 'Power' } },
    evseId: { read: integer({ min: 1, max: 128 }), default: 1 },
    interval: { read: duration({ min: 1000 }), default: 5_000 },
    values: { read: integer({ min: 1, max: 1000 }), default: 6 },
    stream: { read: bool, default: true },
    severity: { read: integer({ min: 0, max: 9 }), default: 8 },
  },
  // Clears the monitors behind the station's open streams: the station flushes and closes them.
  ClearVariableMonitoring: {},
  AdjustPeriodicEventStream: {
    interval: { read: duration({ min: 1000 }), default: 10_000 },
    values: { read: integer({ min: 1, max: 1000 }), default: 12 },
  },
  GetPeriodicEventStream: {},
  // Tariffs and payments (I, C; FLOWS.md §7): tariffs are csms.tariff (or its defaults) with the overrides given;
  // ChangeTransactionTariff targets a running transaction; a web payment is followed `startAfter` later by a
  // RequestStartTransaction with a DirectPayment idToken, whose Started event is answered with maxCost `amount`.
  SetDefaultTariff: {
    evseId: { read: evseId, default: 0 },
    tariffId: { read: string({ maxLength: 60 }) },
    priceKwh: { read: number({ min: 0 }) },
  },
  GetTariffs: {
    evseId: { read: evseId, default: 0 },
  },
  ClearTariffs: {
    evseId: { read: evseId },
    tariffId: { read: string({ maxLength: 60 }) },
  },
  ChangeTransactionTariff: {
    tariffId: { read: string({ maxLength: 60 }), default: 'Changed01' },
    priceKwh: { read: number({ min: 0 }) },
    evseId: { read: integer({ min: 1, max: 128 }) },
  },
  CostUpdated: {
    evseId: { read: integer({ min: 1, max: 128 }) },
  },
  NotifyWebPaymentStarted: {
    evseId: { read: integer({ min: 1, max: 128 }) },
    timeout: { read: duration({ min: 1000, max: 3_600_000 }), default: 30_000 },
    startAfter: { read: duration({ min: 0, max: 3_600_000 }), default: 2_000 },
    amount: { read: number({ min: 0, above: true }), default: 20 },
  },
};

export const COMMAND_ACTIONS = Object.keys(COMMAND_PARAMS) as CommandAction[];
