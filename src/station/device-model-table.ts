import type { ConnectorModel, EvseModel } from '../scenario/spec.js';
import { SUPPORTED_MEASURANDS } from './meter.js';

/**
 * The station's device model as data (OCPP 2.1 Part 2, "Referenced Components and Variables"; FLOWS.md §2.3):
 * one row per component variable with its characteristics and default. Shared by every station; stations keep
 * only the values that differ (device-model.ts).
 */

export type DataType = 'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';
export type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

export interface VariableSpec {
  readonly component: string;
  readonly variable: string;
  readonly instance?: string;
  readonly dataType: DataType;
  readonly mutability: Mutability;
  /** Default of the Actual attribute. */
  readonly value: string;
  readonly unit?: string;
  /** Numbers: value range. Strings: length range. */
  readonly minLimit?: number;
  readonly maxLimit?: number;
  readonly valuesList?: string;
  readonly maxElements?: number;
  /** A ReadOnly MaxSet attribute next to Actual (EVSE.Power: the rating). */
  readonly maxSet?: string;
  /** Writing it takes effect after a reboot: SetVariables answers RebootRequired. */
  readonly rebootRequired?: boolean;
  /** Belongs in a SummaryInventory report (availability and problems). */
  readonly summary?: boolean;
  /** The live value comes from the station (DynamicValueSource); `value` is the fallback. */
  readonly dynamic?: boolean;
  /** Differs per station by nature (its identity): never folded into the shared template. */
  readonly perStation?: boolean;
}

const MEASURANDS = SUPPORTED_MEASURANDS.join(',');
const TX_POINTS = 'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer';
const AVAILABILITY = 'Available,Occupied,Reserved,Unavailable,Faulted';

type Extra = Omit<VariableSpec, 'component' | 'variable' | 'dataType' | 'mutability' | 'value'>;
type Short = 'int' | 'bool' | 'str' | 'dec' | 'members' | 'seq' | 'option';
const TYPES: Record<Short, DataType> = {
  int: 'integer', bool: 'boolean', str: 'string', dec: 'decimal', members: 'MemberList', seq: 'SequenceList', option: 'OptionList',
};

function v(component: string, variable: string, t: Short, mutability: Mutability, value: string, extra?: Extra): VariableSpec {
  return Object.freeze({ component, variable, dataType: TYPES[t], mutability, value, ...extra });
}
const RW = 'ReadWrite';
const RO = 'ReadOnly';
const WO = 'WriteOnly';
const S = { unit: 's', minLimit: 0 } as const;

