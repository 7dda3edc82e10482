/**
 * The OCPP 2.1 action catalogue (FLOWS.md §10) as data: who sends it, its functional block, whether it is new
 * in 2.1 (so it must not be sent on a 2.0.1 connection), and whether it is a SEND (type 6, unconfirmed).
 */
export type Direction = 'toCsms' | 'toStation' | 'both' | 'localController';

export interface ActionInfo {
  readonly name: string;
  readonly direction: Direction;
  readonly block: string;
  readonly new21: boolean;
  readonly send: boolean;
}

// name, direction, block, new in 2.1
const TABLE: readonly (readonly [string, Direction, string, boolean])[] = [
  ['AdjustPeriodicEventStream', 'toStation', 'N', true],
  ['AFRRSignal', 'toStation', 'Q', true],
  ['Authorize', 'toCsms', 'C', false],
  ['BatterySwap', 'toCsms', 'S', true],
  ['BootNotification', 'toCsms', 'B', false],
  ['CancelReservation', 'toStation', 'H', false],
  ['CertificateSigned', 'toStation', 'A', false],
  ['ChangeAvailability', 'toStation', 'G', false],
  ['ChangeTransactionTariff', 'toStation', 'I', true],
  ['ClearCache', 'toStation', 'C', false],
  ['ClearChargingProfile', 'toStation', 'K', false],
  ['ClearDERControl', 'toStation', 'R', true],
  ['ClearDisplayMessage', 'toStation', 'O', false],
  ['ClearedChargingLimit', 'toCsms', 'K', false],
  ['ClearTariffs', 'toStation', 'I', true],
  ['ClearVariableMonitoring', 'toStation', 'N', false],
  ['ClosePeriodicEventStream', 'toCsms', 'N', true],
  ['CostUpdated', 'toStation', 'I', false],
  ['CustomerInformation', 'toStation', 'N', false],
  ['DataTransfer', 'both', 'P', false],
  ['DeleteCertificate', 'toStation', 'M', false],
  ['FirmwareStatusNotification', 'toCsms', 'L', false],
  ['Get15118EVCertificate', 'toCsms', 'M', false],
  ['GetBaseReport', 'toStation', 'B', false],
  ['GetCertificateChainStatus', 'toCsms', 'M', true],
  ['GetCertificateStatus', 'toCsms', 'M', false],
  ['GetChargingProfiles', 'toStation', 'K', false],
  ['GetCompositeSchedule', 'toStation', 'K', false],
  ['GetDERControl', 'toStation', 'R', true],
  ['GetDisplayMessages', 'toStation', 'O', false],
  ['GetInstalledCertificateIds', 'toStation', 'M', false],
  ['GetLocalListVersion', 'toStation', 'D', false],
  ['GetLog', 'toStation', 'N', false],
  ['GetMonitoringReport', 'toStation', 'N', false],
  ['GetPeriodicEventStream', 'toStation', 'N', true],
  ['GetReport', 'toStation', 'B', false],
  ['GetTariffs', 'toStation', 'I', true],
  ['GetTransactionStatus', 'toStation', 'E', false],
  ['GetVariables', 'toStation', 'B', false],
  ['Heartbeat', 'toCsms', 'G', false],
  ['InstallCertificate', 'toStation', 'M', false],
  ['LogStatusNotification', 'toCsms', 'N', false],
  ['MeterValues', 'toCsms', 'J', false],
  ['NotifyAllowedEnergyTransfer', 'toStation', 'Q', true],
  ['NotifyChargingLimit', 'toCsms', 'K', false],
  ['NotifyCustomerInformation', 'toCsms', 'N', false],
  ['NotifyDERAlarm', 'toCsms', 'R', true],
  ['NotifyDERStartStop', 'toCsms', 'R', true],
  ['NotifyDisplayMessages', 'toCsms', 'O', false],
  ['NotifyEVChargingNeeds', 'toCsms', 'K', false],
  ['NotifyEVChargingSchedule', 'toCsms', 'K', false],
  ['NotifyEvent', 'toCsms', 'N', false],
  ['NotifyMonitoringReport', 'toCsms', 'N', false],
  ['NotifyPeriodicEventStream', 'toCsms', 'N', true],
  ['NotifyPriorityCharging', 'toCsms', 'K', true],
  ['NotifyReport', 'toCsms', 'B', false],
  ['NotifySettlement', 'toCsms', 'C', true],
  ['NotifyWebPaymentStarted', 'toStation', 'C', true],
  ['OpenPeriodicEventStream', 'toCsms', 'N', true],
  ['PublishFirmware', 'localController', 'L', false],
  ['PublishFirmwareStatusNotification', 'localController', 'L', false],
  ['PullDynamicScheduleUpdate', 'toCsms', 'K', true],
  ['ReportChargingProfiles', 'toCsms', 'K', false],
  ['ReportDERControl', 'toCsms', 'R', true],
  ['RequestBatterySwap', 'toStation', 'S', true],
  ['RequestStartTransaction', 'toStation', 'F', false],
  ['RequestStopTransaction', 'toStation', 'F', false],
  ['ReservationStatusUpdate', 'toCsms', 'H', false],
  ['ReserveNow', 'toStation', 'H', false],
  ['Reset', 'toStation', 'B', false],
  ['SecurityEventNotification', 'toCsms', 'A', false],
  ['SendLocalList', 'toStation', 'D', false],
  ['SetChargingProfile', 'toStation', 'K', false],
  ['SetDefaultTariff', 'toStation', 'I', true],
  ['SetDERControl', 'toStation', 'R', true],
  ['SetDisplayMessage', 'toStation', 'O', false],
  ['SetMonitoringBase', 'toStation', 'N', false],
  ['SetMonitoringLevel', 'toStation', 'N', false],
  ['SetNetworkProfile', 'toStation', 'B', false],
  ['SetVariableMonitoring', 'toStation', 'N', false],
  ['SetVariables', 'toStation', 'B', false],
  ['SignCertificate', 'toCsms', 'A', false],
  ['StatusNotification', 'toCsms', 'G', false],
  ['TransactionEvent', 'toCsms', 'E', false],
  ['TriggerMessage', 'toStation', 'F', false],
  ['UnlockConnector', 'toStation', 'F', false],
  ['UnpublishFirmware', 'localController', 'L', false],
  ['UpdateDynamicSchedule', 'toStation', 'K', true],
  ['UpdateFirmware', 'toStation', 'L', false],
  ['UsePriorityCharging', 'toStation', 'K', true],
  ['VatNumberValidation', 'toCsms', 'C', true],
];

export const ACTIONS: ReadonlyMap<string, ActionInfo> = new Map(
  TABLE.map(([name, direction, block, new21]) => [
    name,
    Object.freeze({ name, direction, block, new21, send: name === 'NotifyPeriodicEventStream' }),
  ]),
);

export function actionInfo(name: string): ActionInfo | undefined {
  return ACTIONS.get(name);
}

/** Actions a station sends (CS→CSMS, both directions, or Local Controller → CSMS). */
export function stationToCsmsActions(): string[] {
  return [...ACTIONS.values()].filter((a) => a.direction === 'toCsms' || a.direction === 'both' || a.name === 'PublishFirmwareStatusNotification').map((a) => a.name);
}

/** Actions the CSMS sends to a station. */
export function csmsToStationActions(): string[] {
  return [...ACTIONS.values()].filter((a) => a.direction === 'toStation' || a.direction === 'both').map((a) => a.name);
}
