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
};

export const COMMAND_ACTIONS = Object.keys(COMMAND_PARAMS) as CommandAction[];
