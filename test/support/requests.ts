/**
 * A small schema-valid OCPP 2.1 request for every CSMS→station action (the catalogue's `csmsToStationActions()`),
 * for sweeps that check a station answers everything. Where the minimal request would change the station for
 * good (reboot it, start a transaction, install a profile) the payload is chosen so that a correct station
 * refuses it harmlessly — noted per entry. `txId` names a transaction where the schema needs one.
 */
import type { Payload } from '../../src/ocpp/session.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUchargestormtest\n-----END CERTIFICATE-----';
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'a1b2c3', issuerKeyHash: 'd4e5f6', serialNumber: '01' };
const TOKEN = { idToken: 'SWEEP-TOKEN-1', type: 'Central' };
const TARIFF = { tariffId: 'T1', currency: 'EUR', energy: { prices: [{ priceKwh: 0.3 }] } };
const W_SCHEDULE = [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] }];

export function minimalRequests(now: string, txId = 'no-such-transaction'): Record<string, Payload> {
  return {
    AdjustPeriodicEventStream: { id: 1, params: { interval: 60 } },
    AFRRSignal: { timestamp: now, signal: 0 },
    CancelReservation: { reservationId: 1 },
    CertificateSigned: { certificateChain: CERT },
    ChangeAvailability: { operationalStatus: 'Operative' },
    ChangeTransactionTariff: { transactionId: txId, tariff: TARIFF },
    ClearCache: {},
    ClearChargingProfile: { chargingProfileId: 999_999 },
    ClearDERControl: { isDefault: false },
    ClearDisplayMessage: { id: 1 },
    ClearTariffs: {},
    ClearVariableMonitoring: { id: [1] },
    CostUpdated: { totalCost: 1.5, transactionId: txId },
    CustomerInformation: { requestId: 1, report: true, clear: false },
    DataTransfer: { vendorId: 'org.example.sweep' },
    DeleteCertificate: { certificateHashData: HASH },
    GetBaseReport: { requestId: 1, reportBase: 'SummaryInventory' },
    GetChargingProfiles: { requestId: 1, chargingProfile: {} },
    GetCompositeSchedule: { duration: 60, evseId: 1 },
    GetDERControl: { requestId: 1 },
    GetDisplayMessages: { requestId: 1 },
    GetInstalledCertificateIds: {},
    GetLocalListVersion: {},
    GetLog: { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: 'https://logs.example.com/upload' } },
    GetMonitoringReport: { requestId: 1 },
    GetPeriodicEventStream: {},
    GetReport: { requestId: 1 },
    GetTariffs: { evseId: 1 },
    GetTransactionStatus: {},
    GetVariables: { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
    InstallCertificate: { certificateType: 'CSMSRootCertificate', certificate: CERT },
    NotifyAllowedEnergyTransfer: { transactionId: txId, allowedEnergyTransfer: ['AC_three_phase'] },
    NotifyWebPaymentStarted: { evseId: 1, timeout: 60 },
    RequestBatterySwap: { requestId: 1, idToken: TOKEN },
    // EVSE 99 does not exist: answered Rejected instead of starting a transaction.
    RequestStartTransaction: { idToken: TOKEN, remoteStartId: 1, evseId: 99 },
    RequestStopTransaction: { transactionId: txId },
    ReserveNow: { id: 1, expiryDateTime: now, idToken: TOKEN },
    // A per-EVSE reset: refused by a station that only resets as a whole, instead of rebooting it.
    Reset: { type: 'OnIdle', evseId: 1 },
    SendLocalList: { versionNumber: 1, updateType: 'Full' },
    // A TxProfile naming no running transaction: refused (TxNotFound) instead of limiting the station.
    SetChargingProfile: {
      evseId: 1,
      chargingProfile: { id: 999_998, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: txId, chargingSchedule: W_SCHEDULE },
    },
    SetDefaultTariff: { evseId: 1, tariff: TARIFF },
    SetDERControl: { isDefault: false, controlId: 'C1', controlType: 'FreqDroop', freqDroop: { priority: 1, overFreq: 50.2, underFreq: 49.8, overDroop: 5, underDroop: 5, responseTime: 1 } },
    SetDisplayMessage: { message: { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'hello' } } },
    SetMonitoringBase: { monitoringBase: 'All' },
    SetMonitoringLevel: { severity: 5 },
    SetNetworkProfile: {
      configurationSlot: 2,
      connectionData: { ocppInterface: 'Wired0', ocppTransport: 'JSON', messageTimeout: 30, ocppCsmsUrl: 'wss://csms.example.com/ocpp', securityProfile: 2 },
    },
    SetVariableMonitoring: { setMonitoringData: [{ value: 1, type: 'Delta', severity: 5, component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } }] },
    SetVariables: { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' }, attributeValue: '60' }] },
    TriggerMessage: { requestedMessage: 'Heartbeat' },
    UnlockConnector: { evseId: 1, connectorId: 1 },
    UpdateDynamicSchedule: { chargingProfileId: 1, scheduleUpdate: { limit: 7000 } },
    UpdateFirmware: { requestId: 1, firmware: { location: 'https://fw.example.com/fw.bin', retrieveDateTime: now } },
    UsePriorityCharging: { transactionId: txId, activate: true },
  };
}