/** Station-level variables (every template starts with these rows, in this order). */
export const STATION_VARIABLES: readonly VariableSpec[] = Object.freeze([
  // B01/B04/B05, FLOWS.md §1.6 and §1.7
  v('OCPPCommCtrlr', 'HeartbeatInterval', 'int', RW, '300', { unit: 's', minLimit: 1 }),
  v('OCPPCommCtrlr', 'MessageTimeout', 'int', RO, '30', { ...S, instance: 'Default' }),
  v('OCPPCommCtrlr', 'MessageAttempts', 'int', RW, '3', { instance: 'TransactionEvent', minLimit: 0 }),
  v('OCPPCommCtrlr', 'MessageAttemptInterval', 'int', RW, '10', { ...S, instance: 'TransactionEvent' }),
  v('OCPPCommCtrlr', 'OfflineThreshold', 'int', RW, '60', S),
  v('OCPPCommCtrlr', 'QueueAllMessages', 'bool', RW, 'false'),
  v('OCPPCommCtrlr', 'RetryBackOffWaitMinimum', 'int', RW, '10', S),
  v('OCPPCommCtrlr', 'RetryBackOffRandomRange', 'int', RW, '10', S),
  v('OCPPCommCtrlr', 'RetryBackOffRepeatTimes', 'int', RW, '3', { minLimit: 0 }),
  v('OCPPCommCtrlr', 'WebSocketPingInterval', 'int', RW, '60', S),
  // The new priority only takes effect when the station reconnects after a reboot (B10).
  v('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'seq', RW, '0', { rebootRequired: true, maxElements: 2 }),
  v('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', 'int', RW, '3', { minLimit: 1 }),
  v('OCPPCommCtrlr', 'ActiveNetworkProfile', 'int', RO, '0'),
  v('OCPPCommCtrlr', 'ResetRetries', 'int', RW, '2', { minLimit: 0 }),
  v('OCPPCommCtrlr', 'FileTransferProtocols', 'members', RO, 'HTTP,HTTPS', { valuesList: 'FTP,FTPS,HTTP,HTTPS,SFTP' }),
  v('OCPPCommCtrlr', 'UnlockOnEVSideDisconnect', 'bool', RW, 'true'),
  // A00/A05. SecurityProfile is ReadOnly: it changes only through SetNetworkProfile + a reboot (A05).
  v('SecurityCtrlr', 'SecurityProfile', 'int', RO, '1', { minLimit: 1, maxLimit: 3 }),
  v('SecurityCtrlr', 'BasicAuthPassword', 'str', WO, '', { minLimit: 16, maxLimit: 64 }),
  v('SecurityCtrlr', 'Identity', 'str', RO, '', { maxLimit: 48, perStation: true }),
  v('SecurityCtrlr', 'OrganizationName', 'str', RW, 'chargestorm', { maxLimit: 64 }),
  v('SecurityCtrlr', 'CertificateEntries', 'int', RO, '0'),
  v('SecurityCtrlr', 'CertSigningWaitMinimum', 'int', RW, '30', S),
  v('SecurityCtrlr', 'CertSigningRepeatTimes', 'int', RW, '3', { minLimit: 0 }),
  v('SecurityCtrlr', 'AllowSecurityProfileDowngrade', 'bool', RW, 'false'),
  // E01-E16, FLOWS.md §3.3
  v('TxCtrlr', 'TxStartPoint', 'members', RW, 'EVConnected,Authorized', { valuesList: TX_POINTS }),
  v('TxCtrlr', 'TxStopPoint', 'members', RW, 'EVConnected,Authorized', { valuesList: TX_POINTS }),
  v('TxCtrlr', 'EVConnectionTimeOut', 'int', RW, '120', S),
  v('TxCtrlr', 'StopTxOnEVSideDisconnect', 'bool', RW, 'true'),
  v('TxCtrlr', 'StopTxOnInvalidId', 'bool', RW, 'true'),
  v('TxCtrlr', 'MaxEnergyOnInvalidId', 'int', RW, '0', { unit: 'Wh', minLimit: 0 }),
  v('TxCtrlr', 'TxBeforeAcceptedEnabled', 'bool', RW, 'false'),
  v('TxCtrlr', 'ResumptionTimeout', 'int', RW, '0', S),
  v('TxCtrlr', 'SupportedLimits', 'members', RO, 'maxEnergy,maxTime,maxSoC', { valuesList: 'maxCost,maxEnergy,maxTime,maxSoC' }),
  // J01/J02, FLOWS.md §3.6
  v('SampledDataCtrlr', 'Enabled', 'bool', RW, 'true'),
  v('SampledDataCtrlr', 'TxStartedMeasurands', 'members', RW, 'Energy.Active.Import.Register', { valuesList: MEASURANDS }),
  v('SampledDataCtrlr', 'TxUpdatedMeasurands', 'members', RW, 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC', { valuesList: MEASURANDS }),
  v('SampledDataCtrlr', 'TxUpdatedInterval', 'int', RW, '60', S),
  v('SampledDataCtrlr', 'TxEndedMeasurands', 'members', RW, 'Energy.Active.Import.Register', { valuesList: MEASURANDS }),
  v('SampledDataCtrlr', 'TxEndedInterval', 'int', RW, '0', S),
  v('SampledDataCtrlr', 'SignReadings', 'bool', RW, 'false'),
  v('SampledDataCtrlr', 'RegisterValuesWithoutPhases', 'bool', RO, 'true'),
  // Clock-aligned data is off by default (Interval 0): it would add one MeterValues per EVSE per interval.
  v('AlignedDataCtrlr', 'Enabled', 'bool', RW, 'true'),
  v('AlignedDataCtrlr', 'Measurands', 'members', RW, 'Energy.Active.Import.Register', { valuesList: MEASURANDS }),
  v('AlignedDataCtrlr', 'Interval', 'int', RW, '0', S),
  v('AlignedDataCtrlr', 'TxEndedMeasurands', 'members', RW, '', { valuesList: MEASURANDS }),
  v('AlignedDataCtrlr', 'TxEndedInterval', 'int', RW, '0', S),
  v('AlignedDataCtrlr', 'SendDuringIdle', 'bool', RW, 'false'),
  v('AlignedDataCtrlr', 'SignReadings', 'bool', RW, 'false'),
  // C01-C16, D01
  v('AuthCtrlr', 'Enabled', 'bool', RW, 'true'),
  v('AuthCtrlr', 'AuthorizeRemoteStart', 'bool', RW, 'false'),
  v('AuthCtrlr', 'LocalAuthorizeOffline', 'bool', RW, 'true'),
  v('AuthCtrlr', 'LocalPreAuthorize', 'bool', RW, 'false'),
  v('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'bool', RW, 'false'),
  v('AuthCtrlr', 'DisableRemoteAuthorization', 'bool', RW, 'false'),
  v('AuthCacheCtrlr', 'Available', 'bool', RO, 'true'),
  v('AuthCacheCtrlr', 'Enabled', 'bool', RW, 'false'),
  v('AuthCacheCtrlr', 'LifeTime', 'int', RW, '86400', S),
  v('LocalAuthListCtrlr', 'Available', 'bool', RO, 'true'),
  v('LocalAuthListCtrlr', 'Enabled', 'bool', RW, 'false'),
  v('LocalAuthListCtrlr', 'Entries', 'int', RO, '0', { maxLimit: 1000 }),
  v('LocalAuthListCtrlr', 'ItemsPerMessage', 'int', RO, '100'),
  v('LocalAuthListCtrlr', 'BytesPerMessage', 'int', RO, '65536'),
  // K01-K10
  v('SmartChargingCtrlr', 'Available', 'bool', RO, 'true'),
  v('SmartChargingCtrlr', 'Enabled', 'bool', RW, 'true'),
  v('SmartChargingCtrlr', 'Entries', 'int', RO, '0', { instance: 'ChargingProfiles', maxLimit: 16, dynamic: true }),
  v('SmartChargingCtrlr', 'LimitChangeSignificance', 'dec', RW, '10', { unit: 'Percent', minLimit: 0, maxLimit: 100 }),
  v('SmartChargingCtrlr', 'PeriodsPerSchedule', 'int', RO, '24'),
  v('SmartChargingCtrlr', 'ProfileStackLevel', 'int', RO, '8'),
  v('SmartChargingCtrlr', 'RateUnit', 'members', RO, 'A,W', { valuesList: 'A,W' }),
  v('SmartChargingCtrlr', 'SupportedAdditionalPurposes', 'members', RO, '', { valuesList: 'PriorityCharging,LocalGeneration' }),
  v('SmartChargingCtrlr', 'SupportsFeature', 'bool', RO, 'false', { instance: 'DynamicProfiles' }),
  v('SmartChargingCtrlr', 'Phases3to1', 'bool', RO, 'false'),
  // B06-B08: batch and value sizes the CSMS must respect.
  v('DeviceDataCtrlr', 'ItemsPerMessage', 'int', RO, '50', { instance: 'GetReport' }),
  v('DeviceDataCtrlr', 'ItemsPerMessage', 'int', RO, '50', { instance: 'GetVariables' }),
  v('DeviceDataCtrlr', 'ItemsPerMessage', 'int', RO, '50', { instance: 'SetVariables' }),
  v('DeviceDataCtrlr', 'BytesPerMessage', 'int', RO, '65536', { instance: 'GetReport' }),
  v('DeviceDataCtrlr', 'BytesPerMessage', 'int', RO, '65536', { instance: 'GetVariables' }),
  v('DeviceDataCtrlr', 'BytesPerMessage', 'int', RO, '65536', { instance: 'SetVariables' }),
  v('DeviceDataCtrlr', 'ConfigurationValueSize', 'int', RO, '1000'),
  v('DeviceDataCtrlr', 'ReportingValueSize', 'int', RO, '2500'),
  v('DeviceDataCtrlr', 'ValueSize', 'int', RO, '1000'),
]);

/** The ChargingStation component (the station as a whole). */
export function chargingStationVariables(evses: readonly EvseModel[]): VariableSpec[] {
  const phases = Math.max(0, ...evses.map((e) => (e.current === 'AC' ? e.phases : 0)));
  return [
    v('ChargingStation', 'AvailabilityState', 'option', RO, 'Available', { valuesList: AVAILABILITY, dynamic: true, summary: true }),
    v('ChargingStation', 'Available', 'bool', RO, 'true', { summary: true }),
    v('ChargingStation', 'Problem', 'bool', RO, 'false', { summary: true }),
    v('ChargingStation', 'SupplyPhases', 'int', RO, String(phases === 0 ? 3 : phases)),
  ];
}

/** The EVSE component of one EVSE (addressed with evse.id). */
export function evseVariables(m: EvseModel): VariableSpec[] {
  return [
    v('EVSE', 'AvailabilityState', 'option', RO, 'Available', { valuesList: AVAILABILITY, dynamic: true, summary: true }),
    v('EVSE', 'Available', 'bool', RO, 'true', { summary: true }),
    // Actual = power now (from the station), MaxSet = the rating (FLOWS.md §2.3 GetVariables example).
    v('EVSE', 'Power', 'dec', RO, '0', { unit: 'W', maxSet: String(m.maxPowerW), dynamic: true, minLimit: 0, maxLimit: m.maxPowerW }),
    v('EVSE', 'SupplyPhases', 'int', RO, String(m.current === 'AC' ? m.phases : 0)),
  ];
}

/** The Connector component of one connector (addressed with evse.id + evse.connectorId). */
export function connectorVariables(m: EvseModel, c: ConnectorModel): VariableSpec[] {
  return [
    v('Connector', 'AvailabilityState', 'option', RO, 'Available', { valuesList: AVAILABILITY, dynamic: true, summary: true }),
    v('Connector', 'Available', 'bool', RO, 'true', { summary: true }),
    v('Connector', 'ConnectorType', 'str', RO, c.type),
    v('Connector', 'SupplyPhases', 'int', RO, String(m.current === 'AC' ? m.phases : 0)),
  ];
}
