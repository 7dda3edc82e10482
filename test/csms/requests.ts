// Minimal valid requests of every station→CSMS action (FLOWS.md §10), as fixtures for the CSMS tests.
import type { Payload } from '../../src/ocpp/session.js';

const T = '2025-03-01T10:00:00Z';
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa11', issuerKeyHash: 'bb22', serialNumber: '5a3f9c21' };
const SCHEDULE = { id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] };

export const MINIMAL_REQUESTS: Readonly<Record<string, Payload>> = {
  Authorize: { idToken: { idToken: '04A2B3C4D5E680', type: 'ISO14443' } },
  BootNotification: { reason: 'PowerUp', chargingStation: { model: 'SIM-AC22', vendorName: 'SimVendor' } },
  BatterySwap: {
    eventType: 'BatteryIn', requestId: 7781, idToken: { idToken: '04E1C2B3A49580', type: 'ISO14443' },
    batteryData: [{ evseId: 3, serialNumber: 'BAT-1', soC: 12.5, soH: 93 }],
  },
  ClearedChargingLimit: { chargingLimitSource: 'EMS' },
  ClosePeriodicEventStream: { id: 1 },
  DataTransfer: { vendorId: 'com.example' },
  FirmwareStatusNotification: { status: 'Downloading', requestId: 3001 },
  Get15118EVCertificate: { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'gDCBnAIBAQ==' },
  GetCertificateChainStatus: { certificateStatusRequests: [{ certificateHashData: HASH, source: 'OCSP', urls: ['http://ocsp.example.com'] }] },
  GetCertificateStatus: { ocspRequestData: { ...HASH, responderURL: 'http://ocsp.example.com' } },
  Heartbeat: {},
  LogStatusNotification: { status: 'Uploaded', requestId: 11 },
  MeterValues: { evseId: 0, meterValue: [{ timestamp: T, sampledValue: [{ value: 1234.5 }] }] },
  NotifyChargingLimit: { chargingLimit: { chargingLimitSource: 'EMS' } },
  NotifyCustomerInformation: { data: 'no data', seqNo: 0, generatedAt: T, requestId: 5 },
  NotifyDERAlarm: { controlType: 'VoltWatt', timestamp: T },
  NotifyDERStartStop: { controlId: 'c-1', started: true, timestamp: T },
  NotifyDisplayMessages: { requestId: 6 },
  NotifyEVChargingNeeds: { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC' } },
  NotifyEVChargingSchedule: { timeBase: T, evseId: 1, chargingSchedule: SCHEDULE },
  NotifyEvent: {
    generatedAt: T, seqNo: 0,
    eventData: [{
      eventId: 1001, timestamp: T, trigger: 'Delta', actualValue: 'Occupied', component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
      variable: { name: 'AvailabilityState' }, eventNotificationType: 'HardWiredNotification',
    }],
  },
  NotifyMonitoringReport: { requestId: 7, seqNo: 0, generatedAt: T },
  NotifyPriorityCharging: { transactionId: 'tx-1', activated: true },
  NotifyReport: { requestId: 42, generatedAt: T, seqNo: 0 },
  NotifySettlement: { pspRef: 'PSP-1', status: 'Settled', settlementAmount: 10.22, settlementTime: T },
  OpenPeriodicEventStream: { constantStreamData: { id: 1, variableMonitoringId: 12, params: { interval: 60, values: 12 } } },
  PublishFirmwareStatusNotification: { status: 'Published' },
  PullDynamicScheduleUpdate: { chargingProfileId: 501 },
  ReportChargingProfiles: {
    requestId: 8, chargingLimitSource: 'CSO', evseId: 1,
    chargingProfile: [{ id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [SCHEDULE] }],
  },
  ReportDERControl: { requestId: 9 },
  ReservationStatusUpdate: { reservationId: 1, reservationUpdateStatus: 'Expired' },
  SecurityEventNotification: { type: 'StartupOfTheDevice', timestamp: T },
  SignCertificate: { csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIBSzCB8gIBADA\n-----END CERTIFICATE REQUEST-----\n' },
  StatusNotification: { timestamp: T, connectorStatus: 'Available', evseId: 1, connectorId: 1 },
  TransactionEvent: { eventType: 'Started', timestamp: T, triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'tx-min' } },
  VatNumberValidation: { vatNumber: 'NL123456789B01' },
};

/** SEND-only (type 6). */
export const MINIMAL_SENDS: Readonly<Record<string, Payload>> = {
  NotifyPeriodicEventStream: { id: 1, pending: 0, basetime: T, data: [{ t: 0, v: '230.4' }] },
};
